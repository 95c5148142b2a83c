"""The one PDF renderer: a template rendered to HTML, WeasyPrint turning it into a PDF.

The URL fetcher refuses anything but data: URLs and files under the app's own static folder, so no
text a person typed (a decision note, a brief, a report comment) can make the server fetch a URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string


def static_root() -> Path:
    return (Path(settings.BASE_DIR) / "static").resolve()


def is_local(url: str) -> bool:
    """Whether the renderer may load this URL: a data: URL or a file inside the static folder."""
    if url.startswith("data:"):
        return True
    if not url.startswith("file:"):
        return False
    path = Path(url2pathname(urlsplit(url).path)).resolve()
    return path.is_relative_to(static_root())


def local_only_fetcher() -> Any:
    """A WeasyPrint URL fetcher that refuses every URL ``is_local`` refuses."""
    import weasyprint

    if hasattr(weasyprint, "URLFetcher"):

        class LocalOnlyFetcher(weasyprint.URLFetcher):
            def fetch(self, url: str, headers: Any = None) -> Any:
                if not is_local(url):
                    raise ValueError(f"Refused to fetch {url}: PDFs use local files only.")
                return super().fetch(url, headers)

        return LocalOnlyFetcher(allowed_protocols=("data", "file"))

    def fetch(url: str, *args: Any, **kwargs: Any) -> Any:  # WeasyPrint before 63 takes a function
        if not is_local(url):
            raise ValueError(f"Refused to fetch {url}: PDFs use local files only.")
        return weasyprint.default_url_fetcher(url, *args, **kwargs)

    return fetch


def html_to_pdf(html: str) -> bytes:
    """A PDF from HTML; relative URLs resolve inside the static folder, remote ones are refused."""
    import weasyprint

    return weasyprint.HTML(
        string=html, base_url=str(static_root()), url_fetcher=local_only_fetcher()
    ).write_pdf()


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """Render ``template`` with ``context`` and return it as a PDF."""
    return html_to_pdf(render_to_string(template, context))
