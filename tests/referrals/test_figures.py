"""The referrals' figures (issue 14, point 6): the aggregation with known timestamps, the medians and
90th percentiles, another organisation's referrals never counted, the period's bounds, the page for
each role, the CSV — attacks first."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.core.enums import Role
from maillage.referrals import figures
from maillage.referrals.enums import ReferralOutcome, ReferralStatus, ReferralUrgency
from maillage.referrals.figures import Period, median, percentile_90, spoken_duration
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.directory.factories import ServiceFactory
from tests.people.factories import PersonFactory
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
YEAR = 2025
PARIS = timezone.get_fixed_timezone(60)  # winter in Paris: UTC+1


def at(month, day, hour=10):
    return datetime.datetime(YEAR, month, day, hour, tzinfo=PARIS)


def sent(sender, service, *, when=None, status=ReferralStatus.SENT, **kwargs):
    """A referral `sender` sent to `service` at `when` (10 January by default)."""
    return ReferralFactory(
        from_organisation=sender, to_service=service, sent_at=when or at(1, 10), status=status, **kwargs
    )


def answered(sender, service, after, *, status=ReferralStatus.ACCEPTED, **kwargs):
    start = at(1, 10)
    return sent(
        sender, service, when=start, status=status, received_at=start + HOUR, answered_at=start + after, **kwargs
    )


# --- Pure functions: medians, percentiles, spoken delays ------------------------------------------------


@pytest.mark.parametrize(
    ("days", "expected_median", "expected_p90"),
    [
        ([1, 2, 10], 2 * DAY, 10 * DAY),
        ([2, 1], 1.5 * DAY, 2 * DAY),
        ([5], 5 * DAY, 5 * DAY),
        (list(range(1, 11)), 5.5 * DAY, 9 * DAY),  # nearest rank: the 9th of 10
        (list(range(1, 21)), 10.5 * DAY, 18 * DAY),
        ([3, 3, 3, 40], 3 * DAY, 40 * DAY),
    ],
)
def test_median_and_90th_percentile(days, expected_median, expected_p90):
    values = [d * DAY for d in days]
    assert median(values) == expected_median
    assert percentile_90(values) == expected_p90


def test_no_delay_gives_no_median():
    assert median([]) is None
    assert percentile_90([]) is None
    assert spoken_duration(None) == "—"


@pytest.mark.parametrize(
    ("delay", "spoken"),
    [
        (datetime.timedelta(minutes=5), "moins d'une heure"),
        (datetime.timedelta(minutes=59), "moins d'une heure"),
        (HOUR, "1 heure"),
        (5 * HOUR + datetime.timedelta(minutes=40), "5 heures"),
        (23 * HOUR, "23 heures"),
        (DAY, "1 jour"),
        (DAY + 6 * HOUR, "1 jour et 6 heures"),
        (2 * DAY, "2 jours"),
        (2 * DAY + HOUR, "2 jours et 1 heure"),
        (3 * DAY + 13 * HOUR, "4 jours"),
        (12 * DAY, "12 jours"),
    ],
)
def test_delays_are_spoken_naturally(delay, spoken):
    assert spoken_duration(delay) == spoken


def test_numbers_are_written_the_french_way():
    assert figures.french_number(1234567).replace("\xa0", " ").replace("\u202f", " ") == "1 234 567"
    assert figures.days_number(2.5 * DAY) == "2,50"
    assert figures.days_number(2 * HOUR) == "0,08"
    assert figures.share(1, 3) == "33\xa0%"
    assert figures.share(0, 0) == "—"


# --- The period -------------------------------------------------------------------------------------------


def test_period_counts_by_day_of_sending_in_local_time():
    sender, service = OrganisationFactory(), ServiceFactory()
    sent(sender, service, when=datetime.datetime(YEAR, 12, 31, 23, 30, tzinfo=PARIS))  # 22:30 UTC: in
    sent(
        sender, service, when=datetime.datetime(YEAR, 1, 1, 0, 10, tzinfo=PARIS)
    )  # 31/12 of the year before, 23:10 UTC: in
    sent(sender, service, when=datetime.datetime(YEAR + 1, 1, 1, 0, 10, tzinfo=PARIS))  # next year
    sent(sender, service, when=datetime.datetime(YEAR - 1, 12, 31, 23, 50, tzinfo=PARIS))  # last year
    ReferralFactory(from_organisation=sender, to_service=service, status=ReferralStatus.DRAFT, sent_at=None)
    assert figures.sent_figures(sender, Period.year(YEAR)).total == 2
    assert figures.sent_figures(sender, Period(datetime.date(YEAR, 12, 31), datetime.date(YEAR + 1, 1, 1))).total == 2


def test_period_labels():
    assert Period.year(2026).label == "année 2026"
    assert Period(datetime.date(2026, 3, 1), datetime.date(2026, 5, 31)).label == "du 1er mars 2026 au 31 mai 2026"


# --- The aggregation ----------------------------------------------------------------------------------------


def test_three_answers_after_1_2_and_10_days_give_a_median_of_2_days():
    sender, service = OrganisationFactory(), ServiceFactory()
    for days in (1, 2, 10):
        answered(sender, service, days * DAY)
    result = figures.sent_figures(sender, Period.year(YEAR))
    read, answer, close = result.delays
    assert (answer.count, answer.median, answer.p90) == (3, 2 * DAY, 10 * DAY)
    assert (read.count, read.median) == (3, HOUR)
    assert close.count == 0 and close.median is None
    (partner,) = result.delays_by_organisation
    assert partner.label == service.organisation.name
    assert (partner.answer.count, partner.answer.median) == (3, 2 * DAY)
    assert result.answered_late == 1  # 10 days > the 5 days of REFERRALS_REMINDER_DAYS


def test_close_delay_counts_only_closed_referrals():
    sender, service = OrganisationFactory(), ServiceFactory()
    start = at(2, 1)
    common = {"received_at": start, "answered_at": start + DAY}
    sent(
        sender,
        service,
        when=start,
        status=ReferralStatus.CLOSED,
        ended_at=start + 20 * DAY,
        outcome="need_met",
        **common,
    )
    sent(sender, service, when=start, status=ReferralStatus.CANCELLED, ended_at=start + 2 * DAY, **common)
    close = figures.sent_figures(sender, Period.year(YEAR)).delays[2]
    assert (close.count, close.median) == (1, 20 * DAY)


OUTCOME_CASES = [
    # (status, outcome, the « par issue » row, the columns of the tables by partner)
    (ReferralStatus.SENT, "", "En attente de réponse", {"total", "waiting"}),
    (ReferralStatus.RECEIVED, "", "En attente de réponse", {"total", "waiting"}),
    (ReferralStatus.ACCEPTED, "", "Acceptée, accompagnement en cours", {"total", "accepted"}),
    (ReferralStatus.IN_PROGRESS, "", "Acceptée, accompagnement en cours", {"total", "accepted"}),
    (ReferralStatus.CLOSED, "need_met", "Clôturée : besoin satisfait", {"total", "accepted", "met"}),
    (ReferralStatus.CLOSED, "partly_met", "Clôturée : besoin satisfait en partie", {"total", "accepted", "met"}),
    (ReferralStatus.CLOSED, "not_met", "Clôturée : besoin non satisfait", {"total", "accepted"}),
    (ReferralStatus.CLOSED, "person_declined", "Clôturée : la personne a renoncé", {"total", "accepted"}),
    (ReferralStatus.DECLINED, "", "Refusée", {"total", "declined"}),
    (ReferralStatus.REDIRECTED, "", "Réorientée vers un autre service", {"total", "redirected"}),
    (ReferralStatus.CANCELLED, "", "Annulée par la structure qui oriente", {"total", "cancelled"}),
]


@pytest.mark.parametrize(("status", "outcome", "row", "columns"), OUTCOME_CASES)
def test_each_state_counts_in_its_row_and_columns(status, outcome, row, columns):
    sender, service = OrganisationFactory(), ServiceFactory()
    sent(sender, service, status=status, outcome=outcome)
    result = figures.sent_figures(sender, Period.year(YEAR))
    assert [label for label, count in result.by_outcome if count] == [row]
    (partner_row,) = result.by_organisation
    assert {key for key, count in partner_row.counts.items() if count} == columns
    # The Python rule (needs) agrees with the database's filters (partners, services).
    assert set(figures.columns_of(status, outcome)) == columns
    (service_row,) = result.by_service
    assert service_row.counts == partner_row.counts
    assert service_row.label == f"{service.name} ({service.organisation.name})"


def test_outcome_rows_add_up_to_the_total():
    sender, service = OrganisationFactory(), ServiceFactory()
    for status, outcome, _row, _columns in OUTCOME_CASES:
        sent(sender, service, status=status, outcome=outcome)
    result = figures.sent_figures(sender, Period.year(YEAR))
    assert result.total == len(OUTCOME_CASES)
    assert sum(count for _, count in result.by_outcome) == result.total
    assert "Clôturée sans issue renseignée" not in [label for label, _ in result.by_outcome]


def test_a_referral_with_several_needs_counts_in_each():
    sender, service = OrganisationFactory(), ServiceFactory()
    sent(sender, service, needs=["se-nourrir", "parler-avec-autrui"])
    sent(sender, service, needs=["se-nourrir"], status=ReferralStatus.DECLINED)
    sent(sender, service, needs=[])
    by_need = {row.label: row.counts for row in figures.sent_figures(sender, Period.year(YEAR)).by_need}
    assert len(by_need) == 11  # the ten essential needs, then « none »
    assert by_need["Se nourrir"]["total"] == 2
    assert by_need["Se nourrir"]["declined"] == 1
    assert by_need["Parler avec autrui"]["total"] == 1
    assert by_need["Retirer de l'argent"]["total"] == 0
    assert by_need["Aucun besoin précisé"]["total"] == 1


def test_partners_services_and_urgencies():
    sender = OrganisationFactory()
    clic, saad = OrganisationFactory(name="CLIC témoin"), OrganisationFactory(name="SAAD témoin")
    clic_service, saad_a, saad_b = (
        ServiceFactory(organisation=clic),
        ServiceFactory(organisation=saad, name="Aide à domicile"),
        ServiceFactory(organisation=saad, name="Portage de repas"),
    )
    sent(sender, clic_service, urgency=ReferralUrgency.URGENT)
    sent(sender, saad_a)
    sent(sender, saad_a, status=ReferralStatus.DECLINED)
    sent(sender, saad_b)
    result = figures.sent_figures(sender, Period.year(YEAR))
    assert [(row.label, row.counts["total"]) for row in result.by_organisation] == [
        ("SAAD témoin", 3),
        ("CLIC témoin", 1),
    ]
    assert [row.counts["total"] for row in result.by_service] == [2, 1, 1]
    assert {row.label: row.counts["total"] for row in result.by_urgency} == {
        "Habituelle": 3,
        "Dans la semaine": 0,
        "Urgente (sous 48 heures)": 1,
    }


def test_overdue_now_and_redirections():
    sender, service = OrganisationFactory(), ServiceFactory()
    now = timezone.now()
    sent(sender, service, when=now - 9 * DAY)  # waiting for 9 days: late
    sent(sender, service, when=now - 9 * DAY, status=ReferralStatus.RECEIVED, received_at=now - 8 * DAY)  # late
    sent(sender, service, when=now - 2 * DAY)  # not yet
    first = sent(sender, service, when=now - 20 * DAY, status=ReferralStatus.REDIRECTED, answered_at=now - 19 * DAY)
    sent(sender, ServiceFactory(), when=now - DAY, redirected_from=first)
    period = Period(timezone.localdate() - 30 * DAY, timezone.localdate())
    result = figures.sent_figures(sender, period)
    assert (result.total, result.overdue_now, result.from_redirection) == (5, 2, 1)
    by_partner = {row.label: row.overdue for row in result.delays_by_organisation}
    assert by_partner[service.organisation.name] == 2


# --- Another organisation's referrals are never counted --------------------------------------------------------


def test_another_organisations_referrals_are_never_counted():
    mine, theirs, partner = OrganisationFactory(), OrganisationFactory(name="Structure Oméga"), OrganisationFactory()
    service = ServiceFactory(organisation=partner)
    answered(mine, service, 2 * DAY)
    for _ in range(3):
        answered(theirs, service, 30 * DAY, needs=["se-nourrir"])
    answered(theirs, ServiceFactory(), 30 * DAY)  # to another partner altogether
    sent(partner, ServiceFactory(organisation=theirs))  # the partner itself sends to « theirs »
    result = figures.sent_figures(mine, Period.year(YEAR))
    assert result.total == 1
    assert result.delays[1].median == 2 * DAY
    assert sum(row.counts["total"] for row in result.by_need) == 1
    assert figures.received_figures(mine, Period.year(YEAR)).total == 0
    # The partner receives from both, and sees each sender on its own row; its own sending is apart.
    received = figures.received_figures(partner, Period.year(YEAR))
    assert received.total == 4
    assert {row.label: row.counts["total"] for row in received.by_organisation} == {"Structure Oméga": 3, mine.name: 1}
    assert [row.label for row in received.by_service] == [service.name]
    assert figures.sent_figures(partner, Period.year(YEAR)).total == 1


# --- The page --------------------------------------------------------------------------------------------------


def _member(client, organisation, role, **kwargs):
    membership = MembershipFactory(organisation=organisation, role=role, **kwargs)
    login_verified(client, membership.user)
    return membership


URL = reverse("referrals:figures")


@pytest.fixture
def world():
    """« mine » sent two referrals (one to « partner ») and received one; « Structure Oméga » sent others."""
    mine = OrganisationFactory(name="CCAS témoin")
    partner = OrganisationFactory(name="Association partenaire")
    other = OrganisationFactory(name="Structure Oméga secrète")
    person = PersonFactory(organisation=mine, first_names="Lucienne", last_name="Armorique")
    this_year = timezone.localdate().year
    when = datetime.datetime(this_year, 1, 15, 10, tzinfo=PARIS)
    ReferralFactory(
        person=person,
        from_organisation=mine,
        to_service=ServiceFactory(organisation=partner, name="Visites de convivialité"),
        reason="Motif-tres-confidentiel",
        sent_at=when,
        received_at=when + 2 * HOUR,
        answered_at=when + 2 * DAY,
        status=ReferralStatus.CLOSED,
        outcome=ReferralOutcome.NEED_MET,
        ended_at=when + 30 * DAY,
    )
    ReferralFactory(from_organisation=mine, to_service=ServiceFactory(organisation=partner), sent_at=when)
    ReferralFactory(
        from_organisation=partner, to_service=ServiceFactory(organisation=mine, name="Épicerie"), sent_at=when
    )
    ReferralFactory(from_organisation=other, to_service=ServiceFactory(organisation=partner), sent_at=when)
    return {"mine": mine, "partner": partner, "other": other}


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.RECEPTION_AGENT, Role.REGISTER_MANAGER, Role.ADMIN, Role.DPO])
def test_roles_without_figures_get_404(client, world, role):
    _member(client, world["mine"], role)
    assert client.get(URL).status_code == 404
    assert client.get(URL, {"format": "csv"}).status_code == 404


def test_ended_membership_gets_404(client, world):
    _member(client, world["mine"], Role.DIRECTOR, is_active=False)
    assert client.get(URL).status_code == 404


def test_password_without_second_factor_goes_to_the_second_factor(client, world):
    membership = MembershipFactory(organisation=world["mine"], role=Role.DIRECTOR)
    client.force_login(membership.user, backend="maillage.core.auth_backends.EmailBackend")
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:otp_setup"))


def test_director_sees_both_parts_without_any_person_or_reason(client, world):
    _member(client, world["mine"], Role.DIRECTOR)
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Orientations envoyées" in body and "Orientations reçues" in body
    assert "Association partenaire" in body and "Visites de convivialité" in body
    assert "Besoin satisfait" in body
    assert "2 jours" in body  # the answer's delay
    assert "Une orientation qui porte sur plusieurs besoins compte pour chacun" in body
    for secret in ("Armorique", "Lucienne", "Motif-tres-confidentiel", "Structure Oméga secrète"):
        assert secret not in body
    assert 'scope="col"' in body and 'scope="row"' in body and "<caption>" in body


def test_partner_professional_sees_only_the_received_part(client, world):
    _member(client, world["partner"], Role.PARTNER)
    body = client.get(URL).content.decode()
    assert "Orientations reçues" in body
    assert "Orientations envoyées" not in body
    # Its two senders, each on its row; nothing of what the others sent elsewhere.
    assert "CCAS témoin" in body and "Structure Oméga secrète" in body


def test_coordinator_with_nothing_in_the_period_sees_empty_states(client, world):
    _member(client, world["mine"], Role.COORDINATOR)
    body = client.get(URL, {"year": timezone.localdate().year - 1}).content.decode()
    assert "Aucune orientation envoyée pendant cette période." in body
    assert "Aucune orientation reçue pendant cette période." in body


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2026-13-45"}, "Date de début : saisissez une date valide"),
        ({"date_to": "demain"}, "Date de fin : saisissez une date valide"),
        (
            {"date_from": "2026-05-01", "date_to": "2026-04-01"},
            "Date de fin : elle doit être le jour de la date de début ou après.",
        ),
        (
            {"date_from": "2010-01-01", "date_to": "2026-01-01"},
            "Date de fin : la période ne peut pas dépasser cinq ans.",
        ),
        ({"year": "1850"}, "Année : choisissez une année de la liste."),
    ],
)
def test_bad_period_is_refused_with_a_message_naming_the_field(client, world, params, message):
    _member(client, world["mine"], Role.DIRECTOR)
    response = client.get(URL, params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Association partenaire" not in response.content.decode()
    csv_response = client.get(URL, {**params, "format": "csv"})
    assert csv_response.status_code == 400
    assert csv_response["Content-Type"].startswith("text/html")


def test_dates_choose_the_period(client, world):
    _member(client, world["mine"], Role.DIRECTOR)
    year = timezone.localdate().year
    body = client.get(URL, {"date_from": f"{year}-01-16", "date_to": f"{year}-12-31"}).content.decode()
    assert "Aucune orientation envoyée pendant cette période." in body
    body = client.get(URL, {"date_from": f"{year}-01-15", "date_to": f"{year}-01-15"}).content.decode()
    assert "Association partenaire" in body


# --- The CSV ---------------------------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_csv_has_the_pages_tables(client, world):
    _member(client, world["mine"], Role.DIRECTOR)
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="chiffres-orientations-')
    rows = _csv(response)
    assert rows[0] == ["Chiffres des orientations — CCAS témoin"]
    assert ["Orientations envoyées", "2"] in rows
    assert ["Orientations reçues", "1"] in rows
    titles = [row[0] for row in rows if len(row) == 1 and " — " in row[0]]
    assert "Orientations envoyées — Par partenaire" in titles
    assert "Orientations reçues — Par structure qui oriente" in titles
    index = rows.index(["Orientations envoyées — Par partenaire"])
    assert rows[index + 1][:3] == ["Structure partenaire", "Envoyées", "En attente de réponse"]
    assert rows[index + 2][:3] == ["Association partenaire", "2", "1"]
    delays = rows.index(["Orientations envoyées — Délais de réponse des partenaires"])
    assert rows[delays + 1] == [
        "Étape",
        "Orientations concernées",
        "Délai médian (jours)",
        "Délai maximal pour 90 % d'entre elles (jours)",
    ]
    assert rows[delays + 3] == ["Envoi → réponse (acceptée, refusée ou réorientée)", "1", "2,00", "2,00"]
    text = response.content.decode("utf-8-sig")
    for secret in ("Armorique", "Lucienne", "Motif-tres-confidentiel", "Structure Oméga secrète"):
        assert secret not in text


def test_csv_of_a_partner_has_only_the_received_part(client, world):
    _member(client, world["partner"], Role.PARTNER)
    text = client.get(URL, {"format": "csv"}).content.decode("utf-8-sig")
    assert "Orientations reçues — Par structure qui oriente" in text
    assert "Orientations envoyées" not in text


def test_csv_neutralises_a_name_a_spreadsheet_would_run(client, world):
    world["partner"].name = "=HYPERLINK(1)"
    world["partner"].save()
    _member(client, world["mine"], Role.DIRECTOR)
    text = client.get(URL, {"format": "csv"}).content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text
    assert ";=HYPERLINK" not in text and "\n=HYPERLINK" not in text


# --- The ways in ---------------------------------------------------------------------------------------------------


def test_director_finds_the_figures_on_the_dashboard_and_the_inbox(client, world):
    _member(client, world["mine"], Role.DIRECTOR)
    dashboard = client.get(reverse("core:dashboard")).content.decode()
    assert "2 orientations envoyées, une orientation reçue." in dashboard
    assert URL in dashboard
    assert URL in client.get(reverse("referrals:inbox")).content.decode()


def test_partner_panel_counts_only_what_it_received(client, world):
    _member(client, world["partner"], Role.PARTNER)
    dashboard = client.get(reverse("core:dashboard")).content.decode()
    assert "3 orientations reçues." in dashboard
    assert "envoyée" not in dashboard


@pytest.mark.parametrize("role", [Role.RECEPTION_AGENT, Role.VOLUNTEER])
def test_no_way_in_for_roles_without_figures(client, world, role):
    _member(client, world["mine"], role)
    assert URL not in client.get(reverse("core:dashboard")).content.decode()
    if role == Role.RECEPTION_AGENT:
        assert URL not in client.get(reverse("referrals:inbox")).content.decode()
