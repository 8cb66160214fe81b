"""The right of access, as a coordinator does it for a person at the desk: open the file, download
« Droit d'accès (PDF) », and what the person gets reads as French — the answers of a signed
screening in words, the trail as sentences naming who opened the file, no code. axe on the file page
(desktop and 375 px); the PDF's pages are rendered to images to look at."""

import datetime
import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from maillage.casework.fragility import DEFAULT_GRID
from maillage.casework.models import AssessmentKind
from maillage.casework.services import assessments as assessment_services
from maillage.core.enums import Role
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.e2e.axe import assert_accessible
from tests.people.factories import PersonFactory
from tests.people.test_right_of_access_pdf import visible_problems

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]


def test_coordinator_downloads_the_right_of_access_pdf_written_for_the_person(page, login_as, theme, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext est absent : installez le paquet Debian « poppler-utils ».")
    ccas = OrganisationFactory(name="CCAS de Rennes")
    coordinator = MembershipFactory(
        role=Role.COORDINATOR, organisation=ccas, user__first_name="Camille", user__last_name="Martin"
    )
    person = PersonFactory(organisation=ccas, first_names="Émile", last_name="Roux")
    answers = {q.key: q.options[0].key for q in DEFAULT_GRID.questions} | {"mode": "phone"}
    version = assessment_services.assessment_create(
        actor=coordinator.user,
        organisation=ccas,
        person=person,
        kind=AssessmentKind.FRAGILITY,
        answers=answers,
        assessed_on=datetime.date(2026, 11, 20),
    )
    assessment_services.assessment_sign(actor=coordinator.user, organisation=ccas, version=version)
    login_as(coordinator.user)

    page.goto(f"/personnes/{person.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Émile ROUX")
    assert_accessible(page, "Fiche de la personne")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Droit d'accès (PDF)").click()
    path = download_info.value.path()
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    flat = " ".join(text.replace("\u00a0", " ").split())
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(tmp_path / f"droit-acces-{theme}")], check=True)

    assert "Vos données : Émile ROUX" in flat
    assert "par le CCAS de Rennes, au titre de votre droit d'accès" in flat
    assert "Repérage de la fragilité" in flat and "Grille du guide VISA (version en vigueur)" in flat
    assert "Par téléphone" in flat
    assert re.search(
        r"Consultation par Camille Martin \(CCAS de Rennes\) le \d{1,2}(er)? \w+ 20\d\d à \d{1,2} h \d\d : "
        r"fiche de la personne, au titre de la structure responsable du dossier\.",
        flat,
    ), flat
    assert not visible_problems(flat), visible_problems(flat)
