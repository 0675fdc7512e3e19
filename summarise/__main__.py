"""``python -m summarise``."""

from summarise.cli import run

run()
