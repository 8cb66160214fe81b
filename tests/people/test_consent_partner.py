"""The partner of a consent to share is chosen from a search list (issue 11, point 5): searched by
name, SIRET or commune, through the person's grant; the form posts the organisation's number, and
says in French what is wrong when nothing (or something forged) is chosen."""

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.core.enums import OrganisationKind, Role
from maillage.core.selectors import organisation_search
from maillage.people.models import Consent
from tests.conftest import login_verified
from tests.core.factories import CommuneFactory, MembershipFactory, OrganisationFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client):
    membership = MembershipFactory(role=Role.COORDINATOR, organisation__name="CCAS de Vitré")
    login_verified(client, membership.user)
    return client, membership


@pytest.fixture
def partners():
    rennes = CommuneFactory(code="35238", name="Rennes")
    fougeres = CommuneFactory(code="35115", name="Fougères")
    return {
        "ssiad": OrganisationFactory(
            name="SSIAD Rennes Métropole", kind=OrganisationKind.SSIAD, commune=rennes, siret="12345678900017"
        ),
        "clic": OrganisationFactory(name="CLIC du Pays de Fougères", kind=OrganisationKind.CLIC, commune=fougeres),
        "asso": OrganisationFactory(name="Association Aide à domicile", commune=fougeres),
        "closed": OrganisationFactory(name="SSIAD fermé", is_active=False, commune=rennes),
    }


def _sharing(**extra):
    return {
        "scope": "sharing",
        "given_by": "person",
        "channel": "oral",
        "given_on": timezone.localdate().isoformat(),
        **extra,
    }


def test_organisation_search_by_name_siret_and_commune_ignoring_case_and_accents(partners):
    assert organisation_search("ssiad") == [partners["ssiad"]]  # the closed one is never proposed
    assert organisation_search("fougeres") == [partners["clic"], partners["asso"]]  # name first, then commune
    assert organisation_search("123 456 789") == [partners["ssiad"]]  # SIREN typed with spaces
    assert organisation_search("12345678900017") == [partners["ssiad"]]
    assert organisation_search("aide fouger") == [partners["asso"]]  # every word, a start of word each
    assert organisation_search("clic rennes") == []
    assert organisation_search("   ") == []
    assert organisation_search("ssiad", exclude_pks=[partners["ssiad"].pk]) == []


def test_the_live_search_lists_organisations_to_choose_from(coordinator, partners):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    url = reverse("people:consent_partners", args=[person.pk])
    fragment = client.get(url, {"partner_q": "Fougères"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'name="partner"' in fragment and f'value="{partners["clic"].pk}"' in fragment
    assert "CLIC du Pays de Fougères" in fragment and "Association Aide à domicile" in fragment
    assert "SSIAD" not in fragment
    # The one already chosen stays first and ticked when the words change.
    chosen = client.get(
        url, {"partner_q": "ssiad", "partner": partners["clic"].pk}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert chosen.index("CLIC du Pays") < chosen.index("SSIAD Rennes")
    assert f'value="{partners["clic"].pk}" form="form-consentement" checked' in chosen
    nothing = client.get(url, {"partner_q": "xyzzy"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Aucune structure ne correspond à « xyzzy »" in nothing
    # The page itself includes the same fragment (one source).
    page = client.get(url, {"partner_q": "Fougères"}).content.decode()
    assert "<h1>Enregistrer un consentement</h1>" in page and fragment.strip() in page


def test_the_consent_names_the_partner_chosen_from_the_list(coordinator, partners):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    response = client.post(reverse("people:consent_create", args=[person.pk]), _sharing(partner=partners["clic"].pk))
    assert response.status_code == 302
    consent = Consent.objects.get(person=person)
    assert consent.partner == partners["clic"] and consent.scope == "sharing"


def test_without_javascript_the_search_button_searches_and_keeps_what_was_typed(coordinator, partners):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    response = client.post(
        reverse("people:consent_create", args=[person.pk]),
        _sharing(partner_q="SSIAD", chercher="1", note="Accord donné devant sa fille"),
    )
    page = response.content.decode()
    assert response.status_code == 200 and not Consent.objects.exists()
    assert "SSIAD Rennes Métropole" in page and f'value="{partners["ssiad"].pk}"' in page
    assert 'value="Accord donné devant sa fille"' in page  # nothing typed is lost
    assert "Le formulaire contient" not in page  # searching is not an error


def test_a_sharing_consent_without_a_partner_is_refused_in_french(coordinator, partners):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    response = client.post(reverse("people:consent_create", args=[person.pk]), _sharing(note="À garder"))
    page = response.content.decode()
    assert "Cherchez la structure par son nom, son SIRET ou sa commune, puis choisissez-la dans la liste" in page
    assert 'href="#id_partner"' in page  # the error summary leads to the search box
    assert 'value="À garder"' in page
    assert not Consent.objects.exists()


@pytest.mark.parametrize("forged", ["closed", "own", "12abc", "99999999"])
def test_a_forged_partner_is_refused(coordinator, partners, forged):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    value = {"closed": partners["closed"].pk, "own": membership.organisation.pk}.get(forged, forged)
    response = client.post(reverse("people:consent_create", args=[person.pk]), _sharing(partner=value))
    assert response.status_code == 200
    assert "Cette structure n&#x27;existe pas ou n&#x27;est plus active" in response.content.decode()
    assert not Consent.objects.exists()


def test_a_partner_is_refused_on_another_kind_of_consent(coordinator, partners):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    data = {**_sharing(partner=partners["clic"].pk), "scope": "register"}
    response = client.post(reverse("people:consent_create", args=[person.pk]), data)
    assert "Seul un consentement au partage nomme un partenaire" in response.content.decode()
    assert not Consent.objects.exists()


@pytest.mark.parametrize("who", ["other-organisation", "ended-membership", "volunteer", "no-second-factor"])
def test_the_partner_search_is_refused_without_the_grant(client, partners, who):
    owner = MembershipFactory(role=Role.COORDINATOR)
    person = PersonFactory(organisation=owner.organisation)
    if who == "other-organisation":
        user = MembershipFactory(role=Role.COORDINATOR).user
    elif who == "ended-membership":
        user = MembershipFactory(role=Role.COORDINATOR, organisation=owner.organisation, is_active=False).user
    elif who == "volunteer":
        user = MembershipFactory(role=Role.VOLUNTEER, organisation=owner.organisation).user
    else:
        user = MembershipFactory(role=Role.COORDINATOR, organisation=owner.organisation).user
    if who == "no-second-factor":
        client.force_login(user)
    else:
        login_verified(client, user)
    url = reverse("people:consent_partners", args=[person.pk])
    response = client.get(url, {"partner_q": "ssiad"}, HTTP_HX_REQUEST="true")
    assert response.status_code in (302, 404)
    assert b"SSIAD Rennes" not in response.content
