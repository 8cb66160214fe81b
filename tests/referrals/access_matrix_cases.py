"""The referral pages' rows of the access matrix (tests/core/test_access_matrix.py).

A referral sent by « own » goes to a third organisation's service; a referral addressed to « own »
comes from a third organisation. The « other » organisation's referrals are absent (404) for every
role of « own »."""

from django.core.files.uploadedfile import SimpleUploadedFile

from maillage.casework.models import Document
from maillage.core.enums import Role
from maillage.referrals.enums import ReferralStatus
from tests.core.factories import UserFactory
from tests.directory.factories import ServiceFactory
from tests.people.factories import PersonFactory
from tests.referrals.factories import ReferralFactory

CHANGE_PERSON = frozenset({Role.RECEPTION_AGENT, Role.COORDINATOR, Role.REGISTER_MANAGER})
VIEW_PERSON = CHANGE_PERSON | {Role.DIRECTOR, Role.DPO}
INBOX = frozenset({Role.PARTNER, Role.RECEPTION_AGENT, Role.COORDINATOR, Role.DIRECTOR})
#: The figures (issue 14, point 6): the sent part for direction and coordination, the received part
#: for them and the partner professional; the page answers 404 to a role that reads neither.
FIGURES = frozenset({Role.DIRECTOR, Role.COORDINATOR, Role.PARTNER})


def _figures_world(w):
    """Referrals « own » sent and received, and the « other » organisation's, none of which may show."""
    ReferralFactory(from_organisation=w.own)
    ReferralFactory(to_service=ServiceFactory(organisation=w.own))
    ReferralFactory(from_organisation=w.other)
    ReferralFactory(to_service=ServiceFactory(organisation=w.other))
    return {}


def _person(attr):
    return lambda w: {"person_pk": PersonFactory(organisation=getattr(w, attr)).pk}


def _sent(attr, **kwargs):
    return lambda w: {"pk": ReferralFactory(from_organisation=getattr(w, attr), **kwargs).pk}


def _received(attr, **kwargs):
    return lambda w: {"pk": ReferralFactory(to_service=ServiceFactory(organisation=getattr(w, attr)), **kwargs).pk}


def _respond(attr):
    return lambda w: {**_received(attr, status=ReferralStatus.RECEIVED)(w), "action": "accepter"}


def _document(attr):
    def make(w):
        referral = ReferralFactory(to_service=ServiceFactory(organisation=getattr(w, attr)))
        document = Document(
            person=referral.person,
            organisation=referral.from_organisation,
            kind="other",
            title="Courrier transmis",
            original_name="courrier.pdf",
            content_type="application/pdf",
            size=8,
            retain_until="2099-01-01",
            uploaded_by=UserFactory(),
        )
        document.file.save("courrier.pdf", SimpleUploadedFile("courrier.pdf", b"%PDF-1.4"), save=False)
        document.save()
        referral.shared_documents.add(document)
        return {"pk": referral.pk, "document_pk": document.pk}

    return make


def _link_token(w):
    """A link e-mailed to a partner without an account, for a referral « own » sent."""
    from maillage.referrals.links import create_link

    referral = ReferralFactory(from_organisation=w.own, recipient_email="partenaire@example.org")
    _link, token = create_link(referral)
    return {"token": token}


#: The pages of a partner without an account (decision « nolink »): reached without logging in, by
#: anyone — the link sends on to the code page; without the code's session, the rest is 404 for every
#: role and for the anonymous alike.
REFERRAL_LINK_PUBLIC = {
    "referrals:link_open",
    "referrals:link_code",
    "referrals:link_detail",
    "referrals:link_document",
    "referrals:link_first_contact",
    "referrals:link_respond",
}
NOBODY = frozenset()


