"""`python -m assistant` runs the command line."""

from assistant.cli import run

run()
