"""Grounding: what an answer may claim, shared by everyone who writes text about items.

- `evidence`: catalogue items' evidence in plain words and the template explanation built from it;
- `faithfulness`: the lexical check that a text names only its item and evidence, states only their
  tags and years, and cites its evidence;
- `tag_aliases`: the one table of a tag's surface forms.

Above retrieval and trust, below the assistant, ads and audiences, which all three use it: the
chat's explanations, sponsored ads' wording and marketer questions' tag words are checked and read
the same way.
"""
