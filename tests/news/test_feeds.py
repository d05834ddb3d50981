"""Feeds, pages and local files against the feed server on 127.0.0.1 with the real httpx client."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select

from bot.errors import FetchError
from bot.store.models import ArticleRow
from tests.helpers.feed_server import FIXTURES

SAMPLE_AR = "وقالت الشركة إن البطارية تدوم يومين كاملين"


def articles(pipeline) -> list[ArticleRow]:  # noqa: ANN001
    with pipeline.store.db.session() as session:
        return list(session.scalars(select(ArticleRow).order_by(ArticleRow.id)))


def source(name: str, url: str, **extra: object) -> dict[str, object]:
    return {"name": name, "url": url, **extra}


async def test_rss2_items_are_stored_with_canonical_urls_dates_and_languages(
    feeds, make_config, open_pipeline
):
    url = feeds.serve_file("/rss2.xml", "rss2.xml")
    config = make_config(sources=[source("rss", url)])
    async with open_pipeline(config) as pipeline:
        ids = await pipeline.fetch_source(config.sources[0])
        stored = articles(pipeline)
    assert len(ids) == 2
    english, arabic = stored
    assert english.url == "http://example.org/news/open-model"
    assert english.guid == "example-1"
    assert english.published_at.isoformat().startswith("2025-01-06T09:00:00")
    assert (english.language, arabic.language) == ("en", "ar")
    assert "single laptop" in english.text and english.text.count("\n") >= 3
    assert feeds.hits("/rss2.xml")[0].headers["User-Agent"].startswith("Khulasa/")


@pytest.mark.parametrize(
    ("fixture", "title", "author"),
    [
        ("atom.xml", "Atom: open model runs on a laptop", "Dana"),
        ("rdf.xml", "RDF: phone with efficient chip", None),
    ],
)
async def test_atom_and_rdf_feeds(feeds, make_config, open_pipeline, fixture, title, author):
    url = feeds.serve_file(f"/{fixture}", fixture)
    config = make_config(sources=[source("feed", url)])
    async with open_pipeline(config) as pipeline:
        await pipeline.fetch_source(config.sources[0])
        (article,) = articles(pipeline)
    assert (article.title, article.author) == (title, author)


async def test_windows_1256_feed_comes_out_as_arabic(feeds, make_config, open_pipeline):
    url = feeds.serve_file("/cp.xml", "cp1256.xml", content_type="application/rss+xml")
    config = make_config(sources=[source("cp", url)])
    async with open_pipeline(config) as pipeline:
        await pipeline.fetch_source(config.sources[0])
        (article,) = articles(pipeline)
    assert article.title == "هاتف ذكي جديد بمعالج موفر للطاقة"
    assert SAMPLE_AR in article.text


async def test_windows_1256_page_declared_in_meta_is_extracted_without_boilerplate(
    feeds, make_config, open_pipeline
):
    url = feeds.serve_file("/page.html", "page_cp1256.html", content_type="text/html")
    config = make_config(sources=[source("page", url)])
    async with open_pipeline(config) as pipeline:
        await pipeline.fetch_source(config.sources[0])
        (article,) = articles(pipeline)
    assert SAMPLE_AR in article.text
    assert "الرئيسية" not in article.text and "جميع الحقوق محفوظة" not in article.text
    assert article.language == "ar"


async def test_teaser_items_get_the_full_text_of_their_page(feeds, make_config, open_pipeline):
    url = feeds.serve_file("/teaser.xml", "teaser.xml")
    feeds.serve_file("/article.html", "article.html", content_type="text/html; charset=utf-8")
    config = make_config(sources=[source("teasers", url)])
    async with open_pipeline(config) as pipeline:
        await pipeline.fetch_source(config.sources[0])
        (article,) = articles(pipeline)
    assert len(feeds.hits("/article.html")) == 1
    paragraphs = article.text.split("\n")
    assert any(p.startswith("The model was trained on a curated mix") for p in paragraphs)
    assert "Read more" not in article.text and "Home" not in paragraphs
    assert article.guid == "teaser-1"


async def test_teaser_page_is_not_fetched_again_for_a_stored_item(
    feeds, make_config, open_pipeline
):
    url = feeds.serve_file("/teaser.xml", "teaser.xml")
    feeds.serve_file("/article.html", "article.html", content_type="text/html")
    config = make_config(sources=[source("teasers", url)])
    async with open_pipeline(config) as pipeline:
        await pipeline.fetch_source(config.sources[0])
        assert await pipeline.fetch_source(config.sources[0]) == []
    assert len(feeds.hits("/article.html")) == 1


async def test_malformed_xml_fails_that_source_only(feeds, make_config, open_pipeline, caplog):
    bad = feeds.serve_file("/bad.xml", "malformed.xml")
    good = feeds.serve_file("/rss2.xml", "rss2.xml")
    config = make_config(sources=[source("bad", bad), source("good", good)])
    async with open_pipeline(config) as pipeline:
        with pytest.raises(FetchError, match="not a readable feed"):
            await pipeline.fetch_source(config.sources[0])
        with caplog.at_level(logging.WARNING, logger="bot.pipeline"):
            ids = [i for s in config.sources for i in await pipeline.fetch_source_logged(s)]
    assert len(ids) == 2
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and warnings[0].startswith("source bad:")


async def test_the_same_article_in_two_feeds_is_stored_once(feeds, make_config, open_pipeline):
    first = feeds.serve_file("/rss2.xml", "rss2.xml")
    mirror = feeds.serve_file("/mirror.xml", "mirror.xml")
    config = make_config(sources=[source("main", first), source("mirror", mirror)])
    async with open_pipeline(config) as pipeline:
        await pipeline.fetch_source(config.sources[0])
        assert await pipeline.fetch_source(config.sources[1]) == []
        assert len(articles(pipeline)) == 2


async def test_keyword_filters_match_words_across_case_and_arabic_spelling(
    feeds, make_config, open_pipeline
):
    url = feeds.serve_file("/rss2.xml", "rss2.xml")
    config = make_config(
        sources=[source("rss", url, include=["هاتف", "LAPTOP"], exclude=["البطاريه"])]
    )
    async with open_pipeline(config) as pipeline:
        await pipeline.fetch_source(config.sources[0])
        titles = [a.title for a in articles(pipeline)]
    assert titles == ["Open model runs on a laptop"]  # the phone article says البطارية


async def test_local_directory_source(tmp_path, make_config, open_pipeline):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.md").write_text(
        "# Local title\n\nFirst paragraph of the body.\nSecond one.", "utf-8"
    )
    (folder / "b.txt").write_text("عنوان محلي\nنص المقال العربي هنا.", "utf-8")
    (folder / "ignored.json").write_text("{}", "utf-8")
    config = make_config(sources=[{"name": "local", "path": str(folder)}])
    async with open_pipeline(config) as pipeline:
        await pipeline.fetch_source(config.sources[0])
        stored = articles(pipeline)
        assert [(a.title, a.language) for a in stored] == [
            ("Local title", "en"),
            ("عنوان محلي", "ar"),
        ]
        assert stored[0].guid.startswith(f"file:{(folder / 'a.md').as_posix()}#")
        (folder / "a.md").write_text("# Local title\n\nAn edited body counts as new.", "utf-8")
        assert len(await pipeline.fetch_source(config.sources[0])) == 1


async def test_local_html_file_goes_through_page_extraction(tmp_path, make_config, open_pipeline):
    page = tmp_path / "page.html"
    page.write_bytes((FIXTURES / "page_cp1256.html").read_bytes())
    config = make_config(sources=[{"name": "one", "path": str(page)}])
    async with open_pipeline(config) as pipeline:
        await pipeline.fetch_source(config.sources[0])
        (article,) = articles(pipeline)
    assert SAMPLE_AR in article.text and "الرئيسية" not in article.text


async def test_iso_8859_6_declared_only_in_the_http_header_comes_out_as_arabic(
    feeds, make_config, open_pipeline
):
    feed = (FIXTURES / "cp1256.xml").read_bytes().decode("windows-1256")
    feed = feed.replace(' encoding="windows-1256"', "").encode("iso-8859-6")
    url = feeds.serve("/iso.xml", body=feed, content_type="application/rss+xml; charset=ISO-8859-6")
    page = (FIXTURES / "page_cp1256.html").read_bytes().decode("windows-1256")
    page = re.sub(r"<meta[^>]*charset[^>]*>", "", page, flags=re.IGNORECASE)
    page_url = feeds.serve(
        "/iso.html", body=page.encode("iso-8859-6"), content_type="text/html; charset=iso-8859-6"
    )
    config = make_config(sources=[source("iso", url), source("iso-page", page_url)])
    async with open_pipeline(config) as pipeline:
        for each in config.sources:
            await pipeline.fetch_source_logged(each)
        feed_article, page_article = articles(pipeline)
    assert feed_article.title == "هاتف ذكي جديد بمعالج موفر للطاقة"
    assert SAMPLE_AR in feed_article.text and SAMPLE_AR in page_article.text
