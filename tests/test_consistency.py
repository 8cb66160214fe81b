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


def test_every_template_is_used():
    sources = "\n".join(
        p.read_text(encoding="utf-8") for p in ROOT.rglob("*") if p.is_file() and p.suffix in {".py", ".html", ".txt"}
    )
    unused = [name for name in _templates() if name not in CONVENTIONAL and name not in sources]
    assert not unused, f"Gabarits inutilisés : {unused}"
