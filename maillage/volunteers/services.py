"""Writes about callers: the charter's signature, one's own availability and languages, and the
register manager's callers' list. Each service checks the access policy itself (a view is not the
only caller) and validates with `full_clean`, whose French messages name the field."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from maillage.core import access
from maillage.core.enums import Role
from maillage.core.exceptions import ApplicationError
from maillage.core.models import Membership, Organisation, User
from maillage.volunteers import charter
from maillage.volunteers.models import AvailabilitySlot, CallerProfile

NOT_A_CALLER = "Votre rôle dans cette structure ne prévoit pas de prendre des appels."
NOT_ON_THE_LIST = (
    "Vous n'êtes pas sur la liste des appelant·es de cette structure : le ou la gestionnaire du registre "
    "vous y ajoute."
)
CHARTER_REFUSED = "« J'ai lu la charte et je m'engage à la respecter » : cochez la case pour signer la charte."


def _own_profile(*, actor: User, organisation: Organisation) -> CallerProfile:
    """The actor's profile in `organisation`, created for a volunteer (the role exists to take calls);
    an agent is put on the callers' list by the register manager first."""
    if not access.can_be_caller(actor, organisation):
        raise ApplicationError(NOT_A_CALLER)
    profile = CallerProfile.objects.filter(user=actor, organisation=organisation).first()
    if profile is not None:
        return profile
    if access.role_in(actor, organisation) != Role.VOLUNTEER:
        raise ApplicationError(NOT_ON_THE_LIST)
    profile = CallerProfile(user=actor, organisation=organisation)
    profile.full_clean()
    profile.save()
    return profile


@transaction.atomic
def charter_sign(*, actor: User, organisation: Organisation, accepted: bool, version: str) -> CallerProfile:
    """The actor signs the charter in force for `organisation`: the time and the version are kept (and
    the change is a line of the audit trail). `version` is the one the page showed: a charter changed
    meanwhile is never signed unread."""
    if not accepted:
        raise ValidationError({"accepted": CHARTER_REFUSED})
    if version != charter.VERSION:
        raise ApplicationError("La charte a changé depuis l'ouverture de la page : relisez-la avant de la signer.")
    profile = _own_profile(actor=actor, organisation=organisation)
    profile.charter_signed_at = timezone.now()
    profile.charter_version = charter.VERSION
    profile.full_clean()
    profile.save()
    return profile


@transaction.atomic
def caller_languages_update(*, actor: User, organisation: Organisation, languages: list[str]) -> CallerProfile:
    """The actor says which languages they speak besides French."""
    profile = _own_profile(actor=actor, organisation=organisation)
    profile.languages = list(languages)
    profile.full_clean()
    profile.save()
    return profile


@transaction.atomic
def availability_slot_create(*, actor: User, organisation: Organisation, weekday: int, start, end) -> AvailabilitySlot:
    """Add a weekly slot to the actor's own availability; refused (field errors, in French) when it
    ends before it starts or overlaps another slot of the same day."""
    profile = _own_profile(actor=actor, organisation=organisation)
    # Two slots added at once must not both pass the overlap check: the profile's row is the lock.
    CallerProfile.objects.select_for_update().filter(pk=profile.pk).first()
    slot = AvailabilitySlot(profile=profile, weekday=weekday, start=start, end=end)
    slot.full_clean()
    slot.save()
    return slot


@transaction.atomic
def availability_slot_delete(*, actor: User, organisation: Organisation, slot: AvailabilitySlot) -> None:
    """Remove one of the actor's own slots."""
    if slot.profile.user_id != actor.pk or slot.profile.organisation_id != getattr(organisation, "pk", None):
        raise ApplicationError("Ce créneau n'est pas le vôtre.")
    slot.delete()


@transaction.atomic
def caller_add(*, actor: User, organisation: Organisation, membership: Membership) -> CallerProfile:
    """The register manager puts a member of the organisation (volunteer or agent who may take calls)
    on the callers' list, or back on it. The member still signs the charter before any call."""
    if not access.can_manage_callers(actor, organisation):
        raise ApplicationError("Seul·e le ou la gestionnaire du registre tient la liste des appelant·es.")
    if (
        membership.organisation_id != organisation.pk
        or not membership.is_active
        or not membership.user.is_active
        or membership.role not in access.CALLER_ROLES
    ):
        raise ValidationError(
            {"membership": "« Membre » : choisissez un ou une bénévole ou un agent de la structure."}
        )
    profile, _ = CallerProfile.objects.get_or_create(user=membership.user, organisation=organisation)
    profile.is_active = True
    profile.full_clean()
    profile.save()
    return profile


@transaction.atomic
def caller_deactivate(*, actor: User, organisation: Organisation, profile: CallerProfile) -> CallerProfile:
    """The register manager takes a caller off the list: no call is given to them any more. Their
    signature, languages and slots are kept, for the day they come back."""
    if not access.can_manage_callers(actor, organisation) or profile.organisation_id != organisation.pk:
        raise ApplicationError("Seul·e le ou la gestionnaire du registre tient la liste des appelant·es.")
    profile.is_active = False
    profile.full_clean()
    profile.save()
    return profile
