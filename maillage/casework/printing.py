"""Printable documents: HTML whose styles are static files, turned into PDF by WeasyPrint.

The same HTML serves the browser (printable page, under the content security policy: no inline
`<style>`, stylesheets linked with `{% static %}`) and the PDF. WeasyPrint resolves the page's links
against PRINT_BASE_URL, a reserved address that never resolves (RFC 2606 « .invalid »), and
the fetcher answers those under STATIC_URL from the static files on disk and refuses every
other address: no network request, no file outside the static files, whatever the document holds.
"""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urljoin

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation

PRINT_BASE_URL = "https://impression.maillage.invalid/"


def static_file_path(name: str) -> str | None:
    """The file on disk of the static file `name`: collected (production, hashed names) or found in
    the apps (development, tests)."""
    try:
        if staticfiles_storage.exists(name):
            return staticfiles_storage.path(name)
        return finders.find(name)
    except SuspiciousFileOperation:  # « ../ » out of the static folders: refused, not found
        return None
    except ValueError:  # a decoded NUL byte (« %00 ») in the name: no such file
        return None


def static_file_for(url: str) -> tuple[str, str]:
    """(file on disk, content type) of a print link under STATIC_URL; ValueError for any other."""
    prefix = urljoin(PRINT_BASE_URL, settings.STATIC_URL)
    if not url.startswith(prefix):
        raise ValueError(f"Ressource refusée : {url}")
    name = unquote(url[len(prefix) :].split("?", 1)[0].split("#", 1)[0])
    path = static_file_path(name)
    if path is None:
        raise ValueError(f"Fichier statique introuvable : {name}")
    return path, mimetypes.guess_type(name)[0] or "application/octet-stream"


def static_files_fetcher():
    """A WeasyPrint fetcher that reads only static files (stylesheets, fonts, images). WeasyPrint is
    imported here, when a PDF is made, not when Django starts."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            path, content_type = static_file_for(url)
            # The response keeps the link's address, so that the stylesheet's relative links (fonts)
            # resolve under STATIC_URL too.
            return URLFetcherResponse(url, body=Path(path).read_bytes(), headers={"Content-Type": content_type})

    return StaticFilesOnly()


def html_to_pdf(html: str) -> bytes:
    """A PDF of `html`, its static stylesheets, fonts and images included, nothing else fetched."""
    from weasyprint import HTML

    return HTML(string=html, base_url=PRINT_BASE_URL, url_fetcher=static_files_fetcher()).write_pdf()
