import datetime
import html

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from maillage.core.demo import DEMO_PASSWORD, DEMO_TERRITORIES
from maillage.core.enums import OrganisationKind, Role
from maillage.core.models import Commune, Membership, Organisation, User

pytestmark = pytest.mark.django_db

WEST_OF_RENNES_CODES = {"35240", "35196", "35131", "35076", "35080", "35065"}


def test_seed_demo_builds_ille_et_vilaine_by_default_every_kind_one_account_per_role_and_is_safe_twice(capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    counts = (Organisation.objects.count(), User.objects.count(), Membership.objects.count())
    call_command("seed_demo")
    second = capsys.readouterr().out
    assert (Organisation.objects.count(), User.objects.count(), Membership.objects.count()) == counts
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(OrganisationKind.values)
    roles = set(Membership.objects.filter(user__is_demo=True).values_list("role", flat=True))
    assert roles == set(Role.values)
    for organisation in Organisation.objects.all():
        organisation.full_clean()  # real SIRET keys, real communes
        assert organisation.commune.departement.code == "35"
        assert organisation.postal_code in organisation.commune.postal_codes
        assert organisation.phone.replace(" ", "").replace("+33", "0").startswith("0299")
    assert "Démonstration : Ille-et-Vilaine (35)." in first
    assert DEMO_PASSWORD in first
    assert first.count("clé TOTP :") == len(Role) + 1  # one per role, and the CLIC's professional
    assert "structures : CCAS de Rennes, CLIC du Pays de Rennes" in first
    # The same secrets are printed again: the second run reuses the devices.
    assert [line for line in first.splitlines() if "clé TOTP :" in line][0].split("code")[0] == [
        line for line in second.splitlines() if "clé TOTP :" in line
    ][0].split("code")[0]


def test_ille_et_vilaine_demo_sits_on_real_communes_of_35():
    call_command("seed_demo")
    ccas = Organisation.objects.get(name="CCAS de Rennes")
    assert (ccas.kind, ccas.commune.code, ccas.commune.name) == ("ccas", "35238", "Rennes")
    assert ccas.commune.epci.name == "Rennes Métropole"
    assert ccas.postal_code in {"35000", "35200", "35700"}
    cias = Organisation.objects.get(name="CIAS à l'Ouest de Rennes")
    assert cias.kind == "cias"
    assert set(cias.communes_served.values_list("code", flat=True)) == WEST_OF_RENNES_CODES
    clic = Organisation.objects.get(name="CLIC du Pays de Rennes")
    assert clic.kind == "clic" and "35051" in clic.communes_served.values_list("code", flat=True)  # Cesson-Sévigné
    associations = set(Organisation.objects.filter(kind="association").values_list("name", flat=True))
    assert associations == {
        "Les Petits Frères du Rennais",
        "Repas et Compagnie du Pays de Vitré",
        "Mobilité solidaire du Pays de Redon",
    }
    assert Organisation.objects.get(name="CCAS de Saint-Malo").commune.code == "35288"
    # Only the demo's département is loaded when nothing was.
    assert set(Commune.objects.values_list("departement__code", flat=True)) == {"35"}


def test_seed_demo_departement_21_still_builds_the_cote_d_or_demo(capsys, client):
    call_command("seed_demo", departement="21")
    out = capsys.readouterr().out
    assert "Démonstration : Côte-d'Or (21)." in out
    assert "structures : CCAS de Dijon, CLIC du Grand Dijon" in out
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(OrganisationKind.values)
    assert set(Organisation.objects.values_list("commune__departement__code", flat=True)) == {"21"}
    assert Organisation.objects.get(name="CCAS de Dijon").commune.code == "21231"
    page = client.get(
        "/annuaire/public/", {"q": "portage de repas", "commune": "21231", "accessibility": "step_free"}
    ).content.decode()
    assert "Portage de repas à domicile" in page
    # The same casework as the default demo, at the CCAS de Dijon.
    from maillage.casework.models import CarePlanGoal, Request

    assert Request.objects.filter(organisation__name="CCAS de Dijon").count() == 24
    goals = CarePlanGoal.objects.filter(plan__organisation__name="CCAS de Dijon")
    assert goals.count() >= 10 and not goals.filter(actions__isnull=True).exists()


def test_both_demos_live_in_one_database_each_in_its_departement():
    from maillage.directory.models import Service
    from maillage.people.models import Person

    call_command("seed_demo")
    call_command("seed_demo", departement="21")
    call_command("seed_demo")
    assert Organisation.objects.filter(commune__departement__code="35").count() == len(
        DEMO_TERRITORIES["35"].organisations
    )
    assert Organisation.objects.filter(commune__departement__code="21").count() == len(
        DEMO_TERRITORIES["21"].organisations
    )
    for code in ("35", "21"):
        services = Service.objects.filter(
            service_at_locations__location__organisation__commune__departement__code=code
        )
        assert not services.exclude(service_at_locations__location__commune__departement__code=code).exists()
        assert not services.exclude(communes_served__departement__code=code).exists()
        assert services.count() >= 40
    # 3 × 30 in 35, 2 × 30 in 21, and the 12 more each demo CCAS registers (register.demo).
    assert Person.objects.count() == 174
    coordinator = User.objects.get(email="coordination@demo.maillage.example")
    assert set(coordinator.memberships.values_list("organisation__name", flat=True)) == {
        "CCAS de Rennes",
        "CLIC du Pays de Rennes",
        "CCAS de Dijon",
        "CLIC du Grand Dijon",
    }


def test_seed_demo_refuses_a_departement_without_demo_in_french():
    with pytest.raises(CommandError, match="Pas de démonstration pour le département « 75 » ; au choix : 35"):
        call_command("seed_demo", departement="75")
    assert not Organisation.objects.exists()


def test_seed_demo_refuses_outside_development(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.MAILLAGE_DEMO_ACCOUNTS_ALLOWED = False
    with pytest.raises(ImproperlyConfigured):
        call_command("seed_demo")


def test_purge_demo_accounts_deactivates_them(settings):
    call_command("seed_demo")
    call_command("purge_demo_accounts")
    assert not User.objects.filter(is_demo=True, is_active=True).exists()
    settings.MAILLAGE_DEMO_ACCOUNTS_ALLOWED = False
    from maillage.core.checks import check_no_demo_accounts

    assert check_no_demo_accounts() == []


def test_demo_codes_prints_a_current_code_for_every_demo_account(capsys):
    call_command("seed_demo")
    capsys.readouterr()
    call_command("demo_codes")
    out = capsys.readouterr().out
    for local_part in ("accueil", "coordination", "partenaire", "admin"):
        assert f"{local_part}@demo.maillage.example" in out


def test_seed_demo_fills_the_directory_of_ille_et_vilaine_for_a_newcomer_and_is_safe_twice(client):
    from maillage.core import access
    from maillage.directory.models import Service

    call_command("seed_demo")
    count = Service.objects.count()
    call_command("seed_demo")
    assert Service.objects.count() == count
    published = access.services_public()
    assert published.count() >= 40
    assert Service.objects.filter(status="draft").exists()
    assert published.values("organisation").distinct().count() >= 15
    assert not published.filter(service_at_locations__isnull=True).exists()
    assert not published.filter(phones__isnull=True).exists()
    assert not published.filter(regular_schedules__isnull=True).exists()  # « Ouvert maintenant » works
    assert published.filter(schedule_exceptions__description="Fermeture estivale").exists()
    assert published.filter(languages__code="fsl").exists()
    assert published.filter(accessibility__feature="step_free").exists()
    # Across the département, not only Rennes.
    places = set(published.values_list("service_at_locations__location__commune__name", flat=True))
    assert {"Rennes", "Saint-Malo", "Fougères", "Vitré", "Redon", "Le Rheu", "Betton"} <= places
    # « portage de repas » à Rennes, de plain-pied: the public search finds it, by code or by name.
    for commune in ("35238", "Rennes"):
        page = client.get(
            "/annuaire/public/", {"q": "portage de repas", "commune": commune, "accessibility": "step_free"}
        ).content.decode()
        assert "Portage de repas à domicile" in page
    api = client.get("/api/v1/services", {"q": "portage de repas", "commune": "35238"}).json()
    names = [s["name"] for s in api["contents"]]
    assert "Portage de repas à domicile" in names
    assert "Portage de repas du week-end (en préparation)" not in names  # a draft


def test_seed_demo_creates_synthetic_persons_in_communes_of_35_once():
    from maillage.people.models import Person, PersonAddress, PersonPhone

    call_command("seed_demo")
    count = Person.objects.count()
    call_command("seed_demo")
    assert Person.objects.count() == count == 102  # 3 × 30, and 12 more on the CCAS's register
    assert set(Person.objects.values_list("organisation__name", flat=True)) == {
        "CCAS de Rennes",
        "CLIC du Pays de Rennes",
        "CIAS à l'Ouest de Rennes",
    }
    addresses = PersonAddress.objects.select_related("commune")
    assert set(addresses.values_list("commune__departement__code", flat=True)) == {"35"}
    assert not [a for a in addresses if a.postal_code not in a.commune.postal_codes]
    assert set(
        addresses.filter(person__organisation__name="CCAS de Rennes").values_list("commune__name", flat=True)
    ) == {"Rennes"}
    cias = set(
        addresses.filter(person__organisation__name="CIAS à l'Ouest de Rennes").values_list("commune__code", flat=True)
    )
    assert cias <= WEST_OF_RENNES_CODES and len(cias) >= 4
    assert all(n.startswith("+33299") for n in PersonPhone.objects.values_list("number", flat=True))


def test_seed_demo_gives_the_ccas_a_working_day_of_casework_once():
    from maillage.casework.models import (
        Assessment,
        AssessmentVersion,
        CarePlan,
        CarePlanAction,
        CarePlanGoal,
        CareTeamMember,
        FollowUpTask,
        Request,
    )

    call_command("seed_demo")
    counts = (Request.objects.count(), Assessment.objects.count(), CarePlan.objects.count())
    call_command("seed_demo")
    assert (Request.objects.count(), Assessment.objects.count(), CarePlan.objects.count()) == counts
    ccas = Organisation.objects.get(name="CCAS de Rennes")
    today = timezone.localdate()
    requests = Request.objects.filter(organisation=ccas)
    assert requests.count() == 24
    assert requests.filter(received_at__date=today).count() >= 3  # the reception's first screen
    assert requests.filter(outcome="call_back").exists()
    assert requests.filter(person__isnull=True, requester_kind="anonymous").exists()
    assert not requests.filter(received_at__gt=timezone.now()).exists()
    # Signed assessments of the ten needs; the plans' goals are the needs found « not met ».
    signed = AssessmentVersion.objects.filter(assessment__organisation=ccas, signed_at__isnull=False)
    assert signed.filter(assessment__kind="needs").count() == 7
    assert signed.filter(assessment__kind="aggir").exists()
    assert AssessmentVersion.objects.filter(assessment__organisation=ccas, signed_at__isnull=True).exists()
    plans = CarePlan.objects.filter(organisation=ccas, status="active")
    assert plans.count() == 5
    goals = CarePlanGoal.objects.filter(plan__in=plans).select_related("plan__person", "need")
    assert goals.count() >= 10
    for goal in goals:
        version = signed.filter(assessment__person=goal.plan.person, assessment__kind="needs").get()
        assert version.answers[goal.need.code]["status"] == "not_met"
    # Every goal has its action, a service of the demo directory in the département.
    actions = CarePlanAction.objects.filter(plan__in=plans)
    assert actions.count() == goals.count()
    assert not goals.filter(actions__isnull=True).exists()
    assert set(
        actions.values_list("provider_service__service_at_locations__location__commune__departement__code", flat=True)
    ) == {"35"}
    assert plans.filter(next_review_on__lt=today).exists() and plans.filter(next_review_on__gte=today).exists()
    # Care teams, tasks due for the coordinator (one late, some today).
    assert CareTeamMember.objects.filter(person__organisation=ccas, is_referent=True).count() == 5
    assert CareTeamMember.objects.filter(person__organisation=ccas, user__isnull=True).count() == 5
    tasks = FollowUpTask.objects.filter(organisation=ccas, assignee__email="coordination@demo.maillage.example")
    assert tasks.filter(due_on__lt=today).exists() and tasks.filter(due_on=today).exists()
    assert tasks.filter(due_on__gt=today + datetime.timedelta(days=1)).exists()


def test_demo_directory_answers_what_a_newcomer_types_apa_and_st_malo(client):
    """The issue's own examples on the demo: « APA » finds the CLIC that helps with the allowance,
    « St Malo » the services of Saint-Malo."""
    call_command("seed_demo")
    apa = html.unescape(client.get("/annuaire/public/", {"q": "APA"}).content.decode())
    assert "Point d'information seniors — CLIC" in apa
    st_malo = html.unescape(client.get("/annuaire/public/", {"q": "St Malo"}).content.decode())
    assert "Portage de repas — Saint-Malo" in st_malo


def test_demo_carers_first_names_agree_with_son_or_daughter():
    """« Catherine, fils » read wrong in the right-of-access PDF: a son gets a man's first name."""
    from faker.providers.person.fr_FR import Provider

    from maillage.people.models import Relation

    call_command("seed_demo")
    relations = list(Relation.objects.values_list("relationship", "first_name"))
    assert relations
    for relationship, first_name in relations:
        names = Provider.first_names_male if relationship == "fils" else Provider.first_names_female
        assert first_name in names, (relationship, first_name)


def test_the_demo_clic_professional_finds_two_files_shared_with_them_by_the_ccas(client):
    """Issue 11 point 9 seen on the demo: a professional of a partner organisation (the CLIC), placed in
    the care team of two of the CCAS's files with the persons' consent, finds them on the dashboard."""
    from django.urls import reverse

    from maillage.casework.models import CareTeamMember
    from tests.conftest import login_verified

    call_command("seed_demo")
    clic = User.objects.get(email="clic@demo.maillage.example")
    places = CareTeamMember.objects.filter(user=clic, removed_at__isnull=True)
    assert places.count() == 2
    assert {place.person.organisation.name for place in places} == {"CCAS de Rennes"}
    login_verified(client, clic)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "Dossiers partagés avec moi" in page
    for place in places:
        assert reverse("people:detail", args=[place.person.pk]) in page
        assert client.get(reverse("people:detail", args=[place.person.pk])).status_code == 200


@pytest.mark.parametrize("clock", ["00:01", "00:30", "07:59", "12:00", "23:59"])
def test_seed_demo_puts_todays_requests_today_whatever_the_hour(clock):
    """The reception's first screen shows today's requests even when the demo is seeded just after
    midnight (Paris time), when « today at 9 h » is still to come."""
    from unittest import mock

    from maillage.casework.models import Request

    hour, minute = map(int, clock.split(":"))
    fixed = timezone.make_aware(datetime.datetime.combine(datetime.date(2026, 12, 6), datetime.time(hour, minute)))
    with mock.patch("django.utils.timezone.now", return_value=fixed):
        call_command("seed_demo")
        ccas = Organisation.objects.get(name="CCAS de Rennes")
        requests = Request.objects.filter(organisation=ccas)
        assert requests.filter(received_at__date=datetime.date(2026, 12, 6)).count() >= 3
        assert not requests.filter(received_at__gt=fixed).exists()
