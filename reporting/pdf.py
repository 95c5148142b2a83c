"""Weekly report PDFs with WeasyPrint, without network access: only data: URLs and nothing else load."""

from __future__ import annotations

from dataclasses import dataclass

from weasyprint import HTML
from weasyprint.urls import URLFetcher


class NetworkRefused(ValueError):
    """A report asked for something outside itself while rendering."""


class LocalOnlyFetcher(URLFetcher):
    """Resolve inline data: URLs (logos, embedded images); refuse http, file and everything else."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)

    def fetch(self, url, headers=None):
        if not url.startswith("data:"):
            raise NetworkRefused(f"A report renders offline; it may not load {url[:80]}")
        return super().fetch(url, headers)


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int


def render_pdf(html: str) -> RenderedPdf:
    """The finished HTML as a PDF (page numbers and the table of contents come from its print CSS)."""
    document = HTML(string=html, url_fetcher=LocalOnlyFetcher(), base_url="about:blank").render()
    return RenderedPdf(document.write_pdf(), len(document.pages))
