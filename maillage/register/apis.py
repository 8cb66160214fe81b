"""The callers' JSON API (issue 13, point 9), for a phone app, under /api/v1/:

- `POST /campaigns/{id}/next-call`: the authenticated caller's next call in the campaign — its
  identifier, version, campaign, purpose, tries, due time, the minimal sheet of the person
  (`register.sharing.caller_sheet`, nothing else about them) and the interview guide — or 204 when
  there is none. Each sheet given is an opening of the person's data, logged with the path « appel
  attribué » (`access.CallGrant.record`).
- `POST /calls/{id}/outcome`: records one try of a call assigned to the caller
  (`services.calls.call_record_outcome`) and answers the call's new state. The `Idempotency-Key`
  header makes a try sent again (a phone that lost the answer) recorded once.

**Authentication** is the application's own, nothing new: the session of an account signed in with
its password *and* its second factor (the web sign-in pages; django-otp marks the session verified),
working for the organisation chosen in the header (the session's current organisation). Being a
session, every POST carries the CSRF token: the `X-CSRFToken` header with the value of the CSRF
cookie. The API answers 401 without a session and 403 before the second factor or without the CSRF
token, as JSON — not the web pages' redirections. Errors are the directory API's one shape,
`{"message", "extra"}`, in French: 400 bad input (by field in `extra`), 404 a campaign or call absent
*or* not the caller's (alike), 409 a state that refuses it (campaign not open, crisis ended, outcome
already recorded, stale version), 429 too many requests.

The operations are declared like the directory's (`CallerEndpoint`: schemas in, out, errors) and
the OpenAPI document (`directory.api_docs.openapi_document`) reads these declarations.
"""

import datetime
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from maillage.core import access, ratelimit
from maillage.core.access.base import is_verified_session
from maillage.core.exceptions import ApplicationError
from maillage.directory.apis import error_response
from maillage.register.enums import CallPurpose, CallStatus, Outcome
from maillage.register.services import calls as call_services
from maillage.register.services import campaigns as campaign_services
from maillage.register.services import sponsorships as sponsorship_services

API_RATE_LIMIT = 120
API_RATE_WINDOW = 60
SHEET_OPENED = "Fiche d'appel, par l'API des appelants"


# --- Schemas -----------------------------------------------------------------------------------------


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScriptSection(Schema):
    title: str = Field(description="Titre de la section du guide d'entretien.")
    text: str


class SheetIdentity(Schema):
    first_names: str
    last_name: str
    full_name: str


class SheetAddress(Schema):
    line: str
    complement: str
    postal_code: str
    commune: str
    commune_code: str = Field(description="Code INSEE de la commune.")


class SheetPhone(Schema):
    number: str = Field(description="Au format international E.164, pour un lien tel:.")
    display: str = Field(description="Le numéro tel qu'il s'écrit en France.")
    note: str


class SheetLegalRepresentative(Schema):
    name: str
    phone: str
    phone_display: str
    email: str


class SheetContact(Schema):
    best_times: str = Field(description="Meilleurs moments pour appeler.")
    language: str = Field(description="Langue de l'appel (code ISO 639) ; vide : français.")
    hearing_difficulty: bool
    prefers_visit: bool


class CallSheet(Schema):
    """The guide VISA's minimal set (identity, age, address, phones, e-mails, legal representative,
    help needs) and how to reach the person — never benefits nor health."""

    identity: SheetIdentity
    age: int | None
    address: SheetAddress | None
    phones: list[SheetPhone]
    emails: list[str]
    legal_representative: SheetLegalRepresentative | None
    needs: list[str] = Field(description="Besoins d'aide repérés lors d'un appel précédent (libellés).")
    contact: SheetContact


class CampaignRef(Schema):
    id: str
    title: str


class SpacingToAnnounce(Schema):
    """A sponsor's friendly call: the spacing of the calls that the manager planned, to announce."""

    every_days: int = Field(description="La nouvelle fréquence : un appel tous les N jours.")
    starting_on: datetime.date = Field(description="Le premier appel espacé, si l'annonce est faite aujourd'hui.")
    text: str = Field(description="Ce que l'appelant annonce, en français.")


