"""The benchmarks still run (a refactoring once broke an import of bench/directory_search.py unseen):
each runs at a small size on its own SQLite database (whatever database the suite runs on) and prints
its figures. Timing is never checked."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

BENCHES = [
    ("directory_search.py", ["--n", "300", "--queries", "4"], ["équipe, fragment htmx", "plancher SQL", "p95"]),
    ("directory_import.py", ["--n", "300", "--reimport"], ["services/s", "plancher", "mise à jour"]),
    (
        "people_search.py",
        ["--persons", "300", "--organisations", "3", "--queries", "4", "--events-per-person", "2"],
        ["p95"],
    ),
    (
        "register.py",
        ["--persons", "300", "--callers", "12", "--clients", "4", "--per-client", "3", "--talk", "0", "0.05"],
        [
            "Répartition : 300 appels",
            "répartition d'une campagne",
            "next-call",
            "tableau de bord",
            "plancher SQL",
            # What the timed pages found (the script also asserts it): the API gave 3 sheets, each
            # logged; the dashboard counted every call of the crisis's two campaigns, 43 done (4 callers
            # × 3 calls × 2 campaigns, the API's 3, and 4 callers × 4 calls at the pace of calls), the 30
            # made unreachable and their alerts.
            "next-call au rythme des appels : 4 appelants, un appel de 0 à 0 s chacun, 16 appels donnés",
            "API : 3 fiches données, chacune avec son adresse et son téléphone, 3 lignes au journal",
            re.compile(r"Tableau de bord : 3\d\d appels, 43 faits, 30 alertes, \d+ communes, 13 lignes d'appelants"),
        ],
    ),
    (
        "referrals.py",
        ["--referrals", "600", "--partners", "20", "--persons", "150", "--person-referrals", "15", "--requests", "3"],
        [
            "boîte de réception, par défaut, à traiter (p95)",
            "chronologie, orientations (p95)",
            "chronologie complète, page (p95)",
            "plancher SQL",
            # What the timed pages found (the script also asserts it): each inbox tab counts what the
            # generator addressed to the busiest partner and lists as many rows (50 at most, a page),
            # naming the persons of the open ones only; the much-oriented person's timeline shows the
            # 50 newest steps and first-contact notes of their referrals.
            re.compile(
                r"Boîte « a-traiter » : (\d+) orientations \(attendu \1\), (?:\1|50) lignes affichées, "
                r"(?:\1|50) personnes"
            ),
            re.compile(
                r"Boîte « en-retard » : (\d+) orientations \(attendu \1\), (?:\1|50) lignes affichées, "
                r"(?:\1|50) personnes"
            ),
            re.compile(
                r"Boîte « terminees » : ([1-9]\d+) orientations \(attendu \1\), (?:\1|50) lignes affichées, 0 person"
            ),
            re.compile(r"Personne la plus orientée : (1[5-9]|[2-9]\d) orientations, \d+ étapes"),
            "Chronologie : 50 événements d'orientation affichés, les plus récents",
            re.compile(r"Orientation envoyée : [3-9] étapes dans son historique"),
        ],
    ),
    (
        "referral_figures.py",
        ["--referrals", "2000", "--partners", "20", "--senders", "5", "--runs", "2"],
        ["Orientations : 2000", "Chiffres des orientations envoyées", "plancher", "p95"],
    ),
]


@pytest.mark.parametrize(("script", "arguments", "printed"), BENCHES, ids=[b[0] for b in BENCHES])
def test_the_benchmark_runs_and_prints_its_figures(tmp_path, script, arguments, printed):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'banc.sqlite3'}", "TMPDIR": str(tmp_path)}
    done = subprocess.run(  # noqa: S603 — our own script, fixed arguments
        [sys.executable, str(ROOT / "bench" / script), *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for words in printed:
        if isinstance(words, re.Pattern):
            assert words.search(done.stdout), done.stdout[-3000:]
        else:
            assert words in done.stdout, done.stdout[-3000:]
