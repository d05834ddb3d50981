"""Sentence splitting: Arabic punctuation ends sentences, numbers, titles, URLs and quotes do not."""

import pytest

from summarizer.text import split_sentences


def texts(text: str) -> list[str]:
    return [sentence.text for sentence in split_sentences(text)]


def test_arabic_terminators_end_sentences_but_the_arabic_comma_does_not():
    text = "أطلقت الشركة هاتفًا، وهو رخيص. هل ينجح؟ ربما؛ الأسواق صعبة! انتهى…"
    assert texts(text) == [
        "أطلقت الشركة هاتفًا، وهو رخيص.",
        "هل ينجح؟",
        "ربما؛",
        "الأسواق صعبة!",
        "انتهى…",
    ]


def test_line_breaks_end_sentences():
    assert texts("عنوان الخبر\nنص الخبر الأول") == ["عنوان الخبر", "نص الخبر الأول"]


@pytest.mark.parametrize(
    "text",
    [
        "بلغ النمو 2.5 في المئة هذا العام.",
        "Dr. Smith moved to the U.S. last year, e.g. to teach.",
        "وقال د. أحمد إن المشروع بدأ.",
        "Read https://example.com/news/a.html today.",
        "Write to press.office@example.org with questions.",
        "قال المدير: «هذا إنجاز كبير. سنبدأ غدًا» ثم غادر.",
        'He said "Stop. Now." and left.',
    ],
)
def test_protected_periods_keep_one_sentence(text):
    assert texts(text) == [text]


def test_numbered_list_items_stay_whole():
    assert texts("1. الخطوة الأولى\n2. الخطوة الثانية") == ["1. الخطوة الأولى", "2. الخطوة الثانية"]


def test_year_marker_before_a_new_sentence_still_ends_it():
    assert texts("ولد عام 1770 م. يعتبر من أبرز الموسيقيين.") == [
        "ولد عام 1770 م.",
        "يعتبر من أبرز الموسيقيين.",
    ]


def test_unspaced_arabic_period_ends_a_sentence():
    assert texts("انتهى الاجتماع.وبدأ التصويت") == ["انتهى الاجتماع.", "وبدأ التصويت"]


def test_offsets_and_indices_point_into_the_original_text():
    text = "  الجملة الأولى.   The second one!\n\nالثالثة"
    sentences = split_sentences(text)
    assert [s.index for s in sentences] == [0, 1, 2]
    assert all(text[s.start : s.end] == s.text for s in sentences)


def test_hard_wrapped_paragraphs_join_across_line_breaks():
    text = (
        "غادر رئيس الجمعية إلى تونس يوم الثلاثاء الماضي ليشارك في\n"
        "الندوة الدولية الخامسة التي تنظمها الفيدرالية الدولية للخبراء\n"
        "المحاسبين حول الحاكمية المؤسسية والتي ستعقد يومي الجمعة والسبت.\n"
        "وسيعقد الاتحاد العام للمحاسبين والمراجعين العرب اجتماعًا هامًا\n"
        "يتعلق بوحدة العمل العربي المشترك وتفعيل دوره على الساحة العربية.\n"
    )
    sentences = split_sentences(text)
    assert len(sentences) == 2
    assert sentences[0].text.endswith("الجمعة والسبت.")


def test_a_wrapped_line_ending_in_a_quoted_name_runs_on():
    text = (
        'ارتفعت أسهم 53 شركة وانخفضت أسهم 18 شركة في السوق أمس من أبرزها "سابك"\n'
        "المتراجع سهمها 2.1% إلى 1262 ريالا بعد جلسة شهدت تداولات نشطة طوال اليوم.\n"
        "وشهدت السوق عودة لزخم المضاربات على أسهم الشركات الصغيرة واكبها تنقل سريع\n"
        "للمضاربين بين القطاعات لتحقيق مكاسب سعرية قبل عودة السوق للهبوط مجددا.\n"
        "وقال محللون إن السوق تترقب نتائج الربع الثاني للشركات القيادية «سابك»\n"
        "و«الراجحي» خلال الأسبوع المقبل.\n"
    )
    sentences = split_sentences(text)
    assert len(sentences) == 3
    assert sentences[0].text.endswith("طوال اليوم.")
    assert sentences[2].text.endswith("الأسبوع المقبل.")


def test_a_wrapped_line_ending_in_a_closed_quotation_ends_the_sentence():
    text = (
        "وقال رئيس الجمعية في كلمته أمام المؤتمر السنوي إن «العمل مستمر رغم الصعوبات.»\n"
        "وأضاف أن الجمعية ستعقد اجتماعا موسعا مع الأعضاء لمناقشة الخطة الجديدة في\n"
        "الشهر المقبل بحضور ممثلين عن الوزارة والقطاع الخاص والنقابات المهنية وعدد\n"
        "من الخبراء.\n"
    )
    sentences = split_sentences(text)
    assert [s.text[-10:] for s in sentences] == ["الصعوبات.»", "من الخبراء."[-10:]]


def test_punctuation_only_text_has_no_sentences():
    assert split_sentences(" ... !! ") == []
