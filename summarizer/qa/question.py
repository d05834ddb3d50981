"""What a question asks for (a number, a date, a name...) and which of its words are evidence terms."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from .terms import evidence_terms, term_forms, words
from .types import Turn


class Intent(Enum):
    """The kind of answer a question word asks for; retrieval prefers sentences that hold one."""

    NUMBER = "number"
    DATE = "date"
    PERSON = "person"
    PLACE = "place"
    REASON = "reason"
    OTHER = "other"


# Normalized question words (as `tokenize` returns them): never evidence, only a hint of intent.
_INTENT_WORDS: dict[str, Intent] = {
    "كم": Intent.NUMBER,
    "عدد": Intent.NUMBER,
    "how many": Intent.NUMBER,
    "how much": Intent.NUMBER,
    "number": Intent.NUMBER,
    "متي": Intent.DATE,
    "when": Intent.DATE,
    "year": Intent.DATE,
    "عام": Intent.DATE,
    "سنه": Intent.DATE,
    "who": Intent.PERSON,
    "whom": Intent.PERSON,
    "whose": Intent.PERSON,
    "اين": Intent.PLACE,
    "where": Intent.PLACE,
    "لماذا": Intent.REASON,
    "why": Intent.REASON,
}
# "من" asks "who" only when it opens the question; elsewhere it is the preposition "from".
_OPENING_ONLY: dict[str, Intent] = {"من": Intent.PERSON, "لم": Intent.REASON}
_PLAIN_QUESTION_WORDS = frozenset(
    "ما ماذا ماهو ماهي هل كيف اي ايه وما what which how is are was were do does did".split()
    # ماذا as often typed (د for ذ), and with its glued prepositions
    + "مادا بماذا بمادا لمادا".split()
    # verbs that only restate "where": أين يقع المصنع / where is it located
    + "يقع تقع located situated".split()
)
_QUESTION_WORDS = frozenset(_INTENT_WORDS) | frozenset(_OPENING_ONLY) | _PLAIN_QUESTION_WORDS
# Between the question word and the counted noun: "how many X", "كم عدد X".
_QUANTITY_WORDS = frozenset({"many", "much", "عدد", "number", "of"})
# Nouns that name the kind of answer asked for ("what is X's *name* in English", "its
# *nationality*"): the answering sentence gives the answer itself and seldom repeats them, so
# they count as evidence only weakly and never as the question's specific words.
FRAME_WORDS = frozenset(
    (
        "اسم تسميه يسمي تسمي لقب يلقب يطلق تعريف معني ترجمه كلمه لفظ مصطلح جنسيه مهنه وظيفه"
        " نسبه رقم نوع انواع اهم اخر يوجد توجد بالنسبه مثال مثالا شيء شئ طريقه"
        " name called meaning definition translation term nationality job kind type"
    ).split()
)
# A bare article or clitic left over from a cut-off word is never a content word.
_FRAGMENTS = frozenset({"ال", "وال", "بال", "لل"})
_CONJUNCTION = re.compile("^[وف](?=..)")
# A follow-up with fewer content terms than this borrows the previous question's ("and when?").
SHORT_FOLLOW_UP_TERMS = 2


@dataclass(frozen=True, slots=True)
class ParsedQuestion:
    """The evidence terms (normalized words) of a question and the kind of answer it wants."""

    terms: tuple[str, ...]
    intent: Intent
    # What a "how many" question counts (cores, معلمات): the term its answer must stand next to.
    focus: str | None = None

    @property
    def frame(self) -> frozenset[str]:
        """The terms that are frame words by any of their forms (الاسم, بالنسبة, وظيفته)."""
        return frozenset(term for term in self.terms if term_forms(term)[1] & FRAME_WORDS)


def _bare(token: str) -> str:
    """A question word with a glued conjunction removed (ومتى -> متى), other tokens unchanged."""
    stripped = _CONJUNCTION.sub("", token)
    return stripped if stripped in _QUESTION_WORDS else token


def _intent(tokens: list[str]) -> Intent:
    pairs = [f"{first} {second}" for first, second in zip(tokens, tokens[1:], strict=False)]
    for word in (*pairs, *tokens):
        if word in _INTENT_WORDS:
            return _INTENT_WORDS[word]
    if tokens[:1] == ["من"] and tokens[1:2] in (["اي"], ["ايه"]):
        return Intent.OTHER  # "من أي شركة": "from which company", not "who"
    if tokens and tokens[0] in _OPENING_ONLY:  # after the others: "من أين" asks "from where"
        return _OPENING_ONLY[tokens[0]]
    return Intent.OTHER


def _counted(tokens: list[str], terms: tuple[str, ...]) -> str | None:
    """The noun right after "كم" / "how many" / "كم عدد" ("كم عدد معلمات" -> معلمات), if a term."""
    for at, token in enumerate(tokens):
        if _INTENT_WORDS.get(token) is Intent.NUMBER or token == "how":
            following = tokens[at + 1 :]
            while following and following[0] in _QUANTITY_WORDS:
                following = following[1:]
            if following and following[0] in terms:
                return following[0]
    return None


def parse_question(question: str) -> ParsedQuestion:
    """Splits a question into its intent and the content terms that must appear as evidence."""
    tokens = [_bare(token) for token in words(question)]
    kept = [token for token in tokens if token not in _QUESTION_WORDS and token not in _FRAGMENTS]
    terms = tuple(dict.fromkeys(evidence_terms(" ".join(kept))))
    intent = _intent(tokens)
    focus = _counted(tokens, terms) if intent is Intent.NUMBER else None
    return ParsedQuestion(terms=terms, intent=intent, focus=focus)


def resolve_follow_up(question: str, history: Sequence[Turn]) -> ParsedQuestion:
    """A short follow-up ("ومتى؟") inherits the previous question's terms and, if it has none, intent."""
    parsed = parse_question(question)
    if not history or len(parsed.terms) >= SHORT_FOLLOW_UP_TERMS:
        return parsed
    previous = resolve_follow_up(history[-1].question, history[:-1])
    terms = tuple(dict.fromkeys((*parsed.terms, *previous.terms)))
    if parsed.intent is not Intent.OTHER:
        return ParsedQuestion(terms=terms, intent=parsed.intent, focus=parsed.focus)
    return ParsedQuestion(terms=terms, intent=previous.intent, focus=previous.focus)
