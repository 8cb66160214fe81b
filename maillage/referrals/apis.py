"""The partner API (issue 14, point 5), under /api/v1/: a partner's own software (an association's
case tool) lists the referrals addressed to its organisation, reads one, and answers it — receive,
accept, decline, redirect, start, close — without a browser.

**Authentication**: a personal API key (`core.api_keys`, decision 60), header
`Authorization: Bearer <clé>`; nothing else — a session cookie opens nothing here (401), so there is
no CSRF to check. Each request re-checks the key (in force), the account (active) and the membership
(active, a role that receives referrals): 401 for a missing, unknown, revoked or expired key (one
message), 403 when the holder no longer receives the organisation's referrals. The request then acts
as the key's holder for the key's organisation, through the *same* grant as the web inbox
(`access.referral_grant_for`, path « referral »), and every answer through
`services.referral_transition` (same events, audit and e-mails; the event records the key).

Errors: `{"message", "extra"}` in French — 400 bad input (by field in `extra`), 404 a referral absent,
ended, withdrawn or not addressed to the key's organisation (alike), 409 a change the lifecycle
refuses, 429 too many requests with the key.
"""

import datetime
import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from pydantic import BaseModel, ConfigDict, Field

from maillage.core import access, api_keys, audit, ratelimit
from maillage.core.audit import audit_context
from maillage.core.exceptions import ApplicationError
from maillage.directory.apis import error_response
from maillage.people.models import Person
from maillage.referrals import lifecycle, services
from maillage.referrals.enums import ReferralOutcome, ReferralStatus, ReferralUrgency
from maillage.referrals.lifecycle import Side
from maillage.referrals.models import OPEN_FOR_PARTNER
from maillage.referrals.sharing import REFERRAL_TYPE_CHOICES, REFERRAL_TYPES
from maillage.register.apis import SheetAddress, SheetIdentity, SheetLegalRepresentative, SheetPhone, _french_errors

API_RATE_LIMIT = 120
API_RATE_WINDOW = 60
REFUSED_RATE_LIMIT = 30  # requests with a refused key, per client address and minute
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 50
IDEMPOTENCY_SECONDS = 24 * 3600
NOTE_MAX_LENGTH = 2000
ANSWERABLE = [s.value for s in ReferralStatus if s != ReferralStatus.DRAFT]


# --- Schemas -----------------------------------------------------------------------------------------


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ServiceRef(Schema):
    id: str
    name: str


class OrganisationRef(Schema):
    name: str


class ReferralSummary(Schema):
    """One referral of the list. The person is named only while the referral is open (sent, received,
    accepted, in progress) and its consent in force; afterwards only the service, dates and outcome
    remain."""

    id: str
    status: Literal[tuple(ANSWERABLE)]
    status_label: str
    urgency: Literal[tuple(ReferralUrgency.values)]
    urgency_label: str
    referral_type: Literal[tuple(c for c, _ in REFERRAL_TYPE_CHOICES)]
    referral_type_label: str
    service: ServiceRef = Field(description="Le service de votre structure à qui l'orientation est adressée.")
    from_organisation: OrganisationRef = Field(description="La structure qui a orienté la personne.")
    person_name: str | None = Field(description="Nom et prénom, tant que l'orientation est ouverte ; sinon null.")
    overdue: bool = Field(description="Envoyée ou reçue, sans réponse après le délai de relance.")
    sent_at: datetime.datetime | None
    received_at: datetime.datetime | None
    answered_at: datetime.datetime | None
    started_at: datetime.datetime | None
    ended_at: datetime.datetime | None
    outcome: Literal[tuple(ReferralOutcome.values)] | None
    outcome_label: str | None


class ReferralPage(Schema):
    count: int = Field(description="Nombre d'orientations correspondant aux filtres.")
    page: int
    per_page: int
    next_page: int | None = Field(description="La page suivante, ou null.")
    results: list[ReferralSummary]


