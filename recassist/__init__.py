"""recassist: a recommendation assistant that runs on a laptop and explains itself.

Stages, each its own package: data and retrieval (`retrieval`), the LLM assistant (`assistant`), the
surfaces (`recassist/app.py`). This package holds what every stage shares: settings, errors, the
command line.
"""

__version__ = "0.1.0"
