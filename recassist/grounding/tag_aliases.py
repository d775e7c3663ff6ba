"""The one table of tag aliases: the surface forms of a catalogue tag's name beyond the tag itself
and its plural ("science fiction" for sci-fi, "animated" for animation).

The faithfulness check reads a stated tag by these forms and the marketer questions find a tag by
them; the chat's tag matcher (`assistant.tags`) reads them too, among its everyday words, so the
three never disagree about what names a tag. The table is data (`data/tag_aliases.json`), read on
first use.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources


@cache
def tag_aliases() -> dict[str, tuple[str, ...]]:
    """Each lower-case tag name's aliases (`data/tag_aliases.json`), read once on first use."""
    path = resources.files("recassist.grounding").joinpath("data/tag_aliases.json")
    table = json.loads(path.read_text(encoding="utf-8"))["aliases"]
    return {tag.lower(): tuple(forms) for tag, forms in table.items()}
