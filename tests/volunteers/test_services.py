import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from maillage.core.enums import Role
from maillage.core.exceptions import ApplicationError
from maillage.core.models import AuditLogEntry
from maillage.volunteers import charter, services
from maillage.volunteers.models import AvailabilitySlot, CallerProfile
from tests.core.factories import MembershipFactory
from tests.volunteers.factories import AvailabilitySlotFactory, CallerProfileFactory, make_caller

pytestmark = pytest.mark.django_db

T = datetime.time


def _slot(profile, weekday, start, end):
    return services.availability_slot_create(
        actor=profile.user, organisation=profile.organisation, weekday=weekday, start=start, end=end
    )


# --- Charter --------------------------------------------------------------------------------------


def test_charter_sign_creates_a_volunteers_profile_and_records_time_and_version():
    membership = MembershipFactory(role=Role.VOLUNTEER)
    profile = services.charter_sign(
        actor=membership.user, organisation=membership.organisation, accepted=True, version=charter.VERSION
    )
    assert profile.is_active and profile.charter_version == charter.VERSION
    assert profile.charter_signed_at is not None
    assert profile.has_signed_current_charter


def test_charter_sign_without_the_box_ticked_is_refused_naming_the_field():
    membership = MembershipFactory(role=Role.VOLUNTEER)
    with pytest.raises(ValidationError) as excinfo:
        services.charter_sign(
            actor=membership.user, organisation=membership.organisation, accepted=False, version=charter.VERSION
        )
    assert excinfo.value.message_dict["accepted"] == [services.CHARTER_REFUSED]
    assert not CallerProfile.objects.exists()


def test_charter_changed_meanwhile_is_not_signed_unread():
    profile = make_caller(signed=False)
    with pytest.raises(ApplicationError, match="relisez-la"):
        services.charter_sign(actor=profile.user, organisation=profile.organisation, accepted=True, version="2020-01")
    profile.refresh_from_db()
    assert profile.charter_signed_at is None


@pytest.mark.parametrize("role", [Role.RECEPTION_AGENT, Role.COORDINATOR, Role.REGISTER_MANAGER])
def test_agent_not_on_the_list_cannot_sign_until_added(role):
    membership = MembershipFactory(role=role)
    with pytest.raises(ApplicationError, match="gestionnaire du registre"):
        services.charter_sign(
            actor=membership.user, organisation=membership.organisation, accepted=True, version=charter.VERSION
        )
    profile = make_caller(organisation=membership.organisation, role=role, signed=False)
    signed = services.charter_sign(
        actor=profile.user, organisation=profile.organisation, accepted=True, version=charter.VERSION
    )
    assert signed.has_signed_current_charter


def test_partner_cannot_be_a_caller():
    membership = MembershipFactory(role=Role.PARTNER)
    with pytest.raises(ApplicationError, match="ne prévoit pas"):
        services.charter_sign(
            actor=membership.user, organisation=membership.organisation, accepted=True, version=charter.VERSION
        )


def test_charter_signature_is_a_line_of_the_audit_trail():
    profile = make_caller(signed=False)
    services.charter_sign(
        actor=profile.user, organisation=profile.organisation, accepted=True, version=charter.VERSION
    )
    line = AuditLogEntry.objects.filter(object_pk=str(profile.pk), action=AuditLogEntry.Action.UPDATE).latest("pk")
    assert line.content_type.model == "callerprofile"
    assert "charter_version" in line.changes_dict
    assert line.changes_dict["charter_version"][1] == charter.VERSION


# --- Slots ----------------------------------------------------------------------------------------


def test_slot_create_and_touching_slots_are_allowed():
    profile = make_caller()
    _slot(profile, 0, T(9), T(12))
    _slot(profile, 0, T(12), T(14))  # touches, does not overlap
    _slot(profile, 1, T(9), T(12))  # another day
    assert profile.slots.count() == 3


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (T(12), T(9), "end", "« Fin » : l'heure de fin doit venir après l'heure de début (12 h)."),
        (T(10), T(10), "end", "« Fin » : l'heure de fin doit venir après l'heure de début (10 h)."),
        (T(11), T(13), "start", "« Début » : ce créneau chevauche celui du lundi de 9 h à 12 h."),
        (T(8), T(9, 30), "start", "« Début » : ce créneau chevauche celui du lundi de 9 h à 12 h."),
        (T(8), T(18), "start", "« Début » : ce créneau chevauche celui du lundi de 9 h à 12 h."),
        (T(9, 15), T(11), "start", "« Début » : ce créneau chevauche celui du lundi de 9 h à 12 h."),
    ],
    ids=["fin-avant-debut", "duree-nulle", "chevauche-la-fin", "chevauche-le-debut", "englobe", "inclus"],
)
def test_slot_errors_name_the_field_in_french(start, end, field, message):
    profile = make_caller()
    AvailabilitySlotFactory(profile=profile, weekday=0, start=T(9), end=T(12))
    with pytest.raises(ValidationError) as excinfo:
        _slot(profile, 0, start, end)
    assert excinfo.value.message_dict == {field: [message]}
    assert profile.slots.count() == 1