class NextCall(Schema):
    id: str = Field(description="Identifiant de l'appel, pour /calls/{id}/outcome.")
    version: int = Field(description="À renvoyer avec l'issue : une version dépassée est refusée (409).")
    campaign: CampaignRef
    purpose: Literal[tuple(CallPurpose.values)]
    purpose_label: str
    attempts: int = Field(description="Essais déjà faits.")
    max_attempts: int
    due_at: datetime.datetime = Field(description="À passer à partir de (heure de Paris).")
    sheet: CallSheet
    guide: list[ScriptSection] = Field(description="Le guide d'entretien de la campagne, section par section.")
    spacing_to_announce: SpacingToAnnounce | None = Field(
        None,
        description="Un espacement des appels à annoncer pendant cet appel (parrainage) ; l'issue le confirme "
        "avec spacing_announced.",
    )


class OutcomeIn(Schema):
    outcome: Literal[tuple(Outcome.values)] = Field(
        description="not_reached : pas de réponse (nouvel essai plus tard, puis injoignable au dernier essai)."
    )
    needs: list[str] = Field(
        default_factory=list,
        description="Avec needs_found seulement : codes des dix besoins essentiels (voir /taxonomy_terms).",
    )
    note: str = Field("", max_length=call_services.NOTE_MAX_LENGTH, description="Remarques de l'appelant.")
    fragility_answers: dict[str, str] = Field(
        default_factory=dict,
        description="La grille de repérage par téléphone (question → réponse), quand la personne est jointe ; "
        "le niveau 4 alerte le gestionnaire du registre.",
    )
    danger: bool = Field(False, description="Un danger constaté : alerte immédiate du gestionnaire du registre.")
    spacing_announced: bool = Field(
        False,
        description="L'espacement des appels (spacing_to_announce de next-call) a été annoncé à la personne, "
        "jointe : la nouvelle fréquence s'applique à partir de l'appel suivant. Sans objet, refusé (400).",
    )
    version: int = Field(description="La version de l'appel lue avec next-call.")


class CallState(Schema):
    id: str
    version: int
    status: Literal[tuple(CallStatus.values)]
    status_label: str
    outcome: Literal[tuple(Outcome.values)] | None = Field(description="L'issue, une fois l'appel terminé.")
    outcome_label: str | None
    attempts: int
    max_attempts: int
    due_at: datetime.datetime = Field(description="Pour un appel à rappeler : le prochain essai à partir de.")
    escalated: bool = Field(description="Une alerte a été transmise au gestionnaire du registre.")


_EXAMPLE_SHEET = CallSheet(
    identity=SheetIdentity(first_names="Jeanne", last_name="Martin", full_name="Jeanne Martin"),
    age=84,
    address=SheetAddress(
        line="12 rue de la Monnaie", complement="", postal_code="35000", commune="Rennes", commune_code="35238"
    ),
    phones=[SheetPhone(number="+33299000000", display="02 99 00 00 00", note="")],
    emails=[],
    legal_representative=None,
    needs=[],
    contact=SheetContact(best_times="Le matin", language="", hearing_difficulty=True, prefers_visit=False),
)
EXAMPLE_NEXT_CALL = NextCall(
    id="412",
    version=1,
    campaign=CampaignRef(id="7", title="Canicule de juillet"),
    purpose="evaluation",
    purpose_label="Appel d'évaluation",
    attempts=0,
    max_attempts=3,
    due_at=datetime.datetime(2026, 7, 21, 9, 0, tzinfo=datetime.UTC),
    sheet=_EXAMPLE_SHEET,
    guide=[ScriptSection(title="Se présenter", text="Bonjour, je vous appelle de la part de la mairie…")],
)
EXAMPLE_OUTCOME = OutcomeIn(outcome="not_reached", note="Messagerie", version=1)
EXAMPLE_STATE = CallState(
    id="412",
    version=2,
    status="retry",
    status_label="À rappeler",
    outcome=None,
    outcome_label=None,
    attempts=1,
    max_attempts=3,
    due_at=datetime.datetime(2026, 7, 21, 10, 0, tzinfo=datetime.UTC),
    escalated=False,
)


# --- Declarations and plumbing -----------------------------------------------------------------------

AUTH_ERRORS = {
    401: "Pas de session : connectez-vous (mot de passe et second facteur).",
    403: "Second facteur non validé pour cette session, ou jeton CSRF absent.",
    405: "Méthode refusée (POST seulement).",
    429: "Trop de demandes depuis ce compte (voir l'en-tête Retry-After).",
}


