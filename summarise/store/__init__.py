"""Keeping: the SQLite store (the call log, the brief cache) and its numbered migrations."""
