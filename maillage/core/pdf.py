"""PDF documents: HTML turned into PDF by WeasyPrint, which may read the static files and nothing else.

Every PDF the project makes goes through `html_to_pdf`. WeasyPrint resolves the document's links
against PRINT_BASE_URL, a reserved address that never resolves (RFC 2606 « .invalid »), and its one
fetcher answers the addresses under STATIC_URL from the static files on disk (stylesheets, fonts,
images; a stylesheet's relative links resolve there too) and refuses every other address:
- no network request: http(s) to any host, ftp, … (the print address itself is never contacted);
- no file outside the static files: file:// addresses, « ../ » (already folded by WeasyPrint when it
  joins a link, or written raw / as « %2E%2E » in the address), an absolute name, a NUL byte (« %00 »);
- data: addresses too. WeasyPrint does not need them: its own stylesheets are built in, not fetched,
  and no template of the project embeds one. One rule, « a static file or nothing », is easier to
  check than a list of exceptions.

A refused or missing resource is reported by WeasyPrint as a warning and left out of the document (a
missing font falls back to the next family), as for any broken link; the rendering goes on.
"""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urljoin

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.templatetags.static import static

PRINT_BASE_URL = "https://impression.maillage.invalid/"


def static_print_url(name: str) -> str:
    """The absolute address, in a PDF document, of the static file `name` (hashed name in production),
    for a document that links a static file without `{% static %}` relative to the base address."""
    return urljoin(PRINT_BASE_URL, static(name))


def static_file_path(name: str) -> str | None:
    """The file on disk of the static file `name`: collected (production, hashed names) or found in
    the apps (development, tests); None when there is none, or when `name` leads out of the static
    folders (« ../ », absolute name) or holds a NUL byte."""
    try:
        if staticfiles_storage.exists(name):
            return staticfiles_storage.path(name)
        return finders.find(name)
    except SuspiciousFileOperation:  # « ../ » or an absolute name out of the static folders
        return None
    except ValueError:  # a decoded NUL byte (« %00 ») in the name: no such file
        return None


def static_file_for(url: str) -> tuple[str, str]:
    """(file on disk, content type) of a print address under STATIC_URL; ValueError for any other
    address, and for a static name that is no file."""
    prefix = urljoin(PRINT_BASE_URL, settings.STATIC_URL)
    if not url.startswith(prefix):
        raise ValueError(f"Ressource refusée : {url}")
    name = unquote(url[len(prefix) :].split("?", 1)[0].split("#", 1)[0])
    path = static_file_path(name)
    if path is None:
        raise ValueError(f"Fichier statique introuvable : {name}")
    return path, mimetypes.guess_type(name)[0] or "application/octet-stream"


def static_files_fetcher():
    """The WeasyPrint fetcher that reads only static files (see the module's docstring). WeasyPrint is
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
    """A PDF of `html`, its static stylesheets, fonts and images included, nothing else fetched.
    Links are relative to PRINT_BASE_URL: `{% static %}` addresses (« /static/… ») work as they are.
    The theme's print-font sheet comes first (maillage.ui.themes.print_fonts_stylesheet): the
    print stylesheets name its « Maillage Print » family, Marianne only for a State service."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from maillage.ui import themes

    fetcher = static_files_fetcher()
    fonts = FontConfiguration()
    theme_fonts = CSS(url=static_print_url(themes.print_fonts_stylesheet()), url_fetcher=fetcher, font_config=fonts)
    document = HTML(string=html, base_url=PRINT_BASE_URL, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[theme_fonts], font_config=fonts)