@dataclass(frozen=True)
class CallerEndpoint:
    name: str  # URL name in the "register_api" namespace
    path: str  # OpenAPI path, relative to /api/v1
    summary: str
    description: str
    response: type[BaseModel]
    example: BaseModel
    path_id: str
    errors: dict[int, str]
    request: type[BaseModel] | None = None
    request_example: BaseModel | None = None
    no_content: str = ""  # the 204's description, when the operation may answer it
    headers: tuple[tuple[str, str], ...] = ()  # (name, description) of request headers
    view: Callable | None = field(default=None, compare=False)


CALLER_ENDPOINTS: dict[str, CallerEndpoint] = {}


class _Csrf(CsrfViewMiddleware):
    """Django's own CSRF check, answering the API's JSON error instead of the HTML page."""

    def _reject(self, request, reason):
        return error_response(
            403,
            "Jeton CSRF absent ou invalide : envoyez l'en-tête X-CSRFToken avec la valeur du cookie CSRF.",
            {"csrf": str(reason)},
        )


def caller_endpoint(endpoint: CallerEndpoint):
    """POST only, for a signed-in caller (session with its second factor, CSRF token); answers JSON,
    errors as {message, extra}; the response is never cached."""

    def decorate(view):
        @csrf_exempt  # checked below, to answer JSON
        @login_not_required  # the API answers 401/403 itself rather than redirecting to the web pages
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            response = _guard(request)
            if response is None:
                try:
                    with access.caller_checks_once():
                        response = view(request, *args, **kwargs)
                except Http404:
                    response = error_response(404, "Introuvable, ou pas pour vous.")
            response["Cache-Control"] = "no-store, private"
            return response

        CALLER_ENDPOINTS[endpoint.name] = CallerEndpoint(**{**endpoint.__dict__, "view": wrapper})
        return wrapper

    return decorate


def _guard(request) -> HttpResponse | None:
    user = request.user
    if not user.is_authenticated:
        return error_response(
            401, "Connectez-vous (mot de passe et second facteur) pour utiliser l'API des appelants."
        )
    if not is_verified_session(user):
        return error_response(403, "Validez le second facteur de votre session avant d'utiliser l'API des appelants.")
    if not ratelimit.hit(
        f"api-calls:{ratelimit.requester_key(request)}", limit=API_RATE_LIMIT, window_seconds=API_RATE_WINDOW
    ):
        wait = str(ratelimit.retry_after(API_RATE_WINDOW))
        message = ratelimit.refusal_message(
            what="l'API des appelants", limit=API_RATE_LIMIT, window_seconds=API_RATE_WINDOW
        )
        response = error_response(429, message, {"retry_after": wait})
        response["Retry-After"] = wait
        return response
    if request.method != "POST":
        response = error_response(405, "Seule la méthode POST est permise.")
        response["Allow"] = "POST"
        return response
    return _Csrf(lambda r: None).process_view(request, None, (), {})


def _body(request, schema: type[BaseModel]) -> BaseModel:
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ApplicationError("Le corps de la demande n'est pas du JSON lisible.") from None
    if not isinstance(data, dict):
        raise ApplicationError("Le corps de la demande doit être un objet JSON.")
    try:
        return schema.model_validate(data)
    except PydanticValidationError as error:
        raise ApplicationError("Données invalides.", _french_errors(error, schema)) from None


def _french_errors(error: PydanticValidationError, schema: type[BaseModel]) -> dict[str, str]:
    """Pydantic's errors, by field, in French."""
    messages = {}
    for item in error.errors():
        name = str(item["loc"][0]) if item["loc"] else "corps"
        kind = item["type"]
        if kind == "missing":
            text = "champ obligatoire."
        elif kind == "extra_forbidden":
            text = "champ inconnu."
        elif kind == "literal_error":
            allowed = ", ".join(item.get("ctx", {}).get("expected", "").replace("'", "").split(" or "))
            text = f"valeur inconnue (valeurs possibles : {allowed})."
        elif kind == "string_too_long":
            text = f"texte trop long ({item['ctx']['max_length']} caractères au plus)."
        elif kind.startswith("int"):
            text = "nombre entier attendu."
        elif kind.startswith("bool"):
            text = "vrai ou faux attendu (true, false)."
        elif kind.startswith("list"):
            text = "liste attendue."
        elif kind.startswith("dict"):
            text = "objet attendu."
        elif kind.startswith("string"):
            text = "texte attendu."
        else:
            text = "valeur invalide."
        messages.setdefault(name, text[0].upper() + text[1:])
    return messages


