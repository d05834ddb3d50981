"""Term matching for retrieval: clitics, plurals and stemmer slips match; unrelated words do not."""

from __future__ import annotations

import pytest

from summarizer.qa.terms import evidence_terms, is_life_event, same_root, same_term, words
from summarizer.text import normalize


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("يزن", "ويزن"),  # glued و: the stemmer keeps it (ويز)
        ("الشركة", "لشركة"),  # the preposition ل
        ("السيارة", "سياراتها"),  # plural and pronoun: the stemmer gives يارا
        ("جامعات", "الجامعات"),
        ("تفوقت", "يتفوقون"),
        ("معلمات", "معلمة"),
        ("cores", "core"),
        ("aster", "aster9"),  # a name written with and without its hyphenated number
    ],
)
def test_same_word_in_other_forms(first: str, second: str) -> None:
    assert same_term(normalize(first), normalize(second))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("ليانج", "انجاز"),  # peeling ل and ي leaves انج: peeled forms must match exactly
        ("سهم", "سماء"),
        ("2048", "2024"),
        ("r1", "r2"),
        ("salary", "sales"),
    ],
)
def test_different_words_do_not_match(first: str, second: str) -> None:
    assert not same_term(normalize(first), normalize(second))


def test_hyphenated_names_are_one_term_and_stopwords_go() -> None:
    assert words("The Aster-9 and نور-3") == ["the", "aster9", "and", "نور3"]
    assert evidence_terms("The Aster-9 is in the factory") == ["aster9", "factory"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("يشخص", "التشخيص"),  # a verb and its noun share the root ش خ ص
        ("قتل", "مقتل"),  # the noun's م comes off
        ("اخترع", "الاختراعات"),
        ("استخدم", "المستخدمين"),  # مست comes off the participle
        ("تعليم", "يتعلم"),
        ("ولد", "مواليد"),  # a root that opens with و keeps it
        ("ولد", "الولادة"),
        ("توفي", "الوفاة"),  # a root that ends in a weak letter: ي and ا alike
    ],
)
def test_words_of_one_root_are_related_but_not_the_same(first: str, second: str) -> None:
    one, other = normalize(first), normalize(second)
    assert same_root(one, other) and same_root(other, one)
    assert not same_term(one, other)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("صنع", "الصناعي"),  # "made" is not "artificial": the adjective's final ي stays
        ("مصر", "صر"),  # two letters left name too many roots
        ("ولد", "وفد"),  # an opening و is kept, so the roots still differ
        ("salary", "sales"),  # only Arabic words have root letters to compare
        ("2018", "2019"),
    ],
)
def test_words_of_other_roots_are_not_related(first: str, second: str) -> None:
    one, other = normalize(first), normalize(second)
    assert not same_term(one, other) and not same_root(one, other)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("ولد", True),
        ("توفي", True),
        ("مولده", True),
        ("born", True),
        ("وفد", False),
        ("ولاية", False),
        ("تزوج", False),
    ],
)
def test_birth_and_death_words_are_life_events(word: str, expected: bool) -> None:
    assert is_life_event(normalize(word)) is expected