def test_slot_weekday_outside_the_week_is_refused():
    profile = make_caller()
    with pytest.raises(ValidationError) as excinfo:
        _slot(profile, 7, T(9), T(10))
    assert "weekday" in excinfo.value.message_dict


def test_database_refuses_a_slot_ending_before_it_starts():
    profile = make_caller()
    with pytest.raises(IntegrityError):
        AvailabilitySlot.objects.create(profile=profile, weekday=0, start=T(12), end=T(9))


def test_slot_delete_only_ones_own():
    mine = make_caller()
    other = make_caller(organisation=mine.organisation)
    slot = AvailabilitySlotFactory(profile=other)
    with pytest.raises(ApplicationError):
        services.availability_slot_delete(actor=mine.user, organisation=mine.organisation, slot=slot)
    services.availability_slot_delete(actor=other.user, organisation=other.organisation, slot=slot)
    assert not AvailabilitySlot.objects.exists()


# --- Languages ------------------------------------------------------------------------------------


def test_languages_update_and_unknown_code_is_refused():
    profile = make_caller()
    services.caller_languages_update(actor=profile.user, organisation=profile.organisation, languages=["ar", "fsl"])
    profile.refresh_from_db()
    assert profile.languages == ["ar", "fsl"]
    assert profile.language_labels == ["Langue des signes française (LSF)", "Arabe"]
    with pytest.raises(ValidationError) as excinfo:
        services.caller_languages_update(actor=profile.user, organisation=profile.organisation, languages=["fr", "xx"])
    assert excinfo.value.message_dict["languages"][0].startswith("« Langues parlées » : langue inconnue")


# --- The callers' list ------------------------------------------------------------------------------


def test_register_manager_adds_a_member_and_takes_them_off_and_back():
    manager = MembershipFactory(role=Role.REGISTER_MANAGER)
    agent = MembershipFactory(role=Role.RECEPTION_AGENT, organisation=manager.organisation)
    profile = services.caller_add(actor=manager.user, organisation=manager.organisation, membership=agent)
    assert profile.is_active and not profile.has_signed_current_charter
    services.caller_deactivate(actor=manager.user, organisation=manager.organisation, profile=profile)
    profile.refresh_from_db()
    assert not profile.is_active
    again = services.caller_add(actor=manager.user, organisation=manager.organisation, membership=agent)
    assert again.pk == profile.pk and again.is_active


@pytest.mark.parametrize("role", [Role.PARTNER, Role.DIRECTOR, Role.ADMIN, Role.DPO])
def test_register_manager_cannot_add_a_member_whose_role_takes_no_call(role):
    manager = MembershipFactory(role=Role.REGISTER_MANAGER)
    member = MembershipFactory(role=role, organisation=manager.organisation)
    with pytest.raises(ValidationError) as excinfo:
        services.caller_add(actor=manager.user, organisation=manager.organisation, membership=member)
    assert "membership" in excinfo.value.message_dict


def test_only_the_register_manager_adds_callers():
    admin = MembershipFactory(role=Role.ADMIN)
    volunteer = MembershipFactory(role=Role.VOLUNTEER, organisation=admin.organisation)
    with pytest.raises(ApplicationError):
        services.caller_add(actor=admin.user, organisation=admin.organisation, membership=volunteer)


def test_one_profile_per_account_and_organisation():
    profile = CallerProfileFactory()
    with pytest.raises(IntegrityError):
        CallerProfile.objects.create(user=profile.user, organisation=profile.organisation)


def test_availability_summary_in_words():
    profile = make_caller()
    assert profile.availability_summary() == "Aucun créneau indiqué : disponible à tout moment"
    AvailabilitySlotFactory(profile=profile, weekday=3, start=T(10), end=T(12))
    AvailabilitySlotFactory(profile=profile, weekday=0, start=T(14), end=T(17, 30))
    AvailabilitySlotFactory(profile=profile, weekday=0, start=T(9), end=T(12))
    assert profile.availability_summary() == "Lundi de 9 h à 12 h et de 14 h à 17 h 30 ; jeudi de 10 h à 12 h"
