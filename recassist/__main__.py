"""`python -m recassist` = the `recassist` command."""

from recassist.cli import app

app()
