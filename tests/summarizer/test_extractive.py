"""The extractive backend on the seed article and on short Arabic and English news texts."""

import time
from pathlib import Path

import pytest

from summarizer.errors import InputError
from summarizer.extractive import ExtractiveSummarizer
from summarizer.text import is_boilerplate, parse_article_file, split_sentences
from summarizer.types import Article, SummarizerOptions

ROOT = Path(__file__).resolve().parents[2]
TEXTS = ROOT / "tests" / "fixtures" / "texts"


def article_from(path: Path) -> Article:
    title, body = parse_article_file(path.read_text(encoding="utf-8"))
    return Article(text=body, title=title)


@pytest.fixture(
    params=[
        ROOT / "seeds" / "000_9ae386f161d82b4b.txt",
        TEXTS / "ar_phone.txt",
        TEXTS / "en_battery.txt",
    ],
    ids=lambda path: path.stem,
)
def article(request) -> Article:
    return article_from(request.param)


def summarize(article: Article, **options) -> tuple[str, tuple[int, ...]]:
    summarizer = ExtractiveSummarizer(SummarizerOptions(backend="extractive", **options))
    [summary] = summarizer.summarize([article])
    return summary.text, summary.sentence_indices


def test_summary_is_article_sentences_in_article_order(article):
    text, indices = summarize(article)
    sentences = split_sentences(article.text)
    assert len(indices) == 3
    assert list(indices) == sorted(indices)
    assert text == " ".join(sentences[i].text for i in indices)


def test_boilerplate_and_the_repeated_title_are_never_chosen(article):
    text, indices = summarize(article, sentences=10)
    sentences = split_sentences(article.text)
    for i in indices:
        assert not is_boilerplate(sentences[i].text)
        assert sentences[i].text != article.title


def test_no_two_chosen_sentences_are_duplicates():
    body = "\n".join(
        [
            "أطلقت الشركة هاتفًا ذكيًا جديدًا بسعر منخفض في الأردن.",
            "أطلقت الشركة هاتفًا ذكيًا جديدًا بسعر منخفض في الأردن اليوم.",
            "ويأتي الهاتف ببطارية كبيرة تدوم يومين كاملين دون شحن.",
            "ويرى محللون أن المنافسة في سوق الهواتف الرخيصة قوية جدًا.",
        ]
    )
    text, indices = summarize(Article(text=body), sentences=3)
    assert indices == (0, 2, 3)


def test_a_short_fragment_loses_its_early_slot_to_a_complete_statement():
    body = "\n".join(
        [
            "أعلنت وزارة الصحة الأردنية اليوم إطلاق حملة وطنية لتطعيم الأطفال ضد الحصبة في المحافظات.",
            "وتشمل الحملة الأطفال في المحافظات.",
            "وتستهدف الحملة أكثر من مليون طفل دون سن الخامسة وتستمر أسبوعين في المدارس والمراكز.",
            "وقالت الوزارة إن فرقًا ميدانية ستزور القرى النائية لضمان وصول اللقاح إلى كل الأطفال.",
        ]
    )
    assert summarize(Article(text=body), sentences=2)[1] == (0, 2)


def test_sentence_budget_is_respected(article):
    assert len(summarize(article, sentences=1)[1]) == 1
    assert len(summarize(article, sentences=2)[1]) == 2


def test_character_budget_is_respected(article):
    text, _ = summarize(article, sentences=5, max_chars=200)
    assert 0 < len(text) <= 200


def test_output_is_deterministic(article):
    assert summarize(article) == summarize(article)


def test_lead_sentence_of_news_is_chosen():
    _, indices = summarize(article_from(TEXTS / "ar_phone.txt"))
    sentences = split_sentences(article_from(TEXTS / "ar_phone.txt").text)
    assert sentences[indices[0]].text.startswith("أطلقت شركة ناشئة أردنية")


def test_language_is_detected_or_passed_through():
    summarizer = ExtractiveSummarizer()
    english, arabic, given = summarizer.summarize(
        [
            article_from(TEXTS / "en_battery.txt"),
            article_from(TEXTS / "ar_phone.txt"),
            Article(text="Bonjour tout le monde, ceci est un texte.", language="fr"),
        ]
    )
    assert (english.language, arabic.language, given.language) == ("en", "ar", "fr")
    assert english.backend == "extractive" and english.model


@pytest.mark.parametrize("text", ["", "   \n\t ", "<p> </p>"])
def test_empty_text_is_an_input_error(text):
    with pytest.raises(InputError, match="empty"):
        ExtractiveSummarizer().summarize([Article(text=text)])


def test_single_sentence_text_returns_that_sentence():
    assert summarize(Article(text="Hi there."))[0] == "Hi there."


@pytest.mark.parametrize(
    "text",
    [
        "人工智能公司发布了新模型。该模型可以在笔记本电脑上运行。研究人员表示速度很快。",
        "Компания выпустила новую модель. Она работает на ноутбуке. Исследователи довольны.",
    ],
)
def test_other_scripts_do_not_crash(text):
    summary, indices = summarize(Article(text=text), sentences=2)
    assert summary and len(indices) == 2


def test_html_markup_is_stripped():
    html = "<div><p>أطلقت الشركة هاتفًا ذكيًا جديدًا بسعر منخفض.</p><p>ويأتي الهاتف ببطارية كبيرة تدوم يومين.</p></div>"
    text, _ = summarize(Article(text=html))
    assert "<" not in text and "أطلقت الشركة" in text


def test_two_megabyte_article_is_summarized_quickly():
    paragraph = article_from(TEXTS / "ar_phone.txt").text
    body = "\n".join(f"{paragraph} رقم {n}." for n in range(2_000_000 // len(paragraph)))
    started = time.monotonic()
    text, indices = summarize(Article(text=body))
    assert len(indices) == 3 and text
    assert time.monotonic() - started < 20
