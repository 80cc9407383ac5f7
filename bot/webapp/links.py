"""The link /draw's button opens: the page's URL with the chat's labels and language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final
from urllib.parse import quote, urlencode

__all__ = ["MAX_URL_LENGTH", "PAGE_LANGUAGES", "canvas_url"]

# Telegram documents no limit for a Web App's URL; this keeps clear of the ~2 KB that some
# browsers and proxies accept. Ten ASCII labels take about 350 characters.
MAX_URL_LENGTH: Final = 1024
PAGE_LANGUAGES: Final = ("en", "de")  # the page's own texts (static/draw.js)


def canvas_url(page: str, labels: Iterable[str], language: str | None) -> str:
    """Return ``page`` with ``?labels=a,b&lang=xx``, leaving out labels that do not fit.

    A label left out can still be typed into the page's field.
    """
    code = (language or "")[:2].lower()
    lang = code if code in PAGE_LANGUAGES else PAGE_LANGUAGES[0]
    chosen: list[str] = []
    for label in labels:
        candidate = _url(page, [*chosen, label], lang)
        if len(candidate) <= MAX_URL_LENGTH:
            chosen.append(label)
    return _url(page, chosen, lang)


def _url(page: str, labels: list[str], lang: str) -> str:
    # Commas stay readable; labels never contain one (bot/labels/names.py).
    query = urlencode({"labels": ",".join(labels), "lang": lang}, quote_via=quote, safe=",")
    return f"{page}?{query}"
