"""Which of the languages the word lists cover a message is written in (py3langid, restricted to
the languages of `data/*.toml`): a model's reading of an English message can be held to the
message's own words, while a message in another language needs the model's translation."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any


@cache
def _identifier() -> Any:
    """The language identifier, loaded once at first use (about half a second), never at import."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    folder = resources.files("recassist.language").joinpath("data")
    codes = sorted(
        f.name.removesuffix(".toml") for f in folder.iterdir() if f.name.endswith(".toml")
    )
    identifier.set_languages(codes)
    return identifier


def language_of(text: str) -> tuple[str, float]:
    """The language `text` is most likely in, as a code of a word-list file ("en", "fr"), with its
    probability among those languages; short or mixed text gives a low probability."""
    code, probability = _identifier().classify(text)
    return str(code), float(probability)
