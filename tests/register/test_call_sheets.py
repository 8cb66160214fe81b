"""Paper call sheets (PDF) and the fast re-entry of their outcomes by the register manager."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from maillage.core.models import AuditLogEntry
from maillage.register.enums import CallStatus, Outcome
from maillage.register.models import CallAttempt
from tests.conftest import login_verified
from tests.people.factories import RelationFactory
from tests.register.campaign_factories import manager_of, open_campaign, volunteer_of

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(content))
    return len(reader.pages), " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def world():
    manager = manager_of()
    volunteer = volunteer_of(manager.organisation)
    campaign = open_campaign(manager.user, [volunteer.user], persons=3)
    return manager, volunteer, campaign


def test_caller_sheets_hold_the_minimal_data_and_boxes_one_page_per_call(world):
    manager, volunteer, campaign = world
    call = campaign.calls.order_by("pk").first()
    RelationFactory(person=call.person, kind="legal_representative", first_name="Tuteur", last_name="Légal")
    client = login_verified(Client(), manager.user)
    response = client.get(reverse("campaigns:sheets_pdf", args=[campaign.pk, volunteer.user.pk]))
    assert response["Content-Type"] == "application/pdf"
    pages, text = pdf_text(response.content)
    assert pages >= 4  # the guide, then one page per call
    assert call.person.last_name.upper() in text and "Représentant légal" in text
    assert "Pas de réponse" in text and "Se nourrir" in text and "Danger immédiat" in text
    assert call.person.birth_date.strftime("%d/%m/%Y") not in text  # the age, not the birth date
    line = AuditLogEntry.objects.filter(changes_text__startswith="Fiches d'appel imprimées").get()
    assert "3 fiches" in line.changes_text and call.person.last_name not in line.changes_text


def test_compact_table_of_the_unassigned_calls(world):
    manager, _, _ = world
    campaign = open_campaign(manager.user, [], persons=2, title="Sans appelant")
    client = login_verified(Client(), manager.user)
    response = client.get(
        reverse("campaigns:sheets_pdf", args=[campaign.pk, "sans-appelant"]), {"presentation": "tableau"}
    )
    pages, text = pdf_text(response.content)
    # The campaign calls every active entry: the 3 of the first campaign and the 2 new ones.
    assert pages == 1 and "Sans appelant : appels sans appelant (5)" in text


def test_sheets_are_refused_to_the_volunteer_and_to_another_caller_id(world):
    manager, volunteer, campaign = world
    assert (
        login_verified(Client(), volunteer.user)
        .get(reverse("campaigns:sheets_pdf", args=[campaign.pk, volunteer.user.pk]))
        .status_code
        == 404
    )
    stranger = volunteer_of(manager_of().organisation)
    assert (
        login_verified(Client(), manager.user)
        .get(reverse("campaigns:sheets_pdf", args=[campaign.pk, stranger.user.pk]))
        .status_code
        == 404
    )


def _row(call, outcome="", needs=(), version=None):
    prefix = f"appel-{call.pk}"
    data = {f"{prefix}-outcome": outcome, f"{prefix}-version": version or call.version}
    if needs:
        data[f"{prefix}-needs"] = list(needs)
    return data


def test_reentry_saves_every_filled_row_in_the_callers_name(world):
    manager, volunteer, campaign = world
    first, second, third = campaign.calls.order_by("entry__priority", "due_at", "pk")
    client = login_verified(Client(), manager.user)
    url = reverse("campaigns:reentry", args=[campaign.pk, volunteer.user.pk])
    assert first.person.full_name in client.get(url).content.decode()
    data = {**_row(first, Outcome.REACHED_FINE), **_row(second, Outcome.NEEDS_FOUND, ["se-nourrir"]), **_row(third)}
    response = client.post(url, data)
    assert response.status_code == 302
    assert "2 issues enregistrées" in client.get(response["Location"]).content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.outcome == Outcome.REACHED_FINE and first.outcome_by == volunteer.user
    assert second.needs == ["se-nourrir"]
    assert campaign.calls.get(pk=third.pk).status == CallStatus.ASSIGNED


def test_reentry_with_a_wrong_row_saves_nothing_and_names_the_row(world):
    manager, volunteer, campaign = world
    first, second, third = campaign.calls.order_by("entry__priority", "due_at", "pk")
    client = login_verified(Client(), manager.user)
    url = reverse("campaigns:reentry", args=[campaign.pk, volunteer.user.pk])
    data = {**_row(first, Outcome.REACHED_FINE), **_row(second, Outcome.NEEDS_FOUND), **_row(third)}
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "est enregistré : corrigez ces lignes" in page and f"Ligne 2 ({second.person.full_name})" in page
    assert "Cochez au moins un des besoins repérés" in page
    assert not CallAttempt.objects.exists()
    # What was typed stays: the first row's outcome is still selected.
    assert '<option value="reached_fine" selected>' in page


def test_reentry_is_the_register_managers_only(world):
    manager, volunteer, campaign = world
    url = reverse("campaigns:reentry", args=[campaign.pk, volunteer.user.pk])
    assert login_verified(Client(), volunteer.user).get(url).status_code == 404
    assert login_verified(Client(), manager_of().user).get(url).status_code == 404
