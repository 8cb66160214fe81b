"""The register of vulnerable persons and its call campaigns (issue 13).

- **The register** is the register manager's (« gestionnaire du registre ») of the organisation that
  keeps it, working for that organisation: nobody else reads it — not the other roles of the same
  organisation, not another organisation. The data-protection officer reads its trail, not its
  entries.
- **A call** opens a minimal sheet of one person to the caller it is assigned to, while it is
  assigned and open, in an open campaign whose crisis (if any) has not ended, for a caller who may
  take calls in that organisation (an active membership with a calling role; see `may_take_calls`).
  It is a grant of its own kind (`CallGrant`, path « appel attribué »), logged like the others.
"""

from dataclasses import dataclass

from django.http import Http404

from maillage.core.access.base import is_verified_session, role_in
from maillage.core.enums import Role
from maillage.core.models import Organisation, User

__all__ = [
    "CallGrant",
    "call_grant_for",
    "calls_assigned_to",
    "campaigns_visible_to",
    "can_manage_register",
    "can_view_crisis_dashboard",
    "crises_readable_by",
    "crises_visible_to",
    "entries_visible_to",
    "escalations_visible_to",
    "get_call_for_caller",
    "get_campaign_for",
    "get_campaign_for_caller",
    "get_crisis_for",
    "get_entry_for",
    "get_escalation_for",
    "get_readable_crisis_for",
    "may_take_calls",
    "users_who_may_take_calls",
]

CALL_ASSIGNMENT_PATH = "call_assignment"


def can_manage_register(user: User, organisation: Organisation | None) -> bool:
    """Only the register manager of the organisation, working for it, reads and keeps its register,
    its crises and its campaigns (CASF R121-2 to R121-12: the register is confidential)."""
    return role_in(user, organisation) == Role.REGISTER_MANAGER


def _scoped(model, user, organisation):
    if not can_manage_register(user, organisation):
        return model.objects.none()
    return model.objects.filter(organisation=organisation)


def entries_visible_to(user: User, organisation: Organisation | None):
    """The organisation's register entries, for its register manager; nothing for anyone else."""
    from maillage.register.models import RegisterEntry

    return _scoped(RegisterEntry, user, organisation).select_related("person", "organisation")


def get_entry_for(user: User, organisation: Organisation | None, pk):
    entry = entries_visible_to(user, organisation).filter(pk=_int(pk)).first()
    if entry is None:
        raise Http404("Inscription introuvable.")
    return entry


def crises_visible_to(user: User, organisation: Organisation | None):
    from maillage.register.models import Crisis

    return _scoped(Crisis, user, organisation)


def get_crisis_for(user: User, organisation: Organisation | None, pk):
    crisis = crises_visible_to(user, organisation).filter(pk=_int(pk)).first()
    if crisis is None:
        raise Http404("Crise introuvable.")
    return crisis


def campaigns_visible_to(user: User, organisation: Organisation | None):
    from maillage.register.models import CallCampaign

    return _scoped(CallCampaign, user, organisation).select_related("crisis")


def get_campaign_for(user: User, organisation: Organisation | None, pk):
    campaign = campaigns_visible_to(user, organisation).filter(pk=_int(pk)).first()
    if campaign is None:
        raise Http404("Campagne introuvable.")
    return campaign


def escalations_visible_to(user: User, organisation: Organisation | None):
    from maillage.register.models import Escalation

    return _scoped(Escalation, user, organisation).select_related("entry__person", "call")


# --- Callers -------------------------------------------------------------------------------------


def may_take_calls(user: User, organisation: Organisation | None) -> bool:
    """The user may take calls for the organisation (`access.can_take_calls`: a calling role, an
    active caller profile and the charter in force signed)."""
    from maillage.core.access.volunteers import can_take_calls

    return can_take_calls(user, organisation)


def users_who_may_take_calls(users, organisation: Organisation | None) -> set[int]:
    """The ids of those among `users` who may take calls for the organisation (`may_take_calls`),
    asked in one query for a campaign's hundreds of callers rather than one per caller."""
    from maillage.volunteers.selectors import callers_for

    if organisation is None:
        return set()
    ids = {u.pk for u in users if u.is_authenticated and u.is_active and is_verified_session(u)}
    if not ids:
        return set()
    return set(callers_for(organisation).filter(user_id__in=ids).values_list("user_id", flat=True))


