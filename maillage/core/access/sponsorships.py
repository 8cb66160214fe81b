"""Sponsorships (« parrainages », issue 13): the register manager of the organisation reads and
keeps them all; a volunteer reads only their own running sponsorships — the person's name and the
next call's date, nothing of the register entry (guide VISA: a sponsor is a caller like the others,
who sees a person's sheet only while a call to them is assigned). Nobody else sees them."""

from django.http import Http404

from maillage.core.access.base import role_in
from maillage.core.access.register import can_manage_register
from maillage.core.enums import Role
from maillage.core.models import Organisation, User

__all__ = ["get_sponsorship_for", "sponsorships_of_volunteer", "sponsorships_visible_to"]

SPONSORSHIP_PATH = "sponsorship"


def sponsorships_visible_to(user: User, organisation: Organisation | None):
    """The organisation's sponsorships, for its register manager; nothing for anyone else."""
    from maillage.register.models import Sponsorship

    if not can_manage_register(user, organisation):
        return Sponsorship.objects.none()
    return Sponsorship.objects.filter(organisation=organisation).select_related(
        "entry__person", "volunteer", "spacing_announced_by"
    )


def get_sponsorship_for(user: User, organisation: Organisation | None, pk):
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("Parrainage introuvable.") from None
    sponsorship = sponsorships_visible_to(user, organisation).filter(pk=pk).first()
    if sponsorship is None:
        raise Http404("Parrainage introuvable.")
    return sponsorship


def sponsorships_of_volunteer(user: User, organisation: Organisation | None):
    """The volunteer's running sponsorships in the organisation they work for, the entry still
    active; nothing for another role or a former member."""
    from maillage.register.enums import EntryStatus
    from maillage.register.models import Sponsorship

    if role_in(user, organisation) != Role.VOLUNTEER:
        return Sponsorship.objects.none()
    return Sponsorship.objects.filter(
        organisation=organisation, volunteer=user, ended_on__isnull=True, entry__status=EntryStatus.ACTIVE
    ).select_related("entry__person", "spacing_announced_by")