class SharedFields(Schema):
    """The person as the referral shares it: only the fields of its type (guide VISA's minimal set,
    never the benefits received nor health); a field the type does not share is absent."""

    identity: SheetIdentity | None = None
    age: int | None = None
    address: SheetAddress | None = None
    phones: list[SheetPhone] | None = None
    emails: list[str] | None = None
    legal_representative: SheetLegalRepresentative | None = None


class SharedDocument(Schema):
    id: str
    title: str


class ReferralEventOut(Schema):
    at: datetime.datetime
    from_status: str = Field(description="L'état d'avant (vide pour la création).")
    to_status: str
    to_status_label: str
    organisation: str = Field(description="La structure pour qui la personne a agi.")
    note: str


class ReferralDetail(ReferralSummary):
    reason: str = Field(description="Le motif de l'orientation, écrit par la structure qui oriente.")
    agreed_with_person: str
    needs: list[str] = Field(description="Les besoins d'aide nommés (libellés des dix besoins essentiels).")
    shared: SharedFields
    documents: list[SharedDocument] = Field(
        description="Les documents partagés (titres) ; ils se téléchargent depuis la page web de l'orientation."
    )
    events: list[ReferralEventOut]
    allowed_actions: list[Literal["receive", "accept", "decline", "redirect", "start", "close"]] = Field(
        description="Les réponses que l'état permet."
    )


class ReferralState(Schema):
    id: str
    status: Literal[tuple(ANSWERABLE)]
    status_label: str
    outcome: Literal[tuple(ReferralOutcome.values)] | None
    outcome_label: str | None
    allowed_actions: list[str]


class NoteIn(Schema):
    note: str = Field("", max_length=NOTE_MAX_LENGTH, description="Précisions (facultatif).")


class DeclineIn(Schema):
    note: str = Field(max_length=NOTE_MAX_LENGTH, description="Le motif du refus (obligatoire).")


class RedirectIn(Schema):
    service_id: int = Field(
        description="Le service publié vers lequel réorienter (identifiant de l'annuaire, /services) : ni celui-ci, "
        "ni un service de la structure qui oriente."
    )
    note: str = Field("", max_length=NOTE_MAX_LENGTH, description="Pourquoi ce service (facultatif).")


class CloseIn(Schema):
    outcome: Literal[tuple(ReferralOutcome.values)] = Field(description="L'issue de l'orientation.")
    note: str = Field("", max_length=NOTE_MAX_LENGTH, description="Précisions (facultatif).")


# --- Examples ------------------------------------------------------------------------------------------

_WHEN = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.UTC)
_SUMMARY = {
    "id": "128",
    "status": "received",
    "status_label": "Reçue",
    "urgency": "normal",
    "urgency_label": "Habituelle",
    "referral_type": "home",
    "referral_type_label": REFERRAL_TYPES["home"].label,
    "service": ServiceRef(id="42", name="Portage de repas à domicile"),
    "from_organisation": OrganisationRef(name="CCAS de Rennes"),
    "person_name": "Jeanne Martin",
    "overdue": False,
    "sent_at": _WHEN,
    "received_at": _WHEN,
    "answered_at": None,
    "started_at": None,
    "ended_at": None,
    "outcome": None,
    "outcome_label": None,
}
EXAMPLE_PAGE = ReferralPage(count=1, page=1, per_page=50, next_page=None, results=[ReferralSummary(**_SUMMARY)])
EXAMPLE_DETAIL = ReferralDetail(
    **_SUMMARY,
    reason="Ne peut plus faire ses courses depuis sa chute ; souhaite des repas livrés.",
    agreed_with_person="Appeler le matin.",
    needs=["Organiser sa vie quotidienne"],
    shared=SharedFields(
        identity=SheetIdentity(first_names="Jeanne", last_name="Martin", full_name="Jeanne Martin"),
        age=84,
        address=SheetAddress(
            line="12 rue de la Monnaie", complement="", postal_code="35000", commune="Rennes", commune_code="35238"
        ),
        phones=[SheetPhone(number="+33299000000", display="02 99 00 00 00", note="")],
        legal_representative=None,
    ),
    documents=[],
    events=[
        ReferralEventOut(
            at=_WHEN,
            from_status="draft",
            to_status="sent",
            to_status_label="Envoyée",
            organisation="CCAS de Rennes",
            note="",
        )
    ],
    allowed_actions=["accept", "decline", "redirect"],
)
EXAMPLE_STATE = ReferralState(
    id="128",
    status="accepted",
    status_label="Acceptée",
    outcome=None,
    outcome_label=None,
    allowed_actions=["start", "close"],
)