def calls_assigned_to(user: User, organisation: Organisation | None):
    """The open calls assigned to the user in the organisation's open campaigns, if they may take
    calls there; nothing otherwise."""
    from maillage.register.enums import CallStatus, CampaignStatus
    from maillage.register.models import Call

    if organisation is None or not may_take_calls(user, organisation):
        return Call.objects.none()
    return Call.objects.filter(
        assigned_to=user,
        status__in=[CallStatus.ASSIGNED, CallStatus.RETRY],
        campaign__organisation=organisation,
        campaign__status=CampaignStatus.OPEN,
        campaign__crisis__ended_at__isnull=True,
    )


def get_campaign_for_caller(user: User, organisation: Organisation | None, pk):
    """A campaign of the organisation the user works for, of which they are one of the callers and
    while they may take calls there (whatever its state: the service says why it gives nothing);
    404 for an absent campaign and a refused one alike."""
    from maillage.register.models import CallCampaign

    if organisation is None or not may_take_calls(user, organisation):
        raise Http404("Campagne introuvable.")
    campaign = (
        CallCampaign.objects.filter(pk=_int(pk), organisation=organisation, callers=user)
        .select_related("crisis", "organisation")
        .first()
    )
    if campaign is None:
        raise Http404("Campagne introuvable.")
    return campaign


def get_call_for_caller(user: User, organisation: Organisation | None, pk):
    """A call assigned to the user in the organisation they work for, while they may take calls there,
    in whatever state (an outcome posted twice is refused by the service, with its reason); it opens no
    data of the person. 404 for an absent call and another caller's alike."""
    from maillage.register.models import Call

    if organisation is None or not may_take_calls(user, organisation):
        raise Http404("Appel introuvable.")
    call = Call.objects.filter(pk=_int(pk), assigned_to=user, campaign__organisation=organisation).first()
    if call is None:
        raise Http404("Appel introuvable.")
    return call


@dataclass(frozen=True, eq=False)
class CallGrant:
    """A caller's opening of one call's minimal sheet (guide VISA: identity, age, address, phone,
    e-mail, the legal representative's contact, and the help needs — nothing else)."""

    user: User
    organisation: Organisation
    call: object  # register.Call
    path: str = CALL_ASSIGNMENT_PATH

    def sheet(self):
        from django.db.models import Prefetch, prefetch_related_objects

        from maillage.people.models import PersonAddress
        from maillage.register.sharing import caller_sheet

        # The address with its commune in one query (the sheet reads both).
        addresses = Prefetch("addresses", queryset=PersonAddress.objects.select_related("commune"))
        prefetch_related_objects([self.call.person], addresses)
        return caller_sheet(self.call)

    def record(self, request, what: str):
        from maillage.core.audit import record_access

        return record_access(request, self.call.person, what=what, access_path=self.path)


def call_grant_for(request, pk) -> CallGrant:
    """The request user's grant on the call `pk`: assigned to them, open, in an open campaign of the
    organisation they work for; 404 for an absent call and a refused one alike."""
    user = request.user
    organisation = getattr(request, "organisation", None)
    if not user.is_authenticated or not is_verified_session(user):
        raise Http404("Appel introuvable.")
    call = (
        calls_assigned_to(user, organisation)
        .select_related("campaign", "entry", "person", "campaign__crisis")
        .filter(pk=_int(pk))
        .first()
    )
    if call is None:
        raise Http404("Appel introuvable.")
    return CallGrant(user=user, organisation=organisation, call=call)


def _int(pk) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404("Page introuvable.") from None


# --- Crises: the director's read-only view (issue 13, point 8) -------------------------------------


def can_view_crisis_dashboard(user: User, organisation: Organisation | None) -> bool:
    """The register manager, and the director (or elected official) of the organisation, read its
    crises and their live dashboard: counts by commune and by caller, no person named. Only the
    register manager activates or ends a crisis, sees the alerts (which name persons), handles
    them and produces the transmission to the prefect."""
    role = role_in(user, organisation)
    return role in (Role.REGISTER_MANAGER, Role.DIRECTOR)


def crises_readable_by(user: User, organisation: Organisation | None):
    """The organisation's crises for those who read its crisis dashboard; nothing for anyone else."""
    from maillage.register.models import Crisis

    if not can_view_crisis_dashboard(user, organisation):
        return Crisis.objects.none()
    return Crisis.objects.filter(organisation=organisation)


def get_readable_crisis_for(user: User, organisation: Organisation | None, pk):
    crisis = crises_readable_by(user, organisation).filter(pk=_int(pk)).first()
    if crisis is None:
        raise Http404("Crise introuvable.")
    return crisis


def get_escalation_for(user: User, organisation: Organisation | None, pk):
    """One of the organisation's alerts, for its register manager; 404 otherwise."""
    escalation = escalations_visible_to(user, organisation).filter(pk=_int(pk)).first()
    if escalation is None:
        raise Http404("Alerte introuvable.")
    return escalation