def _validation_extra(error: ValidationError) -> dict[str, str]:
    if hasattr(error, "error_dict"):
        return {name: " ".join(m for e in errors for m in e.messages) for name, errors in error.error_dict.items()}
    return {"corps": " ".join(error.messages)}


def _json(model: BaseModel, status: int = 200) -> JsonResponse:
    return JsonResponse(model.model_dump(mode="json"), status=status, json_dumps_params={"ensure_ascii": False})


# --- Operations ----------------------------------------------------------------------------------------

NEXT_CALL = CallerEndpoint(
    name="next_call",
    path="/campaigns/{id}/next-call",
    summary="Mon prochain appel",
    description="Le prochain appel de l'appelant connecté dans cette campagne : d'abord un appel qui lui est "
    "attribué et dont l'heure est venue (un nouvel essai, un appel réparti), sinon un appel de la réserve commune "
    "dans une langue qu'il parle, qui lui est alors attribué. Jamais le même appel à deux appelants, même s'ils "
    "demandent au même instant. La fiche ne contient que l'identité, l'âge, l'adresse, les téléphones, les "
    "courriels, le représentant légal, les besoins d'aide et les préférences de contact (guide VISA) ; chaque "
    "fiche donnée est inscrite au journal des accès. Sans appel à passer : 204, sans corps.",
    response=NextCall,
    example=EXAMPLE_NEXT_CALL,
    path_id="Identifiant de la campagne d'appels.",
    no_content="Aucun appel à passer pour l'instant (les nouveaux essais attendent leur heure).",
    errors={
        404: "Campagne introuvable, ou vous n'en êtes pas appelant·e.",
        409: "La campagne n'est pas ouverte, ou sa crise est levée.",
    },
)


def _campaign_for_caller(request, pk):
    return access.get_campaign_for_caller(request.user, getattr(request, "organisation", None), pk)


@caller_endpoint(NEXT_CALL)
def next_call(request, pk):
    campaign = _campaign_for_caller(request, pk)
    try:
        call = campaign_services.next_call(caller=request.user, campaign=campaign)
    except campaign_services.NotACaller:
        raise Http404 from None
    except campaign_services.CampaignNotOpen as error:
        return error_response(409, error.message)
    if call is None:
        return HttpResponse(status=204)
    # The sheet is opened through the call's grant, and the opening logged with its path.
    grant = access.call_grant_for(request, call.pk)
    grant.record(request, what=SHEET_OPENED)
    return _json(
        NextCall(
            id=str(call.pk),
            version=call.version,
            campaign=CampaignRef(id=str(campaign.pk), title=campaign.title),
            purpose=call.purpose,
            purpose_label=call.get_purpose_display(),
            attempts=call.attempts,
            max_attempts=campaign.max_attempts,
            due_at=call.due_at,
            sheet=CallSheet.model_validate(grant.sheet()),
            guide=[ScriptSection(title=title, text=text) for title, text in campaign.script_sections()],
            spacing_to_announce=_spacing_to_announce(call),
        )
    )


def _spacing_to_announce(call) -> SpacingToAnnounce | None:
    sponsorship = sponsorship_services.spacing_to_announce(call)
    if sponsorship is None:
        return None
    return SpacingToAnnounce(
        every_days=sponsorship.pending_every_days,
        starting_on=sponsorship_services.spacing_starts_on(sponsorship),
        text=sponsorship_services.spacing_prompt(sponsorship),
    )


CALL_OUTCOME = CallerEndpoint(
    name="call_outcome",
    path="/calls/{id}/outcome",
    summary="Enregistrer l'issue d'un essai",
    description="Enregistre un essai d'un appel attribué à l'appelant connecté. « Pas de réponse » le remet à plus "
    "tard (délais croissants, nombre d'essais de la campagne) ; au dernier essai, l'appel devient « injoignable » "
    "et une alerte part au gestionnaire du registre, comme pour le niveau 4 de la grille et un danger signalé. "
    "Hospitalisée ou a déménagé suspendent l'inscription ; décédée la radie. Une issue déjà enregistrée, une "
    "campagne terminée, une crise levée ou une version dépassée sont refusées (409) sans rien changer. Avec "
    "l'en-tête Idempotency-Key, le même essai renvoyé (réponse perdue) n'est enregistré qu'une fois : la réponse "
    "redonne l'état de l'appel.",
    response=CallState,
    example=EXAMPLE_STATE,
    request=OutcomeIn,
    request_example=EXAMPLE_OUTCOME,
    path_id="Identifiant de l'appel (donné par next-call).",
    headers=(
        (
            "Idempotency-Key",
            "Une clé choisie par l'application pour cet essai (64 caractères au plus) : renvoyé avec la même "
            "clé, l'essai n'est enregistré qu'une fois.",
        ),
    ),
    errors={
        400: "Données invalides (le détail par champ dans extra).",
        404: "Appel introuvable, ou qui ne vous est pas attribué.",
        409: "Issue déjà enregistrée, appel annulé, campagne terminée, crise levée ou version dépassée "
        "(extra.version : la version actuelle).",
        415: "Le corps n'est pas du JSON.",
    },
)


