"""The grant: how a user opens a person's file, decided once per request (issue 10; decisions.md 23).

A person's file is opened only through a `PersonGrant`, returned by `person_grant(user, organisation,
person)`. There are three paths, and no other:

- **own organisation** (« structure responsable »): the person belongs to the organisation the user
  works for, and the user's role there reads files (reception, coordination, register, direction,
  data protection). The whole file.
- **care team** (« équipe autour de la personne »): the user is an active member of the person's
  care team *for the organisation they are working for now*, holds a social role there (not a
  volunteer, partner or administrator), and — when that organisation is not the person's — the
  person's consent to share with it is in force. The whole file but the other organisations' own
  activity (their requests, their « my organisation » and « author only » notes).
- **break-glass** (« accès exceptionnel »): an emergency access in force, asked by the user for the
  organisation they are working for, whose role there may still ask for one. By default the minimal
  emergency set: identity and contacts, the legal representative and the persons to warn, the care
  team and the current plan's « who to call ». The whole file only when the access was asked as
  such, with a longer reason, by a role that coordinates care (`BREAK_GLASS_FULL_ROLES`).

Everything else — an ended membership, a deactivated account or organisation, a withdrawn consent, a
removed care-team member, an expired break-glass, a session without its second factor — gives no
grant, at once: nothing is cached beyond the request.

A grant says which *parts* of the file it opens (`Part`), and gives the querysets of those parts
(notes by visibility, requests by organisation, documents, plans, assessments, relations, …): views,
selectors, the timeline, the exports and the PDFs read the file through it, never through a bare
person. Each opening is written in the trail once, with the grant's path (and, for a break-glass,
its reason): `grant.record(request, what, obj)`.
"""

import datetime
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from maillage.core.access.base import Perm, has_perm, is_verified_session, role_in
from maillage.core.enums import Role
from maillage.core.models import Organisation, User


class GrantPath(StrEnum):
    OWN_ORGANISATION = "organisation"
    CARE_TEAM = "care_team"
    BREAK_GLASS = "break_glass"

    @property
    def label(self) -> str:
        return GRANT_PATH_LABELS[self]


GRANT_PATH_LABELS = {
    GrantPath.OWN_ORGANISATION: "structure responsable",
    GrantPath.CARE_TEAM: "équipe autour de la personne",
    GrantPath.BREAK_GLASS: "accès exceptionnel",
}


class Part(StrEnum):
    """The parts of a person's file a grant may open."""

    IDENTITY = "identity"  # names, birth, legal protection, addresses, phones, e-mails
    EMERGENCY_CONTACTS = "emergency_contacts"  # legal representative, persons to warn
    CARE_TEAM = "care_team"
    PLAN_CONTACTS = "plan_contacts"  # the current plan's « who to call »
    RELATIONS = "relations"  # the whole entourage
    CONSENTS = "consents"
    TIMELINE = "timeline"
    REQUESTS = "requests"
    CONTACTS = "contacts"
    ASSESSMENTS = "assessments"
    PLANS = "plans"
    NOTES = "notes"
    DOCUMENTS = "documents"


EVERY_PART = frozenset(Part)
# Guide of emergency access (decisions.md 23): who the person is, whom to call.
EMERGENCY_PARTS = frozenset({Part.IDENTITY, Part.EMERGENCY_CONTACTS, Part.CARE_TEAM, Part.PLAN_CONTACTS})

# Roles that may be in a person's care team and open the file through it: those who accompany
# people. A volunteer sees only call sheets, a partner only the referrals addressed to it, an
# administrator runs accounts, a data-protection officer watches — none of them follows a person.
CARE_TEAM_ROLES = frozenset({Role.RECEPTION_AGENT, Role.COORDINATOR, Role.REGISTER_MANAGER, Role.DIRECTOR})
# Roles whose break-glass may open the whole file (a care emergency needs the plan and the notes).
BREAK_GLASS_FULL_ROLES = frozenset({Role.COORDINATOR})


