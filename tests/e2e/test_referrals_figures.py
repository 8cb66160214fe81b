"""The referrals' figures (issue 14, point 6) as a director finds them: from the dashboard to the page,
on a phone, a period refused then chosen, the tables audited with axe, both themes."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from maillage.core.enums import Role
from maillage.referrals.enums import ReferralOutcome, ReferralStatus
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.directory.factories import ServiceFactory
from tests.e2e.axe import assert_accessible
from tests.referrals.factories import ReferralFactory

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]


def test_director_reads_the_figures_of_the_year_on_a_phone(page, login_as):
    ccas = OrganisationFactory(name="CCAS témoin")
    clic = ServiceFactory(organisation=OrganisationFactory(name="CLIC du Pays témoin"), name="Information seniors")
    now = timezone.now()
    start = now - datetime.timedelta(days=3) if now.month > 1 or now.day > 4 else now
    for days in (1, 2, 10):
        ReferralFactory(
            from_organisation=ccas,
            to_service=clic,
            needs=["se-nourrir", "parler-avec-autrui"],
            sent_at=start,
            received_at=start + datetime.timedelta(hours=3),
            answered_at=start + datetime.timedelta(days=days),
            status=ReferralStatus.CLOSED,
            outcome=ReferralOutcome.NEED_MET,
            ended_at=start + datetime.timedelta(days=days + 1),
        )
    ReferralFactory(from_organisation=clic.organisation, to_service=ServiceFactory(organisation=ccas), sent_at=now)
    director = MembershipFactory(organisation=ccas, role=Role.DIRECTOR)

    login_as(director.user)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/tableau-de-bord/")
    page.get_by_role("link", name="Voir les chiffres des orientations").click()
    expect(page.get_by_role("heading", name="Chiffres des orientations", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Délais de réponse des partenaires")).to_be_visible()
    expect(page.get_by_role("table", name="Orientations envoyées : Par partenaire")).to_contain_text(
        "CLIC du Pays témoin"
    )
    assert_accessible(page, "Chiffres des orientations (téléphone)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.get_by_label("Du").fill("2026-05-01")
    page.get_by_label("Au").fill("2026-04-01")
    page.get_by_role("button", name="Afficher").click()
    expect(
        page.get_by_text("Date de fin : elle doit être le jour de la date de début ou après.").first
    ).to_be_visible()
    assert_accessible(page, "Chiffres des orientations : période refusée")

    page.get_by_label("Du").fill("")
    page.get_by_label("Au").fill("")
    page.get_by_label("Année", exact=True).select_option(str(timezone.localdate().year - 1))
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_text("Aucune orientation envoyée pendant cette période.")).to_be_visible()