@caller_endpoint(CALL_OUTCOME)
def call_outcome(request, pk):
    call = access.get_call_for_caller(request.user, getattr(request, "organisation", None), pk)
    try:
        if request.content_type != "application/json":
            return error_response(415, "Le corps de la demande doit être du JSON (Content-Type: application/json).")
        body = _body(request, OutcomeIn)
        call = call_services.call_record_outcome(
            actor=request.user,
            call=call,
            outcome=body.outcome,
            needs=body.needs,
            note=body.note,
            fragility_answers=body.fragility_answers or None,
            danger=body.danger,
            spacing_announced=body.spacing_announced,
            version=body.version,
            idempotency_key=request.headers.get("Idempotency-Key", "").strip(),
        )
    except call_services.CallNotYours:
        raise Http404 from None
    except call_services.OutcomeConflict as error:
        return error_response(409, error.message, error.extra)
    except ValidationError as error:
        return error_response(400, "Données invalides.", _validation_extra(error))
    except ApplicationError as error:
        return error_response(400, error.message, error.extra)
    return _json(
        CallState(
            id=str(call.pk),
            version=call.version,
            status=call.status,
            status_label=call.get_status_display(),
            outcome=call.outcome or None,
            outcome_label=call.get_outcome_display() if call.outcome else None,
            attempts=call.attempts,
            max_attempts=call.campaign.max_attempts,
            due_at=call.due_at,
            escalated=call.escalations.exists(),
        )
    )


# --- OpenAPI -------------------------------------------------------------------------------------------

SECURITY_SCHEMES = {
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "sessionid",
        "description": "La session d'un compte connecté par les pages de connexion de Maillage, mot de passe puis "
        "second facteur ; la structure est celle choisie dans l'en-tête (structure en cours de la session).",
    },
    "csrf": {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRFToken",
        "description": "La valeur du cookie CSRF (csrftoken ; __Host-csrftoken en production), à chaque POST.",
    },
}


def openapi_models() -> list[type[BaseModel]]:
    models = []
    for endpoint in CALLER_ENDPOINTS.values():
        models += [endpoint.response] + ([endpoint.request] if endpoint.request else [])
    return models


def openapi_paths(error_schema_ref: str) -> dict:
    """The caller API's operations, for the OpenAPI document of /api/v1/."""
    paths = {}
    for endpoint in CALLER_ENDPOINTS.values():
        ok = {"schema": {"$ref": f"#/components/schemas/{endpoint.response.__name__}"}}
        ok["example"] = endpoint.example.model_dump(mode="json")
        responses = {"200": {"description": endpoint.summary, "content": {"application/json": ok}}}
        if endpoint.no_content:
            responses["204"] = {"description": endpoint.no_content}
        for status, description in sorted({**endpoint.errors, **AUTH_ERRORS}.items()):
            responses[str(status)] = {
                "description": description,
                "content": {"application/json": {"schema": {"$ref": error_schema_ref}}},
            }
        parameters = [
            {
                "name": "id",
                "in": "path",
                "required": True,
                "description": endpoint.path_id,
                "schema": {"type": "string", "pattern": "^[0-9]+$"},
            },
            *(
                {"name": name, "in": "header", "required": False, "description": text, "schema": {"type": "string"}}
                for name, text in endpoint.headers
            ),
        ]
        operation = {
            "operationId": endpoint.name,
            "summary": endpoint.summary,
            "description": endpoint.description,
            "tags": ["appels"],
            "security": [{"session": [], "csrf": []}],
            "parameters": parameters,
            "responses": responses,
        }
        if endpoint.request:
            body = {"schema": {"$ref": f"#/components/schemas/{endpoint.request.__name__}"}}
            body["example"] = endpoint.request_example.model_dump(mode="json")
            operation["requestBody"] = {"required": True, "content": {"application/json": body}}
        paths[endpoint.path] = {"post": operation}
    return paths
