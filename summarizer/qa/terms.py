"""Evidence terms and when two of them are the same word, despite clitics, plurals and stemmer slips.

Snowball's Arabic stemmer is inconsistent on glued particles (ويزن -> ويز, لشركة -> لشرك,
سياراتها -> يارا), so a term is compared through several forms: the normalized word, the word
with its proclitics and suffixes peeled off one at a time, and the stems of those.
"""

from __future__ import annotations

import re
from functools import lru_cache

from summarizer.text import is_stopword, script_language, stem, tokenize

# A shared prefix this long still matches when the longer form has at most two more letters.
_MIN_PREFIX = 3
_MAX_SUFFIX_GAP = 2
_MIN_STRIPPED_LENGTH = 3  # a clitic comes off only when three letters stay
# Proclitics, outermost first: و/ف, then the future س, a preposition ب/ل/ك, the article ال (لل = ل+ال).
_PROCLITICS = (
    re.compile("^[وف]"),
    re.compile("^س(?=[يتنا])"),
    re.compile("^لل"),
    re.compile("^[بلك]"),
    re.compile("^ال"),
    re.compile("^[يتنا]"),  # the imperfect verb prefix (يتفوق/تفوق)
)
# A hyphen inside a name (Aster-9, نور-3, start-up) joins one word, not two evidence terms.
_COMPOUND_HYPHEN = re.compile(r"(?<=[^\W_])-(?=[^\W_])")
_LETTERS = re.compile(r"[^\W\d_]+")
# Pronoun and plural suffixes (normalized: ة is ه), longest first so هما goes before ها.
_SUFFIXES = re.compile("(?:هما|هم|هن|ها|كم|نا|ات|ون|ين|ان|يه|ه)$")
# Derived forms put these before the root (مقتل/قتل, استخدام/خدم, تشخيص/شخص) ...
_DERIVING_PREFIX = re.compile("^(?:است|مست|م|ت)")
# ... and long vowels and hamza seats inside it (تشخيص/يشخص, اختراع/اخترع); a final ي stays, as
# it makes an adjective of a noun (صناعي "artificial" is not صنع "made").
_WEAK_LETTERS = re.compile("[اويءئؤ](?!$)")
_FINAL_WEAK = re.compile("[اي]$")  # وفاة and توفي end their root alike
_MIN_SKELETON = 3  # two consonants name too many roots to count as the same word
_LIFE_EVENT_ROOTS = frozenset({"ولد", "وفي"})
_LIFE_EVENT_WORDS = frozenset({"born", "birth", "died", "death"})


def words(text: str) -> list[str]:
    """Normalized word tokens, with hyphenated names kept whole (aster-9 -> aster9)."""
    return tokenize(_COMPOUND_HYPHEN.sub("", text))


def evidence_terms(text: str) -> list[str]:
    """The normalized content words of a text, in order; stopwords and single letters dropped."""
    return [
        token
        for token in words(text)
        if not is_stopword(token) and (len(token) > 1 or token.isdigit())
    ]


def _peeled(token: str) -> set[str]:
    """The token and each form left as proclitics, then suffixes, come off one at a time."""
    forms = {token}
    current = token
    for proclitic in _PROCLITICS:
        peeled = proclitic.sub("", current)
        if len(peeled) >= _MIN_STRIPPED_LENGTH:
            current = peeled
            forms.add(current)
    for form in list(forms):
        for _ in range(2):  # سياراتها -> سيارات -> سيار
            peeled = _SUFFIXES.sub("", form)
            if len(peeled) < _MIN_STRIPPED_LENGTH or peeled == form:
                break
            form = peeled
            forms.add(form)
    return forms


@lru_cache(maxsize=100_000)
def term_forms(token: str) -> tuple[frozenset[str], frozenset[str]]:
    """A token's forms: (the word and its stem, compared loosely; peeled forms, compared exactly).

    Peeling can eat a root letter (ليانج -> انج), so peeled forms must match exactly; only the
    word and its stem may match by a shared prefix (معلمة/معلمات).
    """
    language = script_language(token)
    loose = {token, stem(token, language)}
    letters = "".join(_LETTERS.findall(token))
    if letters != token and len(letters) >= _MIN_STRIPPED_LENGTH:  # aster9 is also aster
        loose.add(letters)
    if token.isdigit() or language != "ar":
        return frozenset(loose), frozenset(loose)
    peeled = _peeled(token)
    return frozenset(loose), frozenset(loose | peeled | {stem(form, language) for form in peeled})


@lru_cache(maxsize=100_000)
def skeletons(token: str) -> frozenset[str]:
    """Consonant skeletons of an Arabic token's peeled forms: what its derived words share.

    Coarser than `same_term` (it joins a verb to its noun, مقتل to قتل), so the reader weighs
    such a match on its own instead of counting it as the word itself.
    """
    if token.isdigit() or script_language(token) != "ar":
        return frozenset()
    found = set()
    for form in _peeled(token):  # not the stems: the stemmer takes off the adjective's ي too
        for base in {form, _DERIVING_PREFIX.sub("", form)}:
            base = _FINAL_WEAK.sub("ي", base.removesuffix("ه"))
            # a root may open with و or ي (ولد: مواليد, ولادة), which the inner rule would drop
            for skeleton in {
                _WEAK_LETTERS.sub("", base),
                base[:1] + _WEAK_LETTERS.sub("", base[1:]),
            }:
                if len(skeleton) >= _MIN_SKELETON:
                    found.add(skeleton)
    return frozenset(found)


@lru_cache(maxsize=200_000)
def same_root(first: str, second: str) -> bool:
    """Arabic words derived from the same root letters (a weaker match than `same_term`)."""
    return bool(skeletons(first) & skeletons(second))


def _prefix_match(first: str, second: str) -> bool:
    if first == second:
        return True
    shorter, longer = sorted((first, second), key=len)
    return (
        len(shorter) >= _MIN_PREFIX
        and longer.startswith(shorter)
        and len(longer) - len(shorter) <= _MAX_SUFFIX_GAP
    )


@lru_cache(maxsize=200_000)
def same_term(first: str, second: str) -> bool:
    """Whether two normalized tokens are the same word by any of their forms."""
    if first == second:
        return True
    if first.isdigit() or second.isdigit():
        return False
    (first_loose, first_all), (second_loose, second_all) = term_forms(first), term_forms(second)
    return bool(first_all & second_all) or any(
        _prefix_match(one, other) for one in first_loose for other in second_loose
    )


def is_life_event(term: str) -> bool:
    """Birth or death (ولد, مواليد, توفي, وفاة, born, died): a life's dates in brackets answer it."""
    return term in _LIFE_EVENT_WORDS or bool(skeletons(term) & _LIFE_EVENT_ROOTS)
