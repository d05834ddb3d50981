"""What an article says that a second report of the same event repeats: amounts and names."""

from __future__ import annotations

from summarizer.stories.signals import StoryArticle, amounts, names, profile


def test_amounts_agree_across_spellings_and_languages():
    english = amounts("The EU fined Apple €1.84 billion on Monday")
    short = amounts("EU hits Apple with €1.8bn fine")
    arabic = amounts("غرامة قدرها 1.8 مليار يورو على أبل")
    assert english == short == arabic == {1.8e9}


def test_different_amounts_differ():
    assert amounts("set to fine Apple about €500m") == {5e8}
    assert amounts("set to fine Apple about €500m").isdisjoint(amounts("fined Apple €1.8bn"))


def test_thousands_counts_and_arabic_digits():
    assert amounts("Microsoft will cut 10,000 jobs") == {1e4}
    assert amounts("تسريح ١٢ ألف موظف") == {1.2e4}


def test_years_small_counts_and_shares_are_told_apart():
    found = amounts("In 2023, 3 executives left; revenue rose 262% to 26 billion")
    assert 2023 not in found and 3 not in found
    assert 2.6e10 in found and any(abs(value - 260) < 1 for value in found)  # 2 digits


def test_latin_names_survive_in_arabic_text():
    assert {"crowdstrike", "falcon"} <= names("عطل عالمي بسبب تحديث CrowdStrike Falcon")
    assert "the" not in names("The CrowdStrike update")


def test_profile_reads_title_and_lead_only():
    article = StoryArticle(id="1", title="Nvidia shares fall", text="x " * 5_000 + "Microsoft")
    signals = profile(article)
    assert signals.language == "en"
    assert "microsoft" not in signals.names and "nvidia" in signals.names