def referral_cases(Case):  # noqa: N803 — the matrix's Case class, passed in to avoid an import cycle
    return [
        Case("referrals:create", kwargs=_person("own"), other_kwargs=_person("other"), allowed=CHANGE_PERSON),
        Case(
            "referrals:create",
            kwargs=_person("own"),
            other_kwargs=_person("other"),
            allowed=CHANGE_PERSON,
            method="post",
        ),
        Case(
            "referrals:choose_person",
            kwargs=lambda w: {"service_pk": ServiceFactory().pk},
            allowed=CHANGE_PERSON,
        ),
        Case("referrals:sent_detail", kwargs=_sent("own"), other_kwargs=_sent("other"), allowed=VIEW_PERSON),
        Case("referrals:cancel", kwargs=_sent("own"), other_kwargs=_sent("other"), allowed=CHANGE_PERSON),
        Case(
            "referrals:cancel",
            kwargs=_sent("own"),
            other_kwargs=_sent("other"),
            allowed=CHANGE_PERSON,
            method="post",
            allowed_status=(302,),
        ),
        Case(
            "referrals:send_draft",
            kwargs=_sent("own", status=ReferralStatus.DRAFT, sent_at=None),
            other_kwargs=_sent("other", status=ReferralStatus.DRAFT, sent_at=None),
            allowed=CHANGE_PERSON,
        ),
        Case("referrals:inbox", allowed=INBOX),
        Case("referrals:figures", kwargs=_figures_world, allowed=FIGURES),
        Case("referrals:figures", kwargs=_figures_world, allowed=FIGURES, data={"format": "csv"}),
        Case("referrals:received_detail", kwargs=_received("own"), other_kwargs=_received("other"), allowed=INBOX),
        Case("referrals:respond", kwargs=_respond("own"), other_kwargs=_respond("other"), allowed=INBOX),
        Case(
            "referrals:respond",
            kwargs=_respond("own"),
            other_kwargs=_respond("other"),
            allowed=INBOX,
            method="post",
            allowed_status=(302,),
        ),
        Case("referrals:shared_document", kwargs=_document("own"), other_kwargs=_document("other"), allowed=INBOX),
        # The accompanied first contact, on either side of an open referral.
        Case("referrals:sent_first_contact", kwargs=_sent("own"), other_kwargs=_sent("other"), allowed=CHANGE_PERSON),
        Case(
            "referrals:sent_first_contact",
            kwargs=_sent("own"),
            other_kwargs=_sent("other"),
            allowed=CHANGE_PERSON,
            method="post",
            data={"step": "plan", "plan-accompanied_by": "Sa fille"},
            allowed_status=(302,),
        ),
        Case(
            "referrals:received_first_contact",
            kwargs=_received("own"),
            other_kwargs=_received("other"),
            allowed=INBOX,
        ),
        Case(
            "referrals:received_first_contact",
            kwargs=_received("own"),
            other_kwargs=_received("other"),
            allowed=INBOX,
            method="post",
            data={"step": "plan", "plan-accompanied_by": "Personne"},
            allowed_status=(302,),
        ),
        Case("referrals:link_open", kwargs=_link_token, allowed_status=(302,), anonymous_status=(302,)),
        Case("referrals:link_code", allowed=NOBODY, anonymous_status=(404,)),
        Case("referrals:link_code", allowed=NOBODY, method="post", anonymous_status=(404,)),
        Case("referrals:link_detail", allowed=NOBODY, anonymous_status=(404,)),
        Case("referrals:link_first_contact", allowed=NOBODY, anonymous_status=(404,)),
        Case("referrals:link_first_contact", allowed=NOBODY, method="post", anonymous_status=(404,)),
        Case(
            "referrals:link_document",
            kwargs=lambda w: {"document_pk": 1},
            allowed=NOBODY,
            anonymous_status=(404,),
        ),
        Case(
            "referrals:link_respond",
            kwargs=lambda w: {"action": "accepter"},
            allowed=NOBODY,
            anonymous_status=(404,),
        ),
        Case(
            "referrals:link_respond",
            kwargs=lambda w: {"action": "accepter"},
            allowed=NOBODY,
            method="post",
            anonymous_status=(404,),
        ),
    ]


#: The partner API (decision 60): a bearer key only. A session, whatever its role and second
#: factor, opens nothing (401): the key's own matrix is in tests/referrals/test_api.py.
REFERRAL_API = {
    "referrals_api:list",
    "referrals_api:detail",
    "referrals_api:receive",
    "referrals_api:accept",
    "referrals_api:decline",
    "referrals_api:redirect",
    "referrals_api:start",
    "referrals_api:close",
}


def referral_api_cases(Case):  # noqa: N803
    cases = [
        Case("referrals_api:list", allowed=NOBODY, refused_status=(401,), anonymous_status=(401,)),
        Case(
            "referrals_api:detail",
            kwargs=_received("own"),
            allowed=NOBODY,
            refused_status=(401,),
            anonymous_status=(401,),
        ),
    ]
    for name in sorted(REFERRAL_API - {"referrals_api:list", "referrals_api:detail"}):
        cases.append(
            Case(
                name,
                kwargs=_received("own", status=ReferralStatus.RECEIVED),
                allowed=NOBODY,
                method="post",
                data={"note": "Vu", "outcome": "need_met", "service_id": 1},
                content_type="application/json",
                refused_status=(401,),
                anonymous_status=(401,),
            )
        )
    return cases
