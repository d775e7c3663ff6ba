"""Whether a message starts a new topic, from the facts the parser read (`assistant.parser`): a
want in the user's own words, a kind of film named anew, or a person's films asked for; not a
change to the last list ("something darker", "only comedies", "with harrison ford"). What stood
before gives way on a new topic, but for what the user ruled out (`SessionMemory.standing`)."""

from __future__ import annotations

from recassist.assistant.request import Intent


def new_topic(facts: dict[str, bool], own_mood: bool, no_reference: bool) -> bool:
    """A want in the user's own words ("a feel-good movie for a rainy sunday", "a courtroom drama
    with a big trial": a film word or a tag heads it), not a change to the last list ("something
    darker", "another one"): a new topic (`SessionMemory.apply`)."""
    return (
        own_mood
        and not facts["seeds"]
        and no_reference
        and not facts["reset"]
        and (facts["want_head"] or facts["include"] or facts["every"])
        and not facts["relative"]
    )


def new_kind(intent: Intent, facts: dict[str, bool], no_reference: bool) -> bool:
    """A refinement that names the kind of film wanted ("a western", "a comedy instead"), or a
    request headed by "something" or "a film" that does ("something scary from the 70s" after
    "more like the big lebowski"), not one that narrows the last list ("only comedies", "no
    horror", "something darker"): the last request's words, seeds and a new user's first tastes
    give way; a refinement's years and exclusions hold."""
    headed = intent is Intent.recommend and facts["want_head"] and not facts["seeds"]
    return (
        (intent is Intent.refine or headed)
        and (facts["include"] or facts["every"])
        and no_reference
        and not any(facts[name] for name in ("narrowing", "relative", "exclude", "reset"))
    )


def new_person(facts: dict[str, bool], no_reference: bool) -> bool:
    """A request for a person's films headed by a want ("films directed by tarantino", "anything
    by spielberg") is a new topic: the sci-fi of the 80s asked before gives way. One that narrows
    the last list ("with harrison ford", "only the ones with him") keeps it. The intent rules
    (`data/intents.toml`) make it a request, not a refinement, on the same facts."""
    return (
        facts["people"]
        and no_reference
        and (facts["want_head"] or facts["ask"])
        and not any(facts[name] for name in ("seeds", "narrowing", "relative", "reset"))
    )
