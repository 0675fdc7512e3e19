"""Reading by the code: which sentence states a fact, events and figures, claims and quotes, people."""
