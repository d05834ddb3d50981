"""Reading news: feeds, article pages and local files, fetched safely and turned into articles."""

from bot.news.http import Fetcher, FetchResult, make_client
from bot.news.safety import check_public_url
from bot.news.types import ArticleData

__all__ = ["ArticleData", "FetchResult", "Fetcher", "check_public_url", "make_client"]
