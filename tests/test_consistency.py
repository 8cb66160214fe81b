"""Project-wide consistency: no missing migration, no template left unused."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[1] / "maillage"
# Templates Django finds by convention, not by name in our code.
CONVENTIONAL = {"400.html", "403.html", "404.html", "500.html", "403_csrf.html"}


@pytest.mark.django_db
def test_no_missing_migration():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:
        pytest.fail(f"Des migrations manquent :\n{out.getvalue()} ({exc})")


def _templates():
    for folder in ROOT.rglob("templates"):
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix in {".html", ".txt"}:
                yield path.relative_to(folder).as_posix()


THEMES = ("ui/neutral/", "ui/dsfr/")


def _component(name: str) -> str | None:
    """« button » for « ui/neutral/button.html »: the themes' templates are found by component name
    (maillage.ui.themes.component_template)."""
    for prefix in THEMES:
        if name.startswith(prefix):
            return name[len(prefix) :].removesuffix(".html")
    return None


def test_every_template_is_used():
    sources = "\n".join(
        p.read_text(encoding="utf-8") for p in ROOT.rglob("*") if p.is_file() and p.suffix in {".py", ".html", ".txt"}
    )
    unused = [
        name
        for name in _templates()
        if name not in CONVENTIONAL
        and name not in sources
        and not (_component(name) and f'"{_component(name)}"' in sources)
    ]
    assert not unused, f"Gabarits inutilisés : {unused}"


def test_every_component_exists_in_both_themes():
    names = set(_templates())
    components = {_component(name) for name in names if _component(name) and not _component(name).startswith("_")}
    missing = [f"{prefix}{c}.html" for c in components for prefix in THEMES if f"{prefix}{c}.html" not in names]
    # The neutral theme's field templates are its own: the DSFR theme uses django-dsfr's.
    missing = [name for name in missing if not name.startswith("ui/dsfr/forms/") and "/_" not in name]
    assert not missing, f"Composants absents d'un thème : {missing}"
