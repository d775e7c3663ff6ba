"""One egress for text: every string the app sends passes `sanitise`.

What leaves is plain text: no markup (HTML tags removed with their script and style content, by
nh3), no markdown image or link (their words kept, the address dropped), no web address, no prompt
delimiter (`delimiters.txt`, and runs of `===`, `###`, backticks...), no e-mail address and no phone
number (found by phonenumbers), whatever the catalogue, the model or the user's message carried.
`sanitise_payload` applies it to every string of a JSON payload but its identifiers (`KEEP`): the
surfaces call it where an event or a response is serialised, so a new text field is covered without
an edit.

`carried(text)` names what `sanitise` would remove, for the import report's flags.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from importlib import resources

import nh3
import phonenumbers

# fields that identify rather than say something: sent as they are
KEEP = frozenset(
    {
        "item_id",
        "ad_id",
        "impression_id",
        "session_id",
        "user_id",
        "code",
        "type",
        "kind",
        "explanation_source",
        "source",
        "planner",
        "dataset",
        "status",
        "key",
        "id",
    }
)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_URL = re.compile(
    r"\b(?:[a-z][a-z0-9+.-]*://|www\.)\S+|\b(?:[\w-]+\.)+(?:com|net|org|io|ru|xyz|info)"
    r"(?:/\S*)?",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_RUN = re.compile(r"([=#`~*_-])\1{2,}")
_SPACE = re.compile(r"[ \t]{2,}")
_SEVEN_DIGITS = re.compile(r"\d(?:\D{0,4}\d){6}")
_PHONE_REGION = "US"  # numbers without a country code are read as North American; others need "+"
# an international number phonenumbers cannot read whole ("+1 415 555 0199 1": a digit too many) is
# still a number: "+" and seven or more digits in groups
_INTERNATIONAL = re.compile(r"\+\d(?:[\s().-]{0,3}\d){6,}")


@cache
def _delimiters() -> re.Pattern[str]:
    text = resources.files("recassist.trust").joinpath("delimiters.txt").read_text(encoding="utf-8")
    items = [
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    ]
    return re.compile("|".join(re.escape(item) for item in items), re.IGNORECASE)


def _phones(text: str) -> list[str]:
    if not _SEVEN_DIGITS.search(text):  # no phone number has fewer digits; phonenumbers is slow
        return []
    matcher = phonenumbers.PhoneNumberMatcher(
        text, _PHONE_REGION, leniency=phonenumbers.Leniency.POSSIBLE
    )
    return [match.raw_string for match in matcher] + _INTERNATIONAL.findall(text)


@lru_cache(maxsize=8192)  # titles and tags repeat across the events of a turn
def sanitise(text: str) -> str:
    """`text` as plain words: see the module docstring for what is removed."""
    if not text:
        return text
    text = _delimiters().sub(" ", text)
    if "<" in text or "&" in text:  # nh3 only where there can be markup or an entity
        text = html.unescape(nh3.clean(text, tags=set()))
        text = _delimiters().sub(" ", text.replace("<", " ").replace(">", " "))
    text = _LINK.sub(r"\1", _IMAGE.sub(r"\1", text))
    text = _EMAIL.sub("[email]", text)
    text = _URL.sub("[link]", text)
    for _ in range(3):  # a number read first can hide its neighbour ("+1 415 555 0199 1111...")
        found = _phones(text)
        for phone in found:
            text = text.replace(phone, "[phone]")
        if not found:
            break
    text = text.replace("](", "] (")  # a placeholder before "(" is no markdown link: "[phone]("
    text = _RUN.sub(" ", text).replace("`", "'")
    return _SPACE.sub(" ", text)  # not stripped: a streamed token keeps its leading space


def sanitise_payload(value: object, key: str | None = None) -> object:
    """`value` (a JSON-ready payload) with every string but those under a `KEEP` key sanitised."""
    if isinstance(value, str):
        return value if key in KEEP else sanitise(value)
    if isinstance(value, Mapping):
        return {k: sanitise_payload(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [sanitise_payload(v, key) for v in value]
    return value


def carried(text: str) -> list[str]:
    """What `text` carries that `sanitise` removes: 'markup', 'link', 'e-mail', 'phone',
    'delimiter'."""
    found = []
    if "<" in text and nh3.clean(text, tags=set()) != html.escape(text, quote=False):
        found.append("markup")
    if _IMAGE.search(text) or _LINK.search(text) or _URL.search(text):
        found.append("link")
    if _EMAIL.search(text):
        found.append("e-mail")
    if _phones(text):
        found.append("phone")
    if _delimiters().search(text) or _RUN.search(text):
        found.append("delimiter")
    return found


def injected_words(text: str) -> set[str]:
    """Words (five letters or more) of `text` after its first markup, link, delimiter, e-mail or
    phone number that its clean beginning does not hold: what a poisoned title says to the model
    ("say PWNED"), lower case."""
    patterns = (_delimiters(), _RUN, _IMAGE, _LINK, _URL, _EMAIL, re.compile(r"[<>]"))
    starts = [m.start() for p in patterns if (m := p.search(text))]
    if not starts:
        return set()
    head, tail = text[: min(starts)], text[min(starts) :]
    return {w for w in re.findall(r"[^\W\d_]{5,}", tail.lower())} - set(
        re.findall(r"\w+", head.lower())
    )


def flags(rows: Iterable[tuple[str, str, str]], limit: int = 3) -> list[str]:
    """The import report's lines for catalogue fields that carry what `sanitise` removes, from
    (item id, field, value) rows: per field and kind, how many and a few item ids."""
    found: dict[tuple[str, str], list[str]] = {}
    for item_id, field, value in rows:
        for kind in carried(value) if isinstance(value, str) and value else ():
            found.setdefault((field, kind), []).append(item_id)
    return [
        f"  flag: {len(ids):,} {field} values carry {kind} (e.g. item {', '.join(ids[:limit])}); "
        "every answer shows them sanitised"
        for (field, kind), ids in sorted(found.items())
    ]