class BreakGlassScope(StrEnum):
    MINIMAL = "minimal"
    FULL = "full"


@dataclass(frozen=True, eq=False)
class PersonGrant:
    """Who opens which person's file, by which path, which parts, until when."""

    user: User
    organisation: Organisation
    person: object  # people.Person
    path: GrantPath
    parts: frozenset
    role: Role
    until: datetime.datetime | None = None
    reason: str = ""
    # The user is in the person's care team for this organisation, validly (social role, consent).
    in_care_team: bool = False
    # The user's role in the organisation they work for reads that organisation's activity (its
    # requests, its « my organisation » notes): decided with the grant, read by every scope.
    reads_own_activity: bool = False
    break_glass_id: int | None = None
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    # --- What the grant opens -------------------------------------------------------------------

    def allows(self, part: Part) -> bool:
        return part in self.parts

    def require(self, *parts: Part) -> "PersonGrant":
        """404 (as for an absent person) unless every part is open to this grant."""
        if not all(part in self.parts for part in parts):
            raise Http404("Page introuvable.")
        return self

    @property
    def is_break_glass(self) -> bool:
        return self.path == GrantPath.BREAK_GLASS

    @property
    def is_minimal(self) -> bool:
        return self.parts != EVERY_PART

    @property
    def reads_as_organisation(self) -> bool:
        """The user works for the person's organisation in a role that reads files."""
        return self.path == GrantPath.OWN_ORGANISATION

    def may_export(self) -> bool:
        """The right of access is answered by the responsible organisation's coordinator or DPO."""
        return self.reads_as_organisation and has_perm(self.user, self.organisation, Perm.EXPORT_PERSON)

    # --- The file's parts, scoped -----------------------------------------------------------------

    def _none_unless(self, part: Part, queryset):
        return queryset if part in self.parts else queryset.none()

    def relations(self):
        from maillage.people.enums import RelationKind

        qs = self.person.relations.all()
        if Part.RELATIONS in self.parts:
            return qs
        if Part.EMERGENCY_CONTACTS in self.parts:
            return qs.filter(Q(kind=RelationKind.LEGAL_REPRESENTATIVE) | Q(is_emergency_contact=True))
        return qs.none()

    def consents(self):
        return self._none_unless(Part.CONSENTS, self.person.consents.all())

    def care_team(self):
        return self._none_unless(Part.CARE_TEAM, self.person.care_team.all())

    def requests(self):
        """Requests are an organisation's activity: each organisation reads those it received."""
        from maillage.casework.models import Request

        qs = Request.objects.filter(person=self.person, organisation=self.organisation)
        if not self.reads_own_activity:
            return qs.none()
        return self._none_unless(Part.REQUESTS, qs)

    def referrals(self):
        """Referrals are an organisation's activity: each organisation reads those it sent (the
        partner reads a referral through its own grant, `access.referral_grant_for`)."""
        from maillage.referrals.models import Referral

        qs = Referral.objects.filter(person=self.person, from_organisation=self.organisation)
        if not self.reads_own_activity:
            return qs.none()
        return self._none_unless(Part.REQUESTS, qs)

    def contacts(self):
        from maillage.casework.models import Contact

        return self._none_unless(Part.CONTACTS, Contact.objects.filter(person=self.person))

    def assessments(self):
        from maillage.casework.models import Assessment

        return self._none_unless(Part.ASSESSMENTS, Assessment.objects.filter(person=self.person))

    def plans(self):
        from maillage.casework.models import CarePlan

        return self._none_unless(Part.PLANS, CarePlan.objects.filter(person=self.person))

    def plan_contacts(self):
        """The actions of the person's current plans (active, else draft): who provides what."""
        from maillage.casework.models import CarePlanAction

        if not (Part.PLANS in self.parts or Part.PLAN_CONTACTS in self.parts):
            return CarePlanAction.objects.none()
        return (
            CarePlanAction.objects.filter(plan__person=self.person, plan__status="active")
            .select_related("provider_organisation", "provider_service__organisation", "provider_member__user")
            .prefetch_related("provider_service__phones")
        )

    def documents(self):
        from maillage.casework.models import Document

        return self._none_unless(Part.DOCUMENTS, Document.objects.filter(person=self.person))

    def notes(self):
        """- « author only »: the author;
        - « my organisation »: members of the note's organisation whose role there reads files,
          working for it;
        - « care team »: the above, and the members of the person's care team (valid for the
          organisation they work for) and a full break-glass."""
        from maillage.casework.models import Note

        if Part.NOTES not in self.parts:
            return Note.objects.none()
        condition = Q(author=self.user, organisation=self.organisation)
        if self.reads_own_activity:
            condition |= Q(visibility__in=["organisation", "care_team"], organisation=self.organisation)
        if self.in_care_team or self.is_break_glass:
            condition |= Q(visibility="care_team")
        return Note.objects.filter(person=self.person).filter(condition)

    def keeps_register(self) -> bool:
        """The user keeps the register of the person's organisation: its register manager, working
        for it (the grant's path is the organisation's own)."""
        return self.path == GrantPath.OWN_ORGANISATION and self.role == Role.REGISTER_MANAGER

    def register_entries(self):
        """The person's entries in the register of the organisation the user works for: only for its
        register manager, reading the file as that organisation (CASF R121-6: the register is
        confidential; no other role, path or organisation learns that the person is on it)."""
        from maillage.register.models import RegisterEntry

        if not self.keeps_register():
            return RegisterEntry.objects.none()
        return RegisterEntry.objects.filter(person=self.person, organisation=self.organisation).order_by("-created_at")

    # --- The trail ----------------------------------------------------------------------------------

    def record(self, request, what: str, obj=None):
        """Write that the user opened `obj` (the person by default) under this grant: once per
        opening, with the path, and with the flag and reason of a break-glass."""
        from maillage.core.audit import record_access

        return record_access(
            request,
            obj if obj is not None else self.person,
            what=what,
            reason=self.reason if self.is_break_glass else "",
            access_path=self.path.value,
        )


