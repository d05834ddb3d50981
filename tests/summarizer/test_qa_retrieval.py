"""The offline retrieval backend: golden questions, abstention, question words, follow-ups."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.errors import InputError
from summarizer.qa import Answer, QAOptions, Turn, answer
from summarizer.qa.evidence import candidate_sentences
from summarizer.qa.features import match_article
from summarizer.qa.question import Intent, parse_question
from summarizer.qa.retrieval import min_score
from summarizer.text import parse_article_file
from summarizer.types import Article

ROOT = Path(__file__).resolve().parents[2]
CASES = json.loads((ROOT / "tests/fixtures/qa/cases.json").read_text(encoding="utf-8"))
# Realistic reader questions, paraphrased rather than copied from the text: scored as a whole.
READER_QUESTIONS = json.loads(
    (ROOT / "tests/fixtures/qa/reader_questions.json").read_text(encoding="utf-8")
)
SEED = "seeds/000_9ae386f161d82b4b.txt"


def load_article(relative_path: str) -> Article:
    title, body = parse_article_file((ROOT / relative_path).read_text(encoding="utf-8"))
    return Article(text=body, title=title)


def quoted(result: Answer) -> str:
    return " ".join(evidence.text for evidence in result.evidence)


@pytest.mark.parametrize("case", CASES, ids=[case["question"] for case in CASES])
def test_golden_question(case: dict) -> None:
    result = answer(case["question"], load_article(case["article"]))
    assert result.backend == "retrieval"
    if case["evidence"] is None:
        assert result.abstained, f"answered {result.text!r} with score {result.score:.2f}"
        assert result.evidence == () and result.text == ""
    else:
        assert not result.abstained, f"abstained with score {result.score:.2f}"
        assert case["evidence"] in quoted(result)
        assert result.score >= min_score(QAOptions())


def _outcome(case: dict) -> str:
    """right / abstained / wrong for one case; `evidence` is a quote, a list of quotes, or null."""
    result = answer(case["question"], load_article(case["article"]))
    expected = case["evidence"]
    if result.abstained:
        return "abstained"
    if expected is None:
        return "wrong"
    quotes = expected if isinstance(expected, list) else [expected]
    return "right" if any(quote in quoted(result) for quote in quotes) else "wrong"


def test_reader_questions_accuracy_and_honest_abstention() -> None:
    answerable = [_outcome(case) for case in READER_QUESTIONS if case["evidence"] is not None]
    unanswerable = [_outcome(case) for case in READER_QUESTIONS if case["evidence"] is None]
    abstentions = answerable.count("abstained") + unanswerable.count("abstained")
    assert len(answerable) >= 30 and len(unanswerable) >= 15
    assert answerable.count("right") / len(answerable) >= 0.8
    assert answerable.count("wrong") <= 1  # a miss abstains rather than quotes the wrong sentence
    assert unanswerable.count("abstained") / len(unanswerable) >= 0.95  # recall
    assert unanswerable.count("abstained") / abstentions >= 0.7  # precision


def test_evidence_positions_point_into_the_article() -> None:
    article = load_article(SEED)
    result = answer("كم عدد معلمات النموذج؟", article)
    assert result.evidence
    for evidence in result.evidence:
        assert article.text[evidence.start : evidence.end] == evidence.text
    assert result.text == result.evidence[0].text or result.text in quoted(result)


def test_number_question_prefers_the_sentence_with_a_number() -> None:
    article = Article(
        text="The rover carries cameras for mapping. The rover carries 7 cameras in total."
    )
    result = answer("How many cameras does the rover carry?", article)
    assert result.evidence[0].text == "The rover carries 7 cameras in total."


def test_date_question_prefers_the_sentence_with_a_date() -> None:
    article = Article(text="أطلقت الشركة الهاتف بنجاح كبير. أطلقت الشركة الهاتف في مارس 2023.")
    result = answer("متى أطلقت الشركة الهاتف؟", article)
    assert "2023" in result.evidence[0].text


def test_question_words_are_not_evidence() -> None:
    english = Article(
        text="Nobody knows when, where, why or how many. Who said what is a mystery."
        " The museum opened a new wing."
    )
    arabic = Article(
        text="لا أحد يعرف متى ولماذا وكم ومن. ومتى سيحدث ذلك غير معروف. افتتح المتحف جناحا جديدا."
    )
    assert answer("How many moons does Mars have?", english).abstained
    assert answer("When and why?", english).abstained
    assert answer("ومتى ولماذا؟", arabic).abstained
    assert answer("كم عدد أقمار المريخ؟ ومتى اكتشفت؟", arabic).abstained


def test_parse_question_drops_question_words_and_keeps_intent() -> None:
    parsed = parse_question("ومتى أطلقت OpenAI نموذج O1؟")
    assert parsed.intent is Intent.DATE
    assert "openai" in parsed.terms and "o1" in parsed.terms
    assert not {"متي", "ومتي", "ومت"} & set(parsed.terms)
    assert parse_question("Who founded it?").intent is Intent.PERSON
    assert parse_question("كم عدد المستخدمين؟").intent is Intent.NUMBER
    # "من" is "who" only at the start; elsewhere it is the preposition "from"
    assert parse_question("ماذا اشترى من إنفيديا؟").intent is Intent.OTHER


def test_misspelled_question_words_are_not_evidence() -> None:
    # ماذا is often typed with د for ذ, and glued to a preposition
    for question in ("مادا واجه لبنان؟", "بمادا يلقب عمر؟", "لمادا يطلق عليه ذلك؟"):
        assert not {"مادا", "بمادا", "لمادا"} & set(parse_question(question).terms)


ARTIST = (
    "ليلى حداد عازفة عود لبنانية ولدت في مدينة صيدا. "
    "بدأت ليلى حداد العزف في سن العاشرة على يد والدها. "
    "أصدرت ليلى حداد ثلاثة ألبومات بين عامي 2010 و2020."
)


def test_a_word_naming_the_kind_of_answer_is_not_what_the_question_is_specifically_about() -> None:
    sentences = candidate_sentences(Article(text=ARTIST))
    nationality = parse_question("ما جنسية ليلى حداد؟")
    assert nationality.frame == {"جنسيه"}
    assert parse_question("ما إسم الصين باللغة الصينية؟").frame == {"اسم"}
    # "nationality" is answered by لبنانية, which does not repeat it: no specific word is missing
    assert match_article(nationality, "ما جنسية ليلى حداد؟", sentences).specific_count == 0
    assert answer("ما جنسية ليلى حداد؟", Article(text=ARTIST)).score > 0
    # "salary" is a word the answer would hold: the article does not say it
    salary = parse_question("ما راتب ليلى حداد؟")
    assert salary.frame == frozenset()
    assert match_article(salary, "ما راتب ليلى حداد؟", sentences).specific_count == 1
    assert answer("ما راتب ليلى حداد؟", Article(text=ARTIST)).score == 0.0


def test_arabic_follow_up_borrows_the_previous_question() -> None:
    article = load_article("tests/fixtures/qa/ar_satellite.txt")
    history = [Turn("متى أطلقت الوكالة القمر نور-3؟", "صباح الأحد")]
    assert answer("ومن أين؟", article).abstained
    result = answer("ومن أين؟", article, history=history)
    assert not result.abstained
    assert "من قاعدة الساحل الشرقي" in quoted(result)
    assert parse_question("ومن أين؟").intent is Intent.PLACE


def test_english_follow_up_takes_its_own_intent() -> None:
    article = load_article("tests/fixtures/qa/en_chip.txt")
    history = [Turn("Who founded Nimbus Labs?", "three former graphics engineers")]
    result = answer("and when?", article, history=history)
    assert "founded in 2016" in quoted(result)


def test_threshold_is_an_option() -> None:
    article = load_article(SEED)
    question = "كم عدد معلمات النموذج؟"
    assert not answer(question, article).abstained
    assert answer(question, article, options=QAOptions(min_score=1.01)).abstained


def test_at_most_max_evidence_sentences() -> None:
    article = load_article(SEED)
    result = answer(
        "لماذا تفوقت DeepSeek على منافسيها؟", article, options=QAOptions(max_evidence=1)
    )
    assert len(result.evidence) == 1


@pytest.mark.parametrize("question", ["", "   ", "\n"])
def test_empty_question_is_an_input_error(question: str) -> None:
    with pytest.raises(InputError, match="question is empty"):
        answer(question, load_article(SEED))


def test_empty_article_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no text"):
        answer("What?", Article(text="  \n "))


def test_unknown_backend_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown Q&A backend"):
        answer("What?", load_article(SEED), options=QAOptions(backend="oracle"))  # type: ignore[arg-type]


def test_a_number_the_reader_wrote_is_not_the_answer() -> None:
    article = load_article("tests/fixtures/qa/en_chip.txt")
    result = answer("How many cores does the Aster-9 have?", article)
    assert "24 cores" in quoted(result)
    assert parse_question("How many cores does the Aster-9 have?").focus == "cores"


def test_arabic_indic_digits_match_western_ones() -> None:
    result = answer("ماذا بنت الشركة باستخدام ٢٠٤٨ وحدة؟", load_article(SEED))
    assert "671 مليار معلمة" in quoted(result)


def test_a_when_question_without_a_date_in_the_article_abstains() -> None:
    article = Article(text="Liang founded the company with graduates of top universities.")
    assert answer("When was the company founded?", article).abstained
    assert not answer("Who founded the company?", article).abstained


# A life's dates in brackets answer "when was X born / did X die" though the bracket names neither.
BIOGRAPHY = Article(
    text="سالم العبدالله (12 مارس 1950 - 4 يونيو 2019) مهندس كويتي أسس أول شركة برمجيات عربية. "
    "درس الهندسة الكهربائية في جامعة القاهرة ثم عمل في شركة اتصالات حكومية. "
    "في عام 1982 أسس شركة للبرمجيات طورت أول حاسوب منزلي يدعم اللغة العربية. "
    "ولد في حي شعبي لأسرة تعمل في صيد اللؤلؤ، وتعلم القراءة في الكتاتيب. "
    "توفي في الكويت بعد صراع طويل مع المرض، ونعته الصحف العربية."
)


@pytest.mark.parametrize("question", ["متى ولد سالم العبدالله؟", "في أي عام توفي سالم العبدالله؟"])
def test_birth_and_death_dates_are_read_from_a_lifespan_in_brackets(question: str) -> None:
    result = answer(question, BIOGRAPHY)
    assert not result.abstained, f"abstained with score {result.score:.2f}"
    assert "(12 مارس 1950 - 4 يونيو 2019)" in quoted(result)


def test_a_lifespan_does_not_answer_other_dates() -> None:
    assert answer("متى تزوج سالم العبدالله؟", BIOGRAPHY).abstained
