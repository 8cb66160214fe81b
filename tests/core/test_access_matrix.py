"""The access matrix: every URL the project defines, opened by a user of every role, on their own
organisation's objects and on another organisation's. Fails if a page leaks another
organisation's data or lets a role act beyond its rights, and if a URL is not in the matrix.

Each later app adds its URLs to CASES (house style, "The access matrix").
"""

from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from maillage.core.enums import Role
from maillage.ui.models import SiteIdentity
from tests.casework.access_matrix_assessments import assessment_cases
from tests.casework.access_matrix_care_team import care_team_cases
from tests.casework.access_matrix_cases import casework_requests_cases
from tests.conftest import login_verified
from tests.core.access_matrix_api_keys import api_key_cases
from tests.core.factories import MembershipFactory, MembershipInvitationFactory, OrganisationFactory
from tests.directory.access_matrix_cases import DIRECTORY_PUBLIC, directory_cases
from tests.people.access_matrix_cases import people_cases
from tests.referrals.access_matrix_cases import REFERRAL_API, REFERRAL_LINK_PUBLIC, referral_api_cases, referral_cases
from tests.register.access_matrix_calls import JSON_API, register_api_cases
from tests.register.access_matrix_campaigns import campaign_cases
from tests.register.access_matrix_cases import REGISTER_PUBLIC, register_cases
from tests.register.access_matrix_crises import crises_cases
from tests.register.access_matrix_imports import import_cases
from tests.register.access_matrix_sponsorships import sponsorship_cases
from tests.volunteers.access_matrix_cases import volunteers_cases

EVERY_ROLE = frozenset(Role)
OK = 200


@dataclass
class World:
    own: object
    other: object
    own_colleague: object
    other_member: object
    own_invitation: object
    other_invitation: object


@dataclass(frozen=True)
class Case:
    name: str
    kwargs: object = None  # World -> dict, for own organisation's objects
    other_kwargs: object = None  # World -> dict, the same page for the other organisation
    allowed: frozenset = EVERY_ROLE
    method: str = "get"
    # Status for an allowed role (200 unless the page redirects by design) and for a refused one.
    allowed_status: tuple = (OK,)
    refused_status: tuple = (404,)
    data: dict = field(default_factory=dict)
    content_type: str = ""  # a JSON API's body ("application/json"); form data when empty
    # For a page reached without logging in that answers otherwise than the login page (a referral's
    # link, decision « nolink »): the anonymous visitor's status.
    anonymous_status: tuple = ()


def _own(w):
    return {"pk": w.own.pk}


def _other(w):
    return {"pk": w.other.pk}


CASES = [
    Case("core:home", allowed_status=(302,)),
    Case("core:dashboard"),
    Case("core:login", allowed_status=(302,)),  # already logged in: sent on
    Case("core:logout", allowed_status=(405,)),  # GET refused: logout is a POST
    Case("core:otp_verify", allowed_status=(302,)),  # already verified
    Case("core:otp_setup"),  # verified: pairs a new phone, with the password
    Case("core:recovery_codes"),
    Case("core:password_change"),
    Case("core:password_change_done"),
    Case("core:password_reset"),
    Case("core:password_reset_done"),
    Case("core:password_reset_confirm", kwargs=lambda w: {"uidb64": "MQ", "token": "x-y"}),
    Case("core:password_reset_complete"),
    Case("core:organisation_switch", allowed_status=(405,)),
    Case("core:organisation_detail", kwargs=_own, other_kwargs=_other),
    Case("core:organisation_edit", kwargs=_own, other_kwargs=_other, allowed=frozenset({Role.ADMIN})),
    Case(
        "core:member_list",
        kwargs=_own,
        other_kwargs=_other,
        allowed=frozenset({Role.ADMIN, Role.DIRECTOR, Role.DPO}),
    ),
    Case("core:member_create", kwargs=_own, other_kwargs=_other, allowed=frozenset({Role.ADMIN})),
    Case(
        "core:member_edit",
        kwargs=lambda w: {"pk": w.own.pk, "membership_pk": w.own_colleague.pk},
        other_kwargs=lambda w: {"pk": w.other.pk, "membership_pk": w.other_member.pk},
        allowed=frozenset({Role.ADMIN}),
    ),
    Case(
        "core:member_reset_second_factor",
        kwargs=lambda w: {"pk": w.own.pk, "membership_pk": w.own_colleague.pk},
        other_kwargs=lambda w: {"pk": w.other.pk, "membership_pk": w.other_member.pk},
        allowed=frozenset({Role.ADMIN}),
        method="post",
        allowed_status=(200,),  # without the administrator's password: the form again, nothing reset
    ),
    Case(
        "core:invitation_withdraw",
        kwargs=lambda w: {"pk": w.own.pk, "invitation_pk": w.own_invitation.pk},
        other_kwargs=lambda w: {"pk": w.other.pk, "invitation_pk": w.other_invitation.pk},
        allowed=frozenset({Role.ADMIN}),
        method="post",
        allowed_status=(302,),
    ),
    # Invitations addressed to one's own account: every role reaches its own list; another
    # account's invitation is absent (404) for everyone.
    Case("core:invitation_list"),
    Case(
        "core:invitation_accept",
        kwargs=lambda w: {"pk": w.other_invitation.pk},
        allowed=frozenset(),
        method="post",
    ),
    Case(
        "core:invitation_decline",
        kwargs=lambda w: {"pk": w.other_invitation.pk},
        allowed=frozenset(),
        method="post",
    ),
    Case("core:audit_log", allowed=frozenset({Role.DPO})),
    Case("core:accessibility"),
    Case("core:legal_notice"),
    Case("core:personal_data"),
    Case("core:cookies"),
    Case("core:sitemap"),
    # The theme's files and the reader's display choice: public, the same for everyone.
    Case("ui:theme_css"),
    Case("ui:logo"),
    Case("ui:contrast_toggle", method="post", allowed_status=(302,), data={"next": "/connexion/"}),
]

