"""The content security policy (script-src and style-src 'self') refuses inline scripts and styles:
no casework or people template holds one (house style: no inline style or script)."""

import re
from pathlib import Path

import pytest

MAILLAGE = Path(__file__).resolve().parents[2] / "maillage"
FOLDERS = [MAILLAGE / "casework" / "templates", MAILLAGE / "people" / "templates"]

# Templates never served to a browser, only turned into PDF by WeasyPrint (which the policy does not
# govern), with the reason.
PDF_ONLY = {
    # people.exports.person_pdf renders it with HTML(string=…), without a base URL to resolve a
    # static stylesheet; it moves to a stylesheet with core.pdf.html_to_pdf.
    "people/export.html",
}

INLINE = [
    (re.compile(r"<style[\s>]", re.I), "bloc <style>"),
    (re.compile(r"\sstyle\s*=", re.I), "attribut style="),
    (re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I), "script en ligne"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "gestionnaire d'événement en ligne (onclick=…)"),
    (re.compile(r"javascript:", re.I), "lien javascript:"),
]


def _templates():
    for folder in FOLDERS:
        for path in sorted(folder.rglob("*.html")):
            yield path.relative_to(folder).as_posix(), path


@pytest.mark.parametrize(("name", "path"), list(_templates()), ids=lambda v: v if isinstance(v, str) else "")
def test_template_has_no_inline_style_or_script(name, path):
    if name in PDF_ONLY:
        pytest.skip("gabarit PDF seulement, jamais servi au navigateur")
    text = path.read_text(encoding="utf-8")
    found = [label for pattern, label in INLINE if pattern.search(text)]
    assert not found, f"{name} : {', '.join(found)} — refusé par la politique de sécurité du contenu"


def test_the_scan_sees_the_plan_templates():
    names = {name for name, _ in _templates()}
    assert {"casework/pdf/plan_person.html", "casework/pdf/plan_professional.html"} <= names
