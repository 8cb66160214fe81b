"""The accompanied first contact (issue 14, point 4) as its users live it: the partner's member, on a
phone, notes the appointment booked for the person (a past date refused first), the sender later finds
it « à confirmer » and says it did not happen, with the reason. axe on each page, both themes."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from maillage.core.enums import Role
from maillage.referrals.enums import ReferralStatus
from maillage.referrals.models import FirstContact
from tests.core.factories import MembershipFactory
from tests.e2e.axe import assert_accessible
from tests.referrals.factories import ReferralFactory

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]


def test_first_contact_noted_by_the_partner_then_confirmed_by_the_sender(page, context, login_as):
    referral = ReferralFactory(status=ReferralStatus.ACCEPTED)
    partner = MembershipFactory(organisation=referral.to_organisation, role=Role.PARTNER)
    agent = MembershipFactory(organisation=referral.from_organisation, role=Role.COORDINATOR)

    login_as(partner.user)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"/orientations/recues/{referral.pk}/")
    page.get_by_role("link", name="Noter le premier contact").click()
    assert_accessible(page, "Premier contact (partenaire, téléphone)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_text("Un rendez-vous a été pris pour la personne").click()
    yesterday = timezone.localtime() - datetime.timedelta(days=1)
    page.get_by_label("Date et heure du rendez-vous").fill(yesterday.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Qui accompagne la personne (facultatif)").fill("Sa fille")
    page.get_by_role("button", name="Enregistrer le premier contact").click()
    expect(page.get_by_text("Cette date est passée").first).to_be_visible()
    assert_accessible(page, "Premier contact : date passée refusée")
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    page.get_by_label("Date et heure du rendez-vous").fill(tomorrow.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Enregistrer le premier contact").click()
    expect(page.get_by_text("Premier contact enregistré.")).to_be_visible()

    # Two days later, the appointment has passed with no answer: « à confirmer » for the sender.
    FirstContact.objects.filter(referral=referral).update(appointment_at=timezone.now() - datetime.timedelta(hours=2))
    context.clear_cookies()
    login_as(agent.user)
    page.goto(f"/orientations/envoyees/{referral.pk}/")
    expect(page.get_by_text("À confirmer")).to_be_visible()
    assert_accessible(page, "Orientation envoyée : premier contact à confirmer")
    page.get_by_role("link", name="Noter le premier contact").click()
    page.get_by_text("N'a pas eu lieu", exact=True).click()
    page.get_by_label("S'il n'a pas eu lieu, pourquoi").fill("Elle était souffrante.")
    page.get_by_role("button", name="Enregistrer la suite").click()
    expect(page.get_by_text("Le premier contact n'a pas eu lieu : Elle était souffrante.").first).to_be_visible()
    expect(page.get_by_text("À confirmer")).to_have_count(0)
