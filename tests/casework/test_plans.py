import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from maillage.casework.models import CarePlan, CarePlanAction
from maillage.casework.services import plans as services
from maillage.casework.tasks import send_review_reminders
from maillage.core.enums import OrganisationKind, Role
from maillage.core.models import AuditLogEntry
from tests.casework.factories import CareTeamMemberFactory
from tests.casework.factories_assessments import CarePlanActionFactory, CarePlanFactory
from tests.conftest import run_task_worker
from tests.core.factories import OrganisationFactory
from tests.directory.factories import ServiceFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def coordinator(member_client):
    return member_client(role=Role.COORDINATOR)


def test_coordinator_writes_a_plan_with_two_partners_and_downloads_both_pdfs(coordinator):
    client, membership = coordinator
    organisation = membership.organisation
    person = PersonFactory(organisation=organisation, first_names="Jeanne", last_name="Roux")
    saad = OrganisationFactory(name="SAAD Les Tilleuls", kind=OrganisationKind.SAAD, phone="03 80 11 22 33")
    meals = ServiceFactory(name="Portage de repas de la commune")
    ServiceFactory(organisation=saad, name="Aide et accompagnement à domicile")  # in the public directory
    nurse = CareTeamMemberFactory(person=person, user=None, name="Claire Petit", role="Infirmière", phone="0611223344")

    response = client.post(
        reverse("casework:plan_create", args=[person.pk]),
        {
            "kind": "care_plan",
            "title": "Rester chez moi en sécurité",
            "wishes": "Rester dans ma maison.",
            "status": "active",
            "coordinator": membership.user.pk,
            "starts_on": "2026-03-01",
            "next_review_on": "2026-09-01",
            "agreed_on": "2026-03-01",
            "agreement_channel": "oral",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    plan = CarePlan.objects.get()
    client.post(reverse("casework:plan_goal_add", args=[person.pk, plan.pk]), {"description": "Bien manger"})
    goal = plan.goals.get()
    action_url = reverse("casework:plan_action_create", args=[person.pk, plan.pk])
    base = {"cost_period": "month", "status": "planned", "goal": goal.pk}
    ok = client.post(
        action_url,
        base
        | {
            "what": "Aide à domicile 6 h par semaine",
            "what_plain": "Une aide à domicile vient vous aider pour le ménage et les courses.",
            "provider_organisation": saad.pk,
            "starts_on": "2026-03-10",
            "frequency": "mardi et vendredi matin",
            "cost": "540.00",
            "funding": "apa",
        },
    )
    assert ok.status_code == 302, ok.content.decode()[:3000]
    client.post(
        action_url,
        base
        | {
            "what": "Portage de repas",
            "provider_service": meals.pk,
            "cost": "8.50",
            "cost_period": "once",
            "funding": "self",
        },
    )
    client.post(
        action_url, base | {"what": "Soins infirmiers", "provider_member": nurse.pk, "funding": "health_insurance"}
    )
    assert plan.actions.count() == 3

    # Two providers at once, or a paid action without funding: refused, in French, nothing saved.
    refused = client.post(
        action_url,
        base | {"what": "Double", "provider_organisation": saad.pk, "provider_name": "Sa fille", "funding": "none"},
    )
    assert "Indiquez un seul intervenant" in refused.content.decode()
    refused = client.post(
        action_url, base | {"what": "Payant", "provider_name": "Sa fille", "cost": "10", "funding": "none"}
    )
    assert "Une action payante indique son financement." in refused.content.decode()
    assert plan.actions.count() == 3

    detail = client.get(reverse("casework:plan_detail", args=[person.pk, plan.pk])).content.decode()
    assert "SAAD Les Tilleuls" in detail and "Portage de repas de la commune" in detail and "Claire Petit" in detail

    for_person = client.get(reverse("casework:plan_pdf", args=[person.pk, plan.pk, "personne"]))
    assert for_person["Content-Type"] == "application/pdf"
    assert for_person.content.startswith(b"%PDF-")
    text = pdf_text(for_person.content)
    assert "Votre plan d" in text and "Ce qui va se passer" in text and "Qui appeler" in text
    assert "Une aide à domicile vient vous aider" in text and "SAAD Les Tilleuls" in text
    assert "03 80 11 22 33" in text and "0611223344" in text
    assert "540" not in text  # no costs for the person

    for_pros = client.get(reverse("casework:plan_pdf", args=[person.pk, plan.pk, "professionnels"]))
    text = pdf_text(for_pros.content)
    assert "Aide à domicile 6 h par semaine" in text and "Portage de repas de la commune" in text
    assert "540,00 € par mois" in text and "APA" in text and "La personne elle-même" in text
    assert AuditLogEntry.objects.filter(changes_text="PDF du plan (professional)").exists()


def test_life_project_wording(coordinator):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    page = client.get(reverse("casework:plan_create", args=[person.pk]) + "?type=life_project").content.decode()
    assert "Le projet de vie de la personne" in page
    plan = CarePlanFactory(person=person, kind="life_project", coordinator=membership.user, wishes="Travailler")
    CarePlanActionFactory(plan=plan, what="Inscription au club de sport adapté", cost=None, funding="none")
    text = pdf_text(services.care_plan_pdf(plan, audience="person"))
    assert "Votre projet de vie" in text and "Votre projet" in text


def test_plan_review_sets_next_date(coordinator):
    client, membership = coordinator
    plan = CarePlanFactory(person=PersonFactory(organisation=membership.organisation), coordinator=membership.user)
    url = reverse("casework:plan_review", args=[plan.person.pk, plan.pk])
    today = timezone.localdate()
    client.post(
        url,
        {
            "held_on": today.isoformat(),
            "note": "Tout va bien",
            "next_review_on": (today + datetime.timedelta(days=90)).isoformat(),
        },
    )
    plan.refresh_from_db()
    assert plan.next_review_on == today + datetime.timedelta(days=90)
    assert plan.reviews.count() == 1


def test_review_reminders_task_emails_the_coordinator_once(coordinator, settings):
    _, membership = coordinator
    today = timezone.localdate()
    due = CarePlanFactory(
        person=PersonFactory(organisation=membership.organisation, first_names="Odette", last_name="Blanc"),
        coordinator=membership.user,
        next_review_on=today + datetime.timedelta(days=3),
    )
    CarePlanFactory(coordinator=membership.user, next_review_on=today + datetime.timedelta(days=60))
    CarePlanFactory(coordinator=membership.user, next_review_on=today, status="closed")

    send_review_reminders.enqueue()
    run_task_worker()  # runs the reminders task, which queues the e-mail
    run_task_worker()  # sends it
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [membership.user.email]
    assert "Odette B." in message.body and "Blanc" not in message.body
    assert f"/personnes/{due.person.pk}/plans/{due.pk}/" in message.body
    due.refresh_from_db()
    assert due.review_reminder_sent_for == due.next_review_on

    call_command("casework_reminders")
    run_task_worker()
    run_task_worker()
    assert len(mail.outbox) == 1  # already reminded for this date


def test_action_of_another_plan_is_not_found(coordinator):
    client, membership = coordinator
    plan = CarePlanFactory(person=PersonFactory(organisation=membership.organisation))
    other = CarePlanActionFactory()
    url = reverse("casework:plan_action_edit", args=[plan.person.pk, plan.pk, other.pk])
    assert client.get(url).status_code == 404
    assert CarePlanAction.objects.filter(pk=other.pk).exists()


# --- The printable plan: static stylesheet, no inline style (CSP style-src 'self') ----------------


@pytest.mark.parametrize(
    ("audience", "stylesheet"),
    [("personne", "casework/print/plan_person.css"), ("professionnels", "casework/print/plan_professional.css")],
)
def test_printable_plan_page_links_its_stylesheet_and_holds_no_inline_style(coordinator, audience, stylesheet):
    from django.contrib.staticfiles import finders
    from django.templatetags.static import static

    client, membership = coordinator
    plan = CarePlanFactory(person=PersonFactory(organisation=membership.organisation), coordinator=membership.user)
    CarePlanActionFactory(plan=plan, what="Portage de repas")
    url = reverse("casework:plan_pdf", args=[plan.person.pk, plan.pk, audience])
    detail = client.get(reverse("casework:plan_detail", args=[plan.person.pk, plan.pk])).content.decode()
    assert f'href="{url}?format=html"' in detail  # offered on the plan's page
    response = client.get(url, {"format": "html"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Portage de repas" in html
    assert "<style" not in html and "style=" not in html and "<script" not in html
    assert f'<link rel="stylesheet" href="{static(stylesheet)}">' in html
    assert finders.find(stylesheet)
    policy = response["Content-Security-Policy"]
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy


def _pdf_fonts_and_size(content: bytes):
    reader = PdfReader(io.BytesIO(content))
    page = reader.pages[0]
    fonts = {str(font.get_object()["/BaseFont"]).split("+")[-1] for font in page["/Resources"]["/Font"].values()}
    return fonts, (float(page.mediabox.width), float(page.mediabox.height))


def test_plan_pdfs_are_styled_by_their_static_stylesheets():
    plan = CarePlanFactory()
    CarePlanActionFactory(plan=plan, what="Portage de repas")
    fonts, (width, height) = _pdf_fonts_and_size(services.care_plan_pdf(plan, audience="person"))
    assert width < height  # A4 portrait (plan_person.css)
    assert {"Maillage-Print", "Maillage-Print-Bold"} <= fonts  # the theme's print fonts (ui/print/<theme>.css)
    fonts, (width, height) = _pdf_fonts_and_size(services.care_plan_pdf(plan, audience="professional"))
    assert width > height  # A4 landscape (plan_professional.css)
    assert "Maillage-Print" in fonts
