"""The HTML page: the page itself, its matrices, its timeline and its templates."""
