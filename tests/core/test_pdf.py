"""The one PDF renderer (maillage.core.pdf): WeasyPrint reads the static files and nothing else."""

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.request import urlopen

import pytest
from django.contrib.staticfiles import finders
from pypdf import PdfReader

from maillage.casework.services import plans as plan_services
from maillage.core.pdf import PRINT_BASE_URL, html_to_pdf, static_files_fetcher
from maillage.directory.selection import Selection, ServiceSheet, selection_pdf
from tests.casework.factories_assessments import CarePlanActionFactory, CarePlanFactory

STATIC_ROOT_URL = PRINT_BASE_URL + "static/"
LANDSCAPE = "@page { size: A4 landscape; }"


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


def pdf_fonts(content: bytes) -> set[str]:
    fonts = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return fonts


def font_programs(content: bytes) -> list[bytes]:
    """The embedded font files (their glyphs), whatever the family name the stylesheet gave them."""
    programs = []
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if "/FontDescriptor" not in font:
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font["/FontDescriptor"].get_object()
            for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                if key in descriptor:
                    programs.append(descriptor[key].get_object().get_data())
    return programs


def uses_marianne(content: bytes) -> bool:
    return any(b"Marianne" in program for program in font_programs(content)) or any(
        "Marianne" in name for name in pdf_fonts(content)
    )


def is_landscape(content: bytes) -> bool:
    box = PdfReader(io.BytesIO(content)).pages[0].mediabox
    return float(box.width) > float(box.height)


def page_linking(href: str) -> str:
    head = f'<head><link rel="stylesheet" href="{href}"></head>'
    return f'<!DOCTYPE html><html lang="fr">{head}<body><p>Texte</p></body></html>'


# --- The fetcher, address by address ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("casework/print/plan_person.css", "text/css"), ("dsfr/dist/fonts/Marianne-Regular.woff2", "font/woff2")],
)
def test_fetcher_serves_a_static_stylesheet_or_font_from_disk(name, content_type):
    response = static_files_fetcher().fetch(STATIC_ROOT_URL + name + "?v=1")
    assert response.read() == Path(finders.find(name)).read_bytes()
    assert response.content_type == content_type
    assert response.url.startswith(STATIC_ROOT_URL + name)  # its relative links resolve under STATIC_URL


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/pixel.png",  # another host
        "http://127.0.0.1:8000/static/core/maillage.css",  # another host, even with a static path
        "https://impression.maillage.invalid.example.org/static/core/maillage.css",  # a look-alike host
        PRINT_BASE_URL + "admin/",  # the print host, out of STATIC_URL
        "file:///etc/passwd",
        "data:text/css,body{color:red}",
        "ftp://example.org/a.css",
        STATIC_ROOT_URL + "../settings.py",  # traversal, written raw
        STATIC_ROOT_URL + "core/../../models.py",  # maillage/core/models.py exists
        STATIC_ROOT_URL + "core/%2E%2E/%2E%2E/models.py",  # the same, encoded
        STATIC_ROOT_URL + "%2Fetc%2Fpasswd",  # an absolute name
        STATIC_ROOT_URL + "core/maillage.css%00.png",  # a NUL byte
        STATIC_ROOT_URL + "nothing/here.css",
    ],
)
def test_fetcher_refuses_every_other_address(url):
    with pytest.raises(ValueError):
        static_files_fetcher().fetch(url)


# --- The same, through a whole rendering ------------------------------------------------------------


@pytest.fixture
def static_dir(settings, tmp_path):
    """A static folder holding print/landscape.css, and a landscape.css beside it, out of it."""
    static = tmp_path / "static"
    (static / "print").mkdir(parents=True)
    (static / "print" / "landscape.css").write_text(LANDSCAPE)
    (tmp_path / "landscape.css").write_text(LANDSCAPE)
    settings.STATICFILES_DIRS = [static]
    return tmp_path


@pytest.fixture
def outside_server():
    """An HTTP server on 127.0.0.1 that answers a landscape stylesheet and counts the requests."""
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            body = LANDSCAPE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/", requests
    server.shutdown()
    server.server_close()