# --- Declarations and plumbing -----------------------------------------------------------------------

AUTH_ERRORS = {
    401: "Clé d'API absente, inconnue, révoquée ou expirée (en-tête Authorization: Bearer <clé>).",
    403: "La personne titulaire de la clé ne reçoit plus les orientations de la structure.",
    429: "Trop de demandes avec cette clé (voir l'en-tête Retry-After).",
}


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    schema: dict


@dataclass(frozen=True)
class PartnerEndpoint:
    name: str  # URL name in the "referrals_api" namespace
    path: str  # OpenAPI path, relative to /api/v1
    method: str  # "get" or "post"
    summary: str
    description: str
    response: type[BaseModel]
    example: BaseModel
    errors: dict[int, str]
    path_id: str = ""
    request: type[BaseModel] | None = None
    request_example: BaseModel | None = None
    parameters: tuple[Param, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    view: Callable | None = field(default=None, compare=False)


PARTNER_ENDPOINTS: dict[str, PartnerEndpoint] = {}

IDEMPOTENCY_HEADER = (
    "Idempotency-Key",
    "Une clé choisie par le logiciel pour cette réponse (64 caractères au plus) : renvoyée avec la même clé "
    "d'API et la même adresse pendant 24 heures, la demande n'est traitée qu'une fois et la première réponse est "
    "redonnée (en-tête Idempotent-Replayed: true).",
)


def partner_endpoint(endpoint: PartnerEndpoint):
    """Bearer key only (no session, no CSRF), the declared method only; acts as the key's holder for
    the key's organisation; answers JSON, errors as {message, extra}; never cached."""

    def decorate(view):
        @csrf_exempt  # no cookie authenticates here: nothing for a forged request to ride on
        @login_not_required  # the API answers 401/403 itself rather than redirecting to the web pages
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            response = _guard(request, endpoint)
            if response is None:
                with audit_context(request):  # the key's holder and organisation, on every line
                    response = _idempotent(request, endpoint, lambda: _run(view, request, *args, **kwargs))
            response["Cache-Control"] = "no-store, private"
            return response

        PARTNER_ENDPOINTS[endpoint.name] = PartnerEndpoint(**{**endpoint.__dict__, "view": wrapper})
        return wrapper

    return decorate


def _run(view, request, *args, **kwargs):
    try:
        return view(request, *args, **kwargs)
    except Http404:
        return error_response(404, "Orientation introuvable, terminée, ou qui n'est pas adressée à votre structure.")
    except ApiError as error:
        return error_response(error.status, error.message, error.extra)


class ApiError(Exception):
    def __init__(self, status: int, message: str, extra: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra or {}


def _too_many(limit: int) -> HttpResponse:
    wait = str(ratelimit.retry_after(API_RATE_WINDOW))
    message = ratelimit.refusal_message(what="l'API des partenaires", limit=limit, window_seconds=API_RATE_WINDOW)
    response = error_response(429, message, {"retry_after": wait})
    response["Retry-After"] = wait
    return response


def _guard(request, endpoint: PartnerEndpoint) -> HttpResponse | None:
    from django.contrib.auth.models import AnonymousUser

    # Whatever the cookies say, this request is nobody's until its key is checked.
    request.user, request.organisation, request.membership, request.api_key = AnonymousUser(), None, None, None
    try:
        key, membership = api_keys.authenticate(request.headers.get("Authorization", ""))
    except api_keys.KeyRefused as refused:
        if not ratelimit.hit(
            f"api-referrals-refused:{ratelimit.requester_key(request)}",
            limit=REFUSED_RATE_LIMIT,
            window_seconds=API_RATE_WINDOW,
        ):
            return _too_many(REFUSED_RATE_LIMIT)
        response = error_response(refused.status, refused.message)
        if refused.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="maillage"'
        return response
    user = key.user
    # The key was made in a session past the second factor; it stands for it (access.is_verified_session).
    user.is_verified = lambda: True
    user._maillage_active_memberships = [membership]  # this organisation only, whatever else the holder has
    request.user, request.organisation, request.membership, request.api_key = user, key.organisation, membership, key
    if not ratelimit.hit(f"api-referrals:key:{key.pk}", limit=API_RATE_LIMIT, window_seconds=API_RATE_WINDOW):
        return _too_many(API_RATE_LIMIT)
    if request.method.lower() != endpoint.method and not (endpoint.method == "get" and request.method == "HEAD"):
        response = error_response(405, f"Seule la méthode {endpoint.method.upper()} est permise.")
        response["Allow"] = endpoint.method.upper()
        return response
    return None


_PENDING = "pending"


def _idempotent(request, endpoint: PartnerEndpoint, run) -> HttpResponse:
    """With an Idempotency-Key header on a POST: the first answer is kept 24 hours (per API key and
    header value) and given again to a repeat of the same address; a repeat while the first runs is
    refused (409)."""
    token = request.headers.get("Idempotency-Key", "").strip() if endpoint.method == "post" else ""
    if not token:
        return run()
    if len(token) > 64:
        return error_response(400, "Données invalides.", {"Idempotency-Key": "64 caractères au plus."})
    name = hashlib.sha256(token.encode()).hexdigest()[:32]
    cache_key = f"maillage:api-idempotency:{request.api_key.pk}:{name}"
    if not cache.add(cache_key, _PENDING, IDEMPOTENCY_SECONDS):
        kept = cache.get(cache_key)
        if kept == _PENDING:
            return error_response(
                409, "Une demande avec la même clé d'idempotence est en cours : réessayez plus tard."
            )
        if kept is None:
            return _idempotent(request, endpoint, run)
        if kept["path"] != request.path:
            return error_response(
                400, "Données invalides.", {"Idempotency-Key": "Cette clé a déjà servi pour une autre demande."}
            )
        response = HttpResponse(kept["body"], status=kept["status"], content_type="application/json")
        response["Idempotent-Replayed"] = "true"
        return response
    try:
        response = run()
    except BaseException:
        cache.delete(cache_key)
        raise
    if response.status_code >= 500 or response.status_code == 429:
        cache.delete(cache_key)
    else:
        cache.set(
            cache_key,
            {"path": request.path, "status": response.status_code, "body": response.content},
            IDEMPOTENCY_SECONDS,
        )
    return response


def _json(model: BaseModel, status: int = 200, **dump) -> JsonResponse:
    return JsonResponse(
        model.model_dump(mode="json", **dump), status=status, json_dumps_params={"ensure_ascii": False}
    )


def _body(request, schema: type[BaseModel]) -> BaseModel:
    from pydantic import ValidationError as PydanticValidationError

    if not request.body:
        data = {}  # an answer without anything to add (accept, start) may come without a body
    elif request.content_type != "application/json":
        raise ApiError(415, "Le corps de la demande doit être du JSON (Content-Type: application/json).")
    try:
        data = data if not request.body else json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "Le corps de la demande n'est pas du JSON lisible.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "Le corps de la demande doit être un objet JSON.")
    try:
        return schema.model_validate(data)
    except PydanticValidationError as error:
        raise ApiError(400, "Données invalides.", _french_errors(error, schema)) from None


# --- Reading -------------------------------------------------------------------------------------------

ACTION_OF_STATUS = {
    ReferralStatus.RECEIVED: "receive",
    ReferralStatus.ACCEPTED: "accept",
    ReferralStatus.DECLINED: "decline",
    ReferralStatus.REDIRECTED: "redirect",
    ReferralStatus.IN_PROGRESS: "start",
    ReferralStatus.CLOSED: "close",
}


def _allowed_actions(status: str) -> list[str]:
    return [ACTION_OF_STATUS[s] for s in lifecycle.allowed_next(status, Side.RECEIVER) if s in ACTION_OF_STATUS]


def _overdue_before() -> datetime.datetime:
    from maillage.referrals.views import overdue_before

    return overdue_before()


def _is_overdue(referral, late) -> bool:
    return referral.status in (ReferralStatus.SENT, ReferralStatus.RECEIVED) and bool(
        referral.sent_at and referral.sent_at < late
    )


def _summary_fields(referral, late, *, named: bool) -> dict:
    return {
        "id": str(referral.pk),
        "status": referral.status,
        "status_label": referral.get_status_display(),
        "urgency": referral.urgency,
        "urgency_label": referral.get_urgency_display(),
        "referral_type": referral.referral_type,
        "referral_type_label": referral.get_referral_type_display(),
        "service": ServiceRef(id=str(referral.to_service_id), name=referral.to_service.name),
        "from_organisation": OrganisationRef(name=referral.from_organisation.name),
        "person_name": referral.person.full_name if named else None,
        "overdue": _is_overdue(referral, late),
        "sent_at": referral.sent_at,
        "received_at": referral.received_at,
        "answered_at": referral.answered_at,
        "started_at": referral.started_at,
        "ended_at": referral.ended_at,
        "outcome": referral.outcome or None,
        "outcome_label": referral.get_outcome_display() if referral.outcome else None,
    }


def _what(request, text: str) -> str:
    return f"{text}, par la clé d'API « {request.api_key.name} »"


LIST = PartnerEndpoint(
    name="list",
    path="/referrals",
    method="get",
    summary="Les orientations adressées à ma structure",
    description="Les orientations adressées à la structure de la clé (jamais les brouillons), les plus urgentes "
    "puis les plus anciennes d'abord, par pages. Le nom de la personne n'est donné que tant que l'orientation est "
    "ouverte (envoyée, reçue, acceptée, en cours) et son consentement en vigueur ; chaque liste qui nomme des "
    "personnes est inscrite au journal des accès.",
    response=ReferralPage,
    example=EXAMPLE_PAGE,
    parameters=(
        Param("status", "Un état (sent, received, accepted, in_progress, declined, …).", {"enum": ANSWERABLE}),
        Param(
            "overdue",
            "true : seulement celles en retard (sans réponse après le délai de relance).",
            {"type": "boolean"},
        ),
        Param("page", "Numéro de page, à partir de 1.", {"type": "integer", "minimum": 1}),
        Param(
            "per_page",
            f"Orientations par page ({MAX_PER_PAGE} au plus).",
            {"type": "integer", "maximum": MAX_PER_PAGE},
        ),
    ),
    errors={400: "Paramètre invalide (le détail par paramètre dans extra)."},
)


def _int_param(request, name: str, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ApiError(400, "Paramètres invalides.", {name: f"Nombre entier entre {low} et {high} attendu."})
    return int(raw)


@partner_endpoint(LIST)
def referral_list(request):
    addressed = access.referrals_addressed_to(request.user, request.organisation)
    status = request.GET.get("status", "")
    if status:
        if status not in ANSWERABLE:
            raise ApiError(
                400,
                "Paramètres invalides.",
                {"status": f"Valeur inconnue (valeurs possibles : {', '.join(ANSWERABLE)})."},
            )
        addressed = addressed.filter(status=status)
    overdue = request.GET.get("overdue", "").lower()
    if overdue not in ("", "true", "false"):
        raise ApiError(400, "Paramètres invalides.", {"overdue": "true ou false attendu."})
    late = _overdue_before()
    if overdue == "true":
        addressed = addressed.filter(status__in=[ReferralStatus.SENT, ReferralStatus.RECEIVED], sent_at__lt=late)
    per_page = _int_param(request, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    page = _int_param(request, "page", 1, 1, 100_000)
    count = addressed.count()
    rows = list(
        addressed.select_related("person", "to_service", "from_organisation").order_by("-urgency", "sent_at", "pk")[
            (page - 1) * per_page : page * per_page
        ]
    )
    named_ids = set(
        addressed.filter(pk__in=[r.pk for r in rows], status__in=OPEN_FOR_PARTNER)
        .filter(consent__withdrawn_at__isnull=True, consent__partner=request.organisation)
        .values_list("pk", flat=True)
    )
    if named_ids:
        audit.record_search(
            request,
            Person,
            what=_what(request, f"Orientations reçues : {audit.shown_count(len(named_ids))}"),
            access_path="referral",
        )
    results = [ReferralSummary(**_summary_fields(r, late, named=r.pk in named_ids)) for r in rows]
    next_page = page + 1 if page * per_page < count else None
    return _json(ReferralPage(count=count, page=page, per_page=per_page, next_page=next_page, results=results))


DETAIL = PartnerEndpoint(
    name="detail",
    path="/referrals/{id}",
    method="get",
    summary="Une orientation",
    description="L'orientation telle que votre structure la lit : seulement ce que son type partage de la personne "
    "(jamais ses prestations ni sa santé), les besoins, le motif, l'historique et les réponses possibles. Seulement "
    "tant qu'elle est ouverte et que le consentement de la personne est en vigueur. Comme sur la page web, la lire "
    "la marque « reçue » si elle était « envoyée ». Chaque lecture est inscrite au journal des accès.",
    response=ReferralDetail,
    example=EXAMPLE_DETAIL,
    path_id="Identifiant de l'orientation.",
    errors={404: "Orientation introuvable, terminée, consentement retiré, ou pas adressée à votre structure."},
)


@partner_endpoint(DETAIL)
def referral_detail(request, pk):
    grant = access.referral_grant_for(request, pk)
    referral = grant.referral
    if referral.status == ReferralStatus.SENT:
        services.receive_on_opening(
            actor=request.user, organisation=request.organisation, referral=referral, api_key=request.api_key
        )
        grant = access.referral_grant_for(request, pk)
        referral = grant.referral
    grant.record(request, _what(request, "Orientation reçue"))
    shared = grant.shared()
    events = referral.events.select_related("organisation").order_by("at", "pk")
    detail = ReferralDetail(
        **_summary_fields(referral, _overdue_before(), named=True),
        reason=referral.reason,
        agreed_with_person=referral.agreed_with_person,
        needs=shared["needs"],
        shared=SharedFields(**shared["fields"]),
        documents=[SharedDocument(id=str(d.pk), title=d.title) for d in shared["documents"]],
        events=[
            ReferralEventOut(
                at=e.at,
                from_status=e.from_status,
                to_status=e.to_status,
                to_status_label=e.get_to_status_display(),
                organisation=e.organisation.name,
                note=e.note,
            )
            for e in events
        ],
        allowed_actions=_allowed_actions(referral.status),
    )
    # A field the referral's type does not share is absent, not null.
    body = detail.model_dump(mode="json")
    body["shared"] = detail.shared.model_dump(mode="json", exclude_unset=True)
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


# --- Answers -------------------------------------------------------------------------------------------


def _state(referral) -> JsonResponse:
    return _json(
        ReferralState(
            id=str(referral.pk),
            status=referral.status,
            status_label=referral.get_status_display(),
            outcome=referral.outcome or None,
            outcome_label=referral.get_outcome_display() if referral.outcome else None,
            allowed_actions=_allowed_actions(referral.status),
        )
    )


def _answer(request, pk, to_status: str, schema: type[BaseModel] | None, title: str) -> JsonResponse:
    """Through the grant (404), then `services.referral_transition` as the key's holder: 409 for a
    change the lifecycle refuses, 400 for bad input — nothing changed either way."""
    grant = access.referral_grant_for(request, pk)
    referral = grant.referral
    grant.record(request, _what(request, f"Orientation reçue : {title}"))
    body = _body(request, schema) if schema is not None else None
    if lifecycle.side_for(referral.status, to_status) != Side.RECEIVER:
        raise ApiError(409, lifecycle.refusal_message(referral.status, to_status, Side.RECEIVER))
    redirect_to = None
    if isinstance(body, RedirectIn):
        from maillage.referrals.views import _published_service

        redirect_to = _published_service(body.service_id)
        if redirect_to is None:
            raise ApiError(400, "Données invalides.", {"service_id": "Aucun service publié ne porte ce numéro."})
    try:
        referral = services.referral_transition(
            actor=request.user,
            organisation=request.organisation,
            referral=referral,
            to_status=to_status,
            note=getattr(body, "note", ""),
            outcome=getattr(body, "outcome", ""),
            redirect_to=redirect_to,
            api_key=request.api_key,
        )
    except ValidationError as error:
        names = {"redirect_to": "service_id"}
        extra = {names.get(k, k): " ".join(m for e in v for m in e.messages) for k, v in error.error_dict.items()}
        raise ApiError(400, "Données invalides.", extra) from None
    except ApplicationError as error:
        referral.refresh_from_db(fields=["status"])
        if lifecycle.side_for(referral.status, to_status) != Side.RECEIVER:  # changed in between
            raise ApiError(409, lifecycle.refusal_message(referral.status, to_status, Side.RECEIVER)) from None
        raise ApiError(400, error.message, {"service_id": error.message} if redirect_to else error.extra) from None
    return _state(referral)


_ANSWER_ERRORS = {
    400: "Données invalides (le détail par champ dans extra).",
    404: "Orientation introuvable, terminée, consentement retiré, ou pas adressée à votre structure.",
    409: "L'état de l'orientation ne permet pas cette réponse (le message dit pourquoi).",
    415: "Le corps n'est pas du JSON.",
}


def _answer_endpoint(name, action, summary, description, request=None, request_example=None) -> PartnerEndpoint:
    errors = dict(_ANSWER_ERRORS)
    if request is None:
        errors = {k: v for k, v in errors.items() if k not in (400, 415)}
    return PartnerEndpoint(
        name=name,
        path=f"/referrals/{{id}}/{action}",
        method="post",
        summary=summary,
        description=description
        + " Nous prévenons la structure qui a orienté la personne par courriel, sans aucune information sur elle.",
        response=ReferralState,
        example=EXAMPLE_STATE,
        path_id="Identifiant de l'orientation.",
        request=request,
        request_example=request_example,
        headers=(IDEMPOTENCY_HEADER,),
        errors=errors,
    )


RECEIVE = _answer_endpoint(
    "receive", "receive", "Marquer reçue", "Accuse réception d'une orientation « envoyée » (la lire le fait aussi)."
)
ACCEPT = _answer_endpoint(
    "accept", "accept", "Accepter", "Accepte une orientation reçue.", NoteIn, NoteIn(note="Premier appel lundi.")
)
DECLINE = _answer_endpoint(
    "decline",
    "decline",
    "Refuser",
    "Refuse une orientation reçue ; le motif est obligatoire et la structure qui a orienté la personne le lira.",
    DeclineIn,
    DeclineIn(note="Hors de notre secteur d'intervention."),
)
REDIRECT = _answer_endpoint(
    "redirect",
    "redirect",
    "Réorienter",
    "Réoriente une orientation reçue vers un autre service publié de l'annuaire : elle se termine « réorientée » et "
    "un brouillon est préparé pour la structure qui a orienté la personne, qui vérifie avec elle avant d'envoyer.",
    RedirectIn,
    RedirectIn(service_id=57, note="Ce service couvre votre commune."),
)
START = _answer_endpoint(
    "start", "start", "Commencer", "Commence l'accompagnement d'une orientation acceptée.", NoteIn, NoteIn()
)
CLOSE = _answer_endpoint(
    "close",
    "close",
    "Clôturer",
    "Clôture une orientation acceptée ou en cours, avec son issue.",
    CloseIn,
    CloseIn(outcome="need_met", note=""),
)


@partner_endpoint(RECEIVE)
def referral_receive(request, pk):
    return _answer(request, pk, ReferralStatus.RECEIVED, None, "marquer comme reçue")


@partner_endpoint(ACCEPT)
def referral_accept(request, pk):
    return _answer(request, pk, ReferralStatus.ACCEPTED, NoteIn, "accepter l'orientation")


@partner_endpoint(DECLINE)
def referral_decline(request, pk):
    return _answer(request, pk, ReferralStatus.DECLINED, DeclineIn, "refuser l'orientation")


@partner_endpoint(REDIRECT)
def referral_redirect(request, pk):
    return _answer(request, pk, ReferralStatus.REDIRECTED, RedirectIn, "réorienter vers un autre service")


@partner_endpoint(START)
def referral_start(request, pk):
    return _answer(request, pk, ReferralStatus.IN_PROGRESS, NoteIn, "commencer l'accompagnement")


@partner_endpoint(CLOSE)
def referral_close(request, pk):
    return _answer(request, pk, ReferralStatus.CLOSED, CloseIn, "clôturer l'orientation")


# --- OpenAPI -------------------------------------------------------------------------------------------

SECURITY_SCHEMES = {
    "partnerKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "Une clé d'API personnelle, créée par un membre de la structure qui reçoit les orientations "
        "(page « Mes clés d'API » de son compte, après le second facteur) : en-tête « Authorization: Bearer <clé> ». "
        "Durée de validité d'un an au plus ; révocable à tout moment par son ou sa titulaire et par l'administrateur "
        "de la structure. Aucun cookie n'est lu.",
    }
}


def openapi_models() -> list[type[BaseModel]]:
    models = []
    for endpoint in PARTNER_ENDPOINTS.values():
        models += [endpoint.response] + ([endpoint.request] if endpoint.request else [])
    return models


def openapi_paths(error_schema_ref: str) -> dict:
    """The partner API's operations, for the OpenAPI document of /api/v1/."""
    paths: dict = {}
    for endpoint in PARTNER_ENDPOINTS.values():
        ok = {"schema": {"$ref": f"#/components/schemas/{endpoint.response.__name__}"}}
        ok["example"] = endpoint.example.model_dump(mode="json")
        responses = {"200": {"description": endpoint.summary, "content": {"application/json": ok}}}
        errors = {**endpoint.errors, **AUTH_ERRORS, 405: f"Méthode refusée ({endpoint.method.upper()} seulement)."}
        for status, description in sorted(errors.items()):
            responses[str(status)] = {
                "description": description,
                "content": {"application/json": {"schema": {"$ref": error_schema_ref}}},
            }
        parameters = []
        if endpoint.path_id:
            parameters.append(
                {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "description": endpoint.path_id,
                    "schema": {"type": "string", "pattern": "^[0-9]+$"},
                }
            )
        parameters += [
            {"name": p.name, "in": "query", "required": False, "description": p.description, "schema": p.schema}
            for p in endpoint.parameters
        ]
        parameters += [
            {"name": name, "in": "header", "required": False, "description": text, "schema": {"type": "string"}}
            for name, text in endpoint.headers
        ]
        operation = {
            "operationId": f"referrals_{endpoint.name}",
            "summary": endpoint.summary,
            "description": endpoint.description,
            "tags": ["orientations"],
            "security": [{"partnerKey": []}],
            "responses": responses,
        }
        if parameters:
            operation["parameters"] = parameters
        if endpoint.request:
            body = {"schema": {"$ref": f"#/components/schemas/{endpoint.request.__name__}"}}
            body["example"] = endpoint.request_example.model_dump(mode="json")
            operation["requestBody"] = {"required": True, "content": {"application/json": body}}
        paths.setdefault(endpoint.path, {})[endpoint.method] = operation
    return paths
