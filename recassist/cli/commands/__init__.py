"""Command groups of the `recassist` command line."""
