"""Referrals (« orientations », issue 14).

- **The sender's side**: the organisation responsible for the person's file orients the person; its
  members who change files (reception, coordination, register) send and cancel, and everyone whose
  grant reads the organisation's activity on the file reads its referrals (`PersonGrant.referrals`).
- **The partner's side** is a grant of its own (`ReferralGrant`, path « orientation reçue »): a member
  of the organisation the referral is addressed to, in a role that receives referrals (partner
  professional, reception, coordination, direction — not a volunteer, an administrator or a
  data-protection officer), working for it, past the second factor, reads *only the referral's
  shared set* (`referrals.sharing.shared_record`) while the referral is open (sent, received,
  accepted, in progress) and the person's consent to it is in force. A declined, redirected, closed
  or cancelled referral, a withdrawn consent, an ended membership: no grant, at once.
"""

from dataclasses import dataclass

from django.http import Http404

from maillage.core.access.base import Perm, has_perm, is_verified_session, role_in
from maillage.core.access.grants import person_grant
from maillage.core.enums import Role
from maillage.core.models import Organisation, User

__all__ = [
    "REFERRAL_INBOX_ROLES",
    "RECEIVED_FIGURES_ROLES",
    "SENT_FIGURES_ROLES",
    "ReferralGrant",
    "can_refer_person",
    "can_use_referral_inbox",
    "can_view_received_referral_figures",
    "can_view_sent_referral_figures",
    "get_sent_referral_for",
    "referral_grant_for",
    "referrals_addressed_to",
]

REFERRAL_PATH = "referral"
REFERRAL_INBOX_ROLES = frozenset({Role.PARTNER, Role.RECEPTION_AGENT, Role.COORDINATOR, Role.DIRECTOR})
#: The referrals' figures (issue 14, point 6): counts and delays, no person named. Those who steer the
#: organisation's activity and write its activity report or its share of the observatory (ABS).
SENT_FIGURES_ROLES = frozenset({Role.DIRECTOR, Role.COORDINATOR})
#: ... and, for the referrals addressed to it, the partner professional: in an association or a home
#: help service, often the only account, and those figures describe its own work.
RECEIVED_FIGURES_ROLES = frozenset({Role.DIRECTOR, Role.COORDINATOR, Role.PARTNER})


def can_refer_person(user: User, organisation: Organisation | None, person) -> bool:
    """The organisation responsible for the file orients the person, through a role that changes
    files (reception, coordination, register): the consent it records is its own."""
    if person is None or person.organisation_id != getattr(organisation, "pk", None):
        return False
    return has_perm(user, organisation, Perm.CHANGE_PERSON)


def can_use_referral_inbox(user: User, organisation: Organisation | None) -> bool:
    """Members of the organisation who receive referrals addressed to it (REFERRAL_INBOX_ROLES)."""
    return role_in(user, organisation) in REFERRAL_INBOX_ROLES


def can_view_sent_referral_figures(user: User, organisation: Organisation | None) -> bool:
    """The director (or elected official) and the coordinators read the figures of the referrals their
    organisation sent: counts by partner, service, need, urgency and outcome, the partners' delays.
    Not the reception agent nor the register manager (they send, they do not steer), not a volunteer,
    the administrator (accounts) or the DPO (the trail)."""
    return role_in(user, organisation) in SENT_FIGURES_ROLES


def can_view_received_referral_figures(user: User, organisation: Organisation | None) -> bool:
    """The director, the coordinators and the partner professionals read the figures of the
    referrals addressed to their organisation (by sending organisation, service, outcome, own delays)."""
    return role_in(user, organisation) in RECEIVED_FIGURES_ROLES


def referrals_addressed_to(user: User, organisation: Organisation | None):
    """The referrals addressed to the organisation (never its drafts' senders' drafts), for the
    members of its inbox; nothing for anyone else. A list: the person's name is shown only for the
    open ones (`ReferralGrant`), the others keep their service, dates and outcome."""
    from maillage.referrals.enums import ReferralStatus
    from maillage.referrals.models import Referral

    if not can_use_referral_inbox(user, organisation):
        return Referral.objects.none()
    return Referral.objects.filter(to_organisation=organisation).exclude(status=ReferralStatus.DRAFT)


@dataclass(frozen=True, eq=False)
class ReferralGrant:
    """A partner's opening of one referral addressed to its organisation: the shared set only."""

    user: User
    organisation: Organisation
    referral: object  # referrals.Referral
    path: str = REFERRAL_PATH

    def shared(self) -> dict:
        from maillage.referrals.sharing import shared_record

        return shared_record(self.referral)

    def document(self, pk):
        """One of the documents the sender chose to share; 404 for any other."""
        document = self.referral.shared_documents.filter(pk=_int(pk)).first()
        if document is None:
            raise Http404("Document introuvable.")
        return document

    def record(self, request, what: str):
        from maillage.core.audit import record_access

        return record_access(request, self.referral.person, what=what, access_path=self.path)


def referral_grant_for(request, pk) -> ReferralGrant:
    """The request user's grant on the referral `pk` addressed to the organisation they work for:
    open, its consent in force, for a role that receives referrals; 404 for an absent referral and a
    refused one alike."""
    from maillage.referrals.models import OPEN_FOR_PARTNER

    user = request.user
    organisation = getattr(request, "organisation", None)
    if not user.is_authenticated or not is_verified_session(user):
        raise Http404("Orientation introuvable.")
    referral = (
        referrals_addressed_to(user, organisation)
        .filter(pk=_int(pk), status__in=OPEN_FOR_PARTNER)
        .filter(consent__withdrawn_at__isnull=True, consent__partner=organisation)
        .select_related("person", "to_service", "from_organisation", "sender", "consent")
        .first()
    )
    if referral is None:
        raise Http404("Orientation introuvable.")
    return ReferralGrant(user=user, organisation=organisation, referral=referral)


def get_sent_referral_for(request, pk):
    """A referral the organisation the user works for sent, with the user's grant on the person's
    file (which must read the organisation's activity); 404 otherwise. Returns (grant, referral)."""
    from maillage.referrals.models import Referral

    organisation = getattr(request, "organisation", None)
    referral = (
        Referral.objects.filter(pk=_int(pk), from_organisation=organisation)
        .select_related("person", "to_service", "to_organisation", "sender", "consent")
        .first()
        if organisation is not None
        else None
    )
    if referral is None:
        raise Http404("Orientation introuvable.")
    grant = person_grant(request.user, organisation, referral.person)
    if grant is None or not grant.referrals().filter(pk=referral.pk).exists():
        raise Http404("Orientation introuvable.")
    return grant, referral


def _int(pk) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404("Page introuvable.") from None
