"""Language as data, read once: the word lists of every language the chat reads (`data/*.toml`),
the one tagging pass that turns a message into frozen typed spans (`reading.read` -> `Tagged`),
tags in free text (`tags.TagMatcher`) and the forgiving reading of misspellings (`forgiving`).

It sits below the assistant and the audiences, which both read messages with it.
"""