def valid_care_team_member(user: User, organisation: Organisation | None, person):
    """The user's active care-team membership of `person` that opens the file while they work for
    `organisation`, or None."""
    if organisation is None or role_in(user, organisation) not in CARE_TEAM_ROLES:
        return None
    member = person.care_team.filter(user=user, organisation=organisation, removed_at__isnull=True).first()
    if member is None:
        return None
    if person.organisation_id != organisation.pk and not _sharing_consent_in_force(person, organisation):
        return None
    return member


def _sharing_consent_in_force(person, organisation) -> bool:
    from maillage.people.enums import ConsentScope

    return person.consents.filter(scope=ConsentScope.SHARING, partner=organisation, withdrawn_at__isnull=True).exists()


def _break_glass_in_force(user: User, organisation: Organisation, person):
    from maillage.casework.models import BreakGlassAccess

    if not has_perm(user, organisation, Perm.BREAK_GLASS):
        return None
    return (
        BreakGlassAccess.objects.filter(person=person, user=user, organisation=organisation)
        .filter(expires_at__gt=timezone.now())
        .order_by("-granted_at")
        .first()
    )


def person_grant(user: User, organisation: Organisation | None, person) -> PersonGrant | None:
    """The grant by which `user`, working for `organisation`, opens `person`'s file, or None.

    Paths, in this order: own organisation; care team; break-glass (module docstring)."""
    if person is None or not user.is_authenticated or not user.is_active or organisation is None:
        return None
    if not is_verified_session(user):
        return None
    role = role_in(user, organisation)  # None unless an active membership of an active organisation
    if role is None:
        return None
    reads_files = has_perm(user, organisation, Perm.VIEW_PERSON)
    member = valid_care_team_member(user, organisation, person)
    if person.organisation_id == organisation.pk and reads_files:
        return PersonGrant(
            user=user,
            organisation=organisation,
            person=person,
            path=GrantPath.OWN_ORGANISATION,
            parts=EVERY_PART,
            role=role,
            in_care_team=member is not None,
            reads_own_activity=reads_files,
        )
    if member is not None:
        return PersonGrant(
            user=user,
            organisation=organisation,
            person=person,
            path=GrantPath.CARE_TEAM,
            parts=EVERY_PART,
            role=role,
            in_care_team=True,
            reads_own_activity=reads_files,
        )
    opened = _break_glass_in_force(user, organisation, person)
    if opened is not None:
        full = opened.scope == BreakGlassScope.FULL and role in BREAK_GLASS_FULL_ROLES
        return PersonGrant(
            user=user,
            organisation=organisation,
            person=person,
            path=GrantPath.BREAK_GLASS,
            parts=EVERY_PART if full else EMERGENCY_PARTS,
            role=role,
            until=opened.expires_at,
            reason=opened.reason,
            break_glass_id=opened.pk,
            reads_own_activity=reads_files,
        )
    return None