def test_a_static_stylesheet_linked_as_static_does_is_applied(static_dir):
    assert is_landscape(html_to_pdf(page_linking("/static/print/landscape.css")))


def test_a_stylesheet_from_another_host_is_never_requested(static_dir, outside_server):
    base, requests = outside_server
    for href in (base + "landscape.css", base + "static/print/landscape.css"):
        assert not is_landscape(html_to_pdf(page_linking(href)))
    assert requests == []
    # The server does answer: had the fetcher asked, the page would have turned.
    with urlopen(base + "landscape.css") as answer:  # noqa: S310 (local test server)
        assert answer.read() == LANDSCAPE.encode()


@pytest.mark.parametrize(
    "href",
    [
        "/static/../landscape.css",  # WeasyPrint folds it to /landscape.css: out of STATIC_URL
        "/static/%2E%2E/landscape.css",  # not folded: the name leads out of the static folder
        "/static/print/landscape.css%00.png",
        "data:text/css,@page%20%7B%20size%3A%20A4%20landscape%3B%20%7D",
    ],
)
def test_traversal_nul_byte_and_data_links_are_refused(static_dir, href):
    assert not is_landscape(html_to_pdf(page_linking(href)))


def test_file_links_are_refused_even_to_a_static_file(static_dir):
    for path in (static_dir / "landscape.css", static_dir / "static" / "print" / "landscape.css"):
        assert not is_landscape(html_to_pdf(page_linking(path.as_uri())))
        with pytest.raises(ValueError):
            static_files_fetcher().fetch(path.as_uri())


# --- The project's PDFs -----------------------------------------------------------------------------


def _state_service(settings):
    settings.MAILLAGE_THEME = "dsfr"
    settings.MAILLAGE_STATE_SERVICE = "Ministère des Solidarités"


@pytest.mark.django_db
@pytest.mark.parametrize("theme", ["neutral", "dsfr"])
def test_care_plan_pdfs_render_with_their_stylesheets_and_the_theme_fonts(settings, theme):
    if theme == "dsfr":
        _state_service(settings)
    plan = CarePlanFactory()
    CarePlanActionFactory(plan=plan, what="Portage de repas")
    for_person = plan_services.care_plan_pdf(plan, audience="person")
    assert "Portage de repas" in pdf_text(for_person)
    assert not is_landscape(for_person)  # plan_person.css
    # The theme's print family (ui/print/<theme>.css): Atkinson Hyperlegible, Marianne only for the State.
    assert {"Maillage-Print", "Maillage-Print-Bold"} <= pdf_fonts(for_person)
    assert uses_marianne(for_person) is (theme == "dsfr")
    for_professionals = plan_services.care_plan_pdf(plan, audience="professional")
    assert "Portage de repas" in pdf_text(for_professionals)
    assert is_landscape(for_professionals)  # plan_professional.css
    assert "Maillage-Print" in pdf_fonts(for_professionals)
    assert uses_marianne(for_professionals) is (theme == "dsfr")


@pytest.mark.parametrize("theme", ["neutral", "dsfr"])
def test_selection_pdf_renders_with_the_theme_fonts(settings, theme):
    if theme == "dsfr":
        _state_service(settings)
    sheet = ServiceSheet(
        pk=1,
        name="Portage de repas à domicile",
        organisation="CCAS de Dijon",
        description="Des repas livrés chez vous.",
        addresses=["1 rue de la Liberté, 21000 Dijon"],
        phones=["03 80 11 22 33"],
        email="",
        url="",
        hours=[],
        closures=[],
        access="",
        accessibility=[],
        fees="Selon les ressources",
        eligibility="",
        link="https://exemple.fr/services/1",
        is_draft=False,
    )
    content = selection_pdf(Selection(sheets=[sheet], criteria=[], chosen=True, total=1), site_name="Maillage")
    text = pdf_text(content)
    assert "Portage de repas à domicile" in text and "03 80 11 22 33" in text and "1 service choisi" in text
    if theme == "dsfr":
        assert uses_marianne(content)  # the template's own @font-face, Marianne's file
    else:
        assert {"Maillage-Print", "Maillage-Print-Bold"} <= pdf_fonts(content)
        assert not uses_marianne(content)
