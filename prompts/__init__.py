"""The LLM prompts, one text file each (`<name>.txt`), shipped as package data and read with
`importlib.resources` by `assistant.prompts.load_prompt`, so an installed copy reads its own files."""