_REQUEST_MEMO = "_maillage_person_grants"


def person_grant_for(request, pk, *parts: Part) -> PersonGrant:
    """Fetch the person `pk` and the request user's grant on it, once per request, requiring
    `parts`; 404 for an absent person and a refused one alike."""
    from maillage.people.models import Person

    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404("Personne introuvable.") from None
    memo = request.__dict__.setdefault(_REQUEST_MEMO, {})
    if key not in memo:
        person = Person.objects.select_related("organisation").filter(pk=key).first()
        memo[key] = person_grant(request.user, getattr(request, "organisation", None), person)
    grant = memo[key]
    if grant is None:
        raise Http404("Personne introuvable.")
    return grant.require(*parts)


def care_team_places(user: User, organisation: Organisation | None):
    """The user's care-team places that open a file while they work for `organisation`, by the rule
    of `valid_care_team_member` in one query: active places for that organisation, held by a role
    that accompanies persons, on the organisation's own persons or on persons whose consent to
    share with it is in force. A removed place, a withdrawn consent, an ended membership or a
    session without its second factor gives nothing."""
    from maillage.casework.models import CareTeamMember
    from maillage.people.enums import ConsentScope
    from maillage.people.models import Consent

    if organisation is None or not user.is_authenticated or not is_verified_session(user):
        return CareTeamMember.objects.none()
    if role_in(user, organisation) not in CARE_TEAM_ROLES:
        return CareTeamMember.objects.none()
    consented = Consent.objects.filter(
        scope=ConsentScope.SHARING, partner=organisation, withdrawn_at__isnull=True
    ).values("person_id")
    return CareTeamMember.objects.filter(user=user, organisation=organisation, removed_at__isnull=True).filter(
        Q(person__organisation=organisation) | Q(person_id__in=consented)
    )


def shared_person_ids(user: User, organisation: Organisation | None) -> list[int]:
    """The persons of other organisations whose file the user opens while working for
    `organisation`: valid care-team memberships and break-glass accesses in force. A short list,
    read at once (the planner then combines it with the organisation's own persons by key)."""
    from maillage.casework.models import BreakGlassAccess

    if organisation is None or not user.is_authenticated or not is_verified_session(user):
        return []
    ids: set[int] = set(care_team_places(user, organisation).values_list("person_id", flat=True))
    if has_perm(user, organisation, Perm.BREAK_GLASS):
        ids |= set(
            BreakGlassAccess.objects.filter(
                user=user, organisation=organisation, expires_at__gt=timezone.now()
            ).values_list("person_id", flat=True)
        )
    return sorted(ids)
