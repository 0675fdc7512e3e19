"""Text: normalising and numbering sentences, numbers, dates, the names of states and bodies, secrets."""
