"""The API's declarations and plumbing: `Endpoint` and its parameters, the `api_endpoint` decorator
(GET only, JSON out, errors as {message, extra}), and the paging of list answers."""

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_not_required
from django.db.models import QuerySet
from django.http import Http404, JsonResponse
from pydantic import BaseModel

from maillage.core import ratelimit
from maillage.core.exceptions import ApplicationError
from maillage.directory import api_schemas as s

API_VERSION = "1.0.0"
HSDS_PROFILE = "https://openreferral.org/specification/3.0/"
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_INT_PARAM_DIGITS = 9
# Per client address (or member), every operation together: a partner reading the whole directory
# page by page (100 services a page) stays under it.
API_RATE_LIMIT = 120
API_RATE_WINDOW = 60

# --- Declarations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    schema: dict
    example: str = ""


@dataclass(frozen=True)
class Endpoint:
    name: str  # URL name in the "api" namespace
    path: str  # OpenAPI path, relative to /api/v1
    summary: str
    description: str
    response: type[BaseModel]
    example: BaseModel
    parameters: tuple[Param, ...] = ()
    path_id: str = ""  # what the {id} of the path designates
    errors: tuple[int, ...] = (400,)
    example_query: str = ""
    view: Callable | None = field(default=None, compare=False)


PAGING = (
    Param("page", "Numéro de page, à partir de 1.", {"type": "integer", "minimum": 1, "default": 1}, "1"),
    Param(
        "per_page",
        f"Résultats par page ; au-delà de {MAX_PER_PAGE}, {MAX_PER_PAGE}.",
        {"type": "integer", "minimum": 1, "default": DEFAULT_PER_PAGE},
        "20",
    ),
)
Q_PARAM = Param("q", "Mots recherchés (nom, description, besoins, commune…).", {"type": "string", "maxLength": 200})

ENDPOINTS: dict[str, Endpoint] = {}


class ApiError(ApplicationError):
    status = 400


def api_endpoint(endpoint: Endpoint):
    """Public, GET only; answers JSON built from the endpoint's schema, and errors as {message, extra}."""

    def decorate(view):
        @login_not_required
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not ratelimit.hit(
                f"api:{ratelimit.requester_key(request)}", limit=API_RATE_LIMIT, window_seconds=API_RATE_WINDOW
            ):
                message = ratelimit.refusal_message(
                    what="l'API de l'annuaire", limit=API_RATE_LIMIT, window_seconds=API_RATE_WINDOW
                )
                response = error_response(429, message, {"retry_after": str(ratelimit.retry_after(API_RATE_WINDOW))})
                response["Retry-After"] = str(ratelimit.retry_after(API_RATE_WINDOW))
                return response
            if request.method not in ("GET", "HEAD"):
                response = error_response(405, "Seule la méthode GET est permise.")
                response["Allow"] = "GET, HEAD"
                return response
            try:
                result = view(request, *args, **kwargs)
            except ApiError as exc:
                return error_response(exc.status, exc.message, exc.extra)
            except Http404 as exc:
                return error_response(404, str(exc) or "Ressource introuvable.")
            assert isinstance(result, endpoint.response)
            return JsonResponse(result.model_dump(mode="json"), json_dumps_params={"ensure_ascii": False})

        ENDPOINTS[endpoint.name] = Endpoint(**{**endpoint.__dict__, "view": wrapper})
        return wrapper

    return decorate


def error_response(status: int, message: str, extra: dict | None = None) -> JsonResponse:
    body = s.Error(message=message, extra=extra or {}).model_dump()
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


@login_not_required
def not_found(request, rest=""):
    """Any other address under /api/v1/: the same error shape."""
    return error_response(404, "Cette adresse n'existe pas dans l'API. La liste des adresses : /api/v1/openapi.json.")


# --- Parameters ----------------------------------------------------------------------------------


def int_param(request, name: str, default: int, errors: dict) -> int:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    # ASCII digits only: str.isdigit() accepts « ² », which int() refuses.
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        errors[name] = f"« {raw[:20]} » n'est pas un nombre entier positif."
        return default
    if len(raw) > MAX_INT_PARAM_DIGITS:
        errors[name] = f"« {raw[:20]}… » est trop grand ({MAX_INT_PARAM_DIGITS} chiffres au plus)."
        return default
    return int(raw)


def paging(request, errors: dict) -> tuple[int, int]:
    page = int_param(request, "page", 1, errors)
    per_page = min(int_param(request, "per_page", DEFAULT_PER_PAGE, errors), MAX_PER_PAGE)
    return page, per_page


def raise_if(errors: dict) -> None:
    if errors:
        raise ApiError("Paramètres invalides.", errors)


def page_of(page_cls, items: QuerySet | list, total: int, page: int, per_page: int, build) -> BaseModel:
    """HSDS paging: a page past the end is empty, never an error."""
    start = (page - 1) * per_page
    contents = [build(item) for item in items[start : start + per_page]] if start < total else []
    total_pages = math.ceil(total / per_page)
    return page_cls(
        total_items=total,
        total_pages=total_pages,
        page_number=page,
        size=len(contents),
        first_page=page == 1,
        last_page=page >= total_pages,
        empty=not contents,
        contents=contents,
    )
