"""Questions about films, read before any list: one film named ("what is fargo about?", "who
directed fargo?", "do you have the godfather part 3?") and the list just shown ("which is the
best?", "is it scary?", "compare the first two"). Each turns the parser's request into the one
that answers it; the deciding stage and `assistant.why` say the answer."""

from __future__ import annotations

from recassist.assistant.request import Intent, TurnRequest
from recassist.assistant.session import SessionMemory
from recassist.language.numbers import compared
from recassist.language.reading import only_reference
from recassist.language.shapes import asked_of_it, best_of_shown, film_question, most_of_shown
from recassist.language.words import filler
from recassist.retrieval.catalogue import Catalogue
from recassist.retrieval.credits import RELATION_ROLE
from recassist.retrieval.titles import without_number


def about_title(
    request: TurnRequest, catalogue: Catalogue, message: str, session: SessionMemory
) -> TurnRequest:
    """ "what is fargo about?", "is titanic any good?", "who directed fargo?", "how long is the
    first one?", "de quoi parle le parrain ?": a question about one film (`shapes.film_question`)
    whose title the catalogue surely has. Its answer is what is asked of the film, and a list like
    it: by its director, writer or cast first when those were asked (`ASKED_RELATION`). "what is
    it about?", "is the first one good?", "who's the director?" ask about a film shown (the one
    pointed at; "it" after "fargo" is Fargo, the one film the list went by); with none shown, the
    reply asks which film is meant (the request points at nothing). "Which is the best?" asks
    which of the last list is best liked (`shapes.best_of_shown`), and why; "which one is the
    longest?" which is longest (`shapes.most_of_shown`)."""
    if session.last_shown and best_of_shown(message):  # "which is the best?": of those shown
        return TurnRequest(intent=Intent.explain, best=True)
    if session.last_shown and (most := most_of_shown(message)):  # "which one is the longest?"
        return TurnRequest(intent=Intent.explain, shown_most=most)
    question = film_question(message)
    if question is None:
        return request
    asked, title = question
    if asked == "have":  # "do you have the godfather part 3?": it, else said missing and like it
        return _had(request, catalogue, title)
    if set(title.split()) <= filler() or only_reference(title):  # "it", "the first one"
        named = request.refers_to is None and not session.focus and len(session.seeds) == 1
        item_id = session.seeds[0] if named else session.resolve(request.refers_to)
        if item_id not in catalogue.items:  # "who directed it?" with no film shown: which?
            return TurnRequest(intent=Intent.explain, refers_to=request.refers_to)
        title = catalogue.items[item_id].title
    elif not catalogue.find_title(title):
        return request
    return asked_about(title, asked)


def _had(request: TurnRequest, catalogue: Catalogue, title: str) -> TurnRequest:
    """ "do you have X?": what is known of X when the catalogue has it; when it lacks X but has an
    earlier film of its series ("the godfather part 3") or TMDb knows X, X as a seed (said
    missing, and a list like it); else the request as read ("do you have anything funny?")."""
    if catalogue.find_title(title):
        return asked_about(title, "film")
    base = without_number(title)
    known = bool(base and catalogue.find_title(base)) or (
        catalogue.outside is not None and catalogue.outside.find(title) is not None
    )
    return TurnRequest(seed_titles=[title], new_topic=True) if known else request


def kind_asked(request: TurnRequest, message: str, session: SessionMemory) -> TurnRequest:
    """ "is it scary?", "is the second one funny?", "would it be too violent?": whether a film
    shown (the one pointed at, else the focus or the first) is what the words name, answered from
    what is known of it (`why.kind`), no list. A request that names a film or asks something else
    of one ("is titanic any good?") is left as it is."""
    asked = asked_of_it(message)
    if asked is None or not session.last_shown or request.seed_titles or request.about:
        return request
    return TurnRequest(
        intent=Intent.explain, refers_to=request.refers_to, about="kind", mood=asked[:200]
    )


def compare_asked(request: TurnRequest, message: str, session: SessionMemory) -> TurnRequest:
    """ "what's the difference between the first and second one?", "compare the first two": two
    films of the last list side by side (`why.compare`), no new list; the request as read when
    fewer than two were shown or the message names a film."""
    asked = compared(message)
    if asked is None or len(session.last_shown) < 2 or request.seed_titles or request.about:
        return request
    first, second = asked
    return TurnRequest(
        intent=Intent.explain, refers_to=first, about="compare", compared_with=second
    )


def asked_about(title: str, asked: str) -> TurnRequest:
    """The request a question `asked` of the film `title` makes: it, answered first, and a list
    like it, by the people asked for first."""
    relation = ASKED_RELATION.get(asked)
    return TurnRequest(
        intent=Intent.recommend, seed_titles=[title], about=asked, relation=relation, new_topic=True
    )


# who made a film, asked ("director"): the films that share them come first ("same_director")
ASKED_RELATION = {role: relation for relation, role in RELATION_ROLE.items()}
