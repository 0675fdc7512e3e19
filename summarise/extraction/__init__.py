"""Asking the model about one article: the questions, their answers, and the brief they make."""