CASES += directory_cases(Case)
CASES += people_cases(Case)
CASES += casework_requests_cases(Case)
CASES += assessment_cases(Case)
CASES += care_team_cases(Case)
CASES += register_cases(Case)
CASES += crises_cases(Case)
CASES += import_cases(Case)
CASES += volunteers_cases(Case)
CASES += sponsorship_cases(Case)
CASES += register_api_cases(Case)
CASES += campaign_cases(Case)
CASES += referral_cases(Case)
CASES += api_key_cases(Case)
CASES += referral_api_cases(Case)

# URL names outside the matrix on purpose: the technical administration (Django admin) has its own
# test below; debug-only helpers.
EXEMPT_PREFIXES = ("admin:",)


def _all_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _all_url_names(pattern, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_is_in_the_access_matrix():
    covered = {case.name for case in CASES}
    missing = {n for n in _all_url_names() if n not in covered and not n.startswith(EXEMPT_PREFIXES)}
    assert not missing, f"URLs absentes de la matrice d'accès : {sorted(missing)}"


# A person of the other organisation, with a note and a document: none of them may ever show.
OTHER_SECRETS = ("Omegasecretissime", "note-omega-confidentielle", "document-omega-confidentiel")


def _other_persons_file(other, author):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from maillage.casework.models import Document
    from tests.casework.factories_assessments import NoteFactory
    from tests.people.factories import PersonFactory

    person = PersonFactory(organisation=other, last_name=OTHER_SECRETS[0])
    NoteFactory(person=person, visibility="care_team", body=OTHER_SECRETS[1])
    document = Document(
        person=person,
        organisation=other,
        kind="other",
        title=OTHER_SECRETS[2],
        original_name="secret.pdf",
        content_type="application/pdf",
        size=9,
        retain_until="2099-01-01",
        uploaded_by=author,
    )
    document.file.save("secret.pdf", SimpleUploadedFile("secret.pdf", b"%PDF-1.4"), save=False)
    document.save()


@pytest.fixture
def world(db):
    SiteIdentity(
        name="CCAS témoin", logo=b'<svg xmlns="http://www.w3.org/2000/svg"/>', logo_content_type="image/svg+xml"
    ).save()
    own = OrganisationFactory(name="Structure Alpha")
    other = OrganisationFactory(name="Structure Oméga secrète")
    colleague = MembershipFactory(organisation=own, role=Role.RECEPTION_AGENT, user__email="collegue@alpha.fr")
    other_member = MembershipFactory(organisation=other, role=Role.ADMIN, user__email="secret@omega.fr")
    _other_persons_file(other, other_member.user)
    invited = MembershipFactory(role=Role.COORDINATOR, user__email="invitee@ailleurs.fr").user
    return World(
        own=own,
        other=other,
        own_colleague=colleague,
        other_member=other_member,
        own_invitation=MembershipInvitationFactory(organisation=own, user=invited),
        other_invitation=MembershipInvitationFactory(organisation=other, user=invited),
    )


def _request(client, case, kwargs):
    url = reverse(case.name, kwargs=kwargs or None)
    if case.content_type:
        return getattr(client, case.method)(url, data=case.data, content_type=case.content_type)
    return getattr(client, case.method)(url, data=case.data)


def _assert_no_leak(response, world):
    if response.status_code != 200 or not hasattr(response, "content"):
        return
    body = response.content.decode().lower()
    for secret in (world.other.name, world.other_member.user.email, world.other.siret, *OTHER_SECRETS):
        if secret:
            assert secret.lower() not in body, (
                f"{response.request['PATH_INFO']} montre « {secret} » d'une autre structure"
            )


MATRIX = [pytest.param(case, role, id=f"{case.name}-{role.value}") for case in CASES for role in Role]


@pytest.mark.parametrize(("case", "role"), MATRIX)
def test_role_on_own_organisation(client, world, case, role):
    membership = MembershipFactory(organisation=world.own, role=role)
    login_verified(client, membership.user)
    response = _request(client, case, case.kwargs(world) if case.kwargs else None)
    expected = case.allowed_status if role in case.allowed else case.refused_status
    assert response.status_code in expected, (
        f"{case.name} pour le rôle {role.value} : {response.status_code}, attendu {expected}"
    )
    _assert_no_leak(response, world)


CROSS = [
    pytest.param(case, role, id=f"{case.name}-{role.value}") for case in CASES if case.other_kwargs for role in Role
]


@pytest.mark.parametrize(("case", "role"), CROSS)
def test_role_cannot_open_other_organisation(client, world, case, role):
    membership = MembershipFactory(organisation=world.own, role=role)
    login_verified(client, membership.user)
    response = _request(client, case, case.other_kwargs(world))
    assert response.status_code == 404
    _assert_no_leak(response, world)


PUBLIC = {
    "core:login",
    "core:password_reset",
    "core:password_reset_done",
    "core:password_reset_confirm",
    "core:password_reset_complete",
    "core:accessibility",
    "core:legal_notice",
    "core:personal_data",
    "core:cookies",
    "core:sitemap",
    "core:home",
    "ui:theme_css",
    "ui:logo",
    "ui:contrast_toggle",
} | DIRECTORY_PUBLIC
PUBLIC |= REGISTER_PUBLIC
PUBLIC |= REFERRAL_LINK_PUBLIC


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_anonymous_reaches_only_public_pages(client, world, case):
    response = _request(client, case, case.kwargs(world) if case.kwargs else None)
    if case.name in JSON_API:  # a JSON API answers 401, not the login page
        assert response.status_code == 401, case.name
    elif case.anonymous_status:
        assert response.status_code in case.anonymous_status, case.name
    elif case.name in PUBLIC:
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("core:login"))
    else:
        assert response.status_code in (302, 405), case.name
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("core:login"))
    _assert_no_leak(response, world)


@pytest.mark.parametrize("case", [c for c in CASES if c.name not in PUBLIC], ids=lambda c: c.name)
def test_password_without_second_factor_reaches_nothing(client, world, case):
    """After the password alone, every page but the second-factor ones sends to the second factor."""
    membership = MembershipFactory(organisation=world.own, role=Role.ADMIN)
    client.force_login(membership.user, backend="maillage.core.auth_backends.EmailBackend")
    response = _request(client, case, case.kwargs(world) if case.kwargs else None)
    if case.name in {"core:otp_setup", "core:logout"}:
        assert response.status_code in (200, 405)
    elif case.name in JSON_API:  # a JSON API answers 403, not the second-factor page
        assert response.status_code == 403, case.name
    elif case.name in REFERRAL_API:  # the partner API reads no session at all: 401
        assert response.status_code == 401, case.name
    else:
        assert response.status_code in (302, 405), case.name
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("core:otp_setup"))


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_technical_admin_is_closed_to_every_role(client, world, role):
    membership = MembershipFactory(organisation=world.own, role=role)
    login_verified(client, membership.user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
