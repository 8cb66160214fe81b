"""The OpenAPI 3.1 description of the public directory API and its DSFR documentation page, both
generated from the endpoint declarations and pydantic schemas of maillage.directory.apis."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from pydantic.json_schema import models_json_schema

from maillage.directory import api_schemas as s
from maillage.directory.apis import API_VERSION, ENDPOINTS, HSDS_PROFILE, MAX_PER_PAGE, Endpoint, error_response

ERROR_DESCRIPTIONS = {
    400: "Paramètres invalides.",
    404: "Introuvable (ou non publié).",
    405: "Méthode refusée.",
    429: "Trop de demandes depuis cette connexion (voir l'en-tête Retry-After).",
}


def _operation(endpoint: Endpoint) -> dict:
    json_ok = {"schema": {"$ref": f"#/components/schemas/{endpoint.response.__name__}"}}
    json_ok["example"] = endpoint.example.model_dump(mode="json")
    responses = {"200": {"description": endpoint.summary, "content": {"application/json": json_ok}}}
    for status in (*endpoint.errors, 405, 429):
        responses[str(status)] = {
            "description": ERROR_DESCRIPTIONS[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    parameters = [
        {"name": p.name, "in": "query", "required": False, "description": p.description, "schema": p.schema}
        for p in endpoint.parameters
    ]
    if endpoint.path_id:
        parameters.insert(
            0,
            {
                "name": "id",
                "in": "path",
                "required": True,
                "description": endpoint.path_id,
                "schema": {"type": "string", "pattern": "^[0-9]+$"},
            },
        )
    operation = {
        "operationId": endpoint.name,
        "summary": endpoint.summary,
        "description": endpoint.description,
        "tags": ["annuaire"],
        "responses": responses,
    }
    if parameters:
        operation["parameters"] = parameters
    return {"get": operation}


def openapi_document() -> dict:
    """The OpenAPI 3.1 description, generated from the endpoints and their pydantic schemas."""
    from maillage.referrals import apis as partner_apis  # the partner API (issue 14), under the same /api/v1
    from maillage.register import apis as caller_apis  # the callers' API (issue 13), under the same /api/v1

    models = [
        s.Error,
        s.ApiIndex,
        *(e.response for e in ENDPOINTS.values()),
        *caller_apis.openapi_models(),
        *partner_apis.openapi_models(),
    ]
    _, definitions = models_json_schema(
        [(m, "serialization") for m in dict.fromkeys(models)], ref_template="#/components/schemas/{model}"
    )
    paths = {
        "/": {
            "get": {
                "operationId": "docs",
                "summary": "Cette documentation (HTML)",
                "tags": ["documentation"],
                "responses": {
                    "200": {"description": "Page HTML", "content": {"text/html": {"schema": {"type": "string"}}}}
                },
            }
        },
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "Cette description OpenAPI 3.1",
                "tags": ["documentation"],
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    }
    for endpoint in ENDPOINTS.values():
        paths[endpoint.path] = _operation(endpoint)
    paths.update(caller_apis.openapi_paths("#/components/schemas/Error"))
    paths.update(partner_apis.openapi_paths("#/components/schemas/Error"))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "API de Maillage",
            "version": API_VERSION,
            "summary": "Les services publiés de l'annuaire, au format Open Referral HSDS 3.0 ; les appels des "
            "campagnes du registre, pour l'application des appelants ; les orientations reçues, pour le logiciel "
            "d'un partenaire.",
            "description": "Annuaire (étiquette « annuaire ») : lecture seule, sans authentification. Appels "
            "(étiquette « appels ») : POST, pour un compte connecté avec son second facteur (cookie de session) "
            "et le jeton CSRF (en-tête X-CSRFToken). Orientations (étiquette « orientations ») : pour le logiciel "
            "d'une structure partenaire, avec une clé d'API personnelle (en-tête Authorization: Bearer), sans "
            'session. Erreurs : `{"message", "extra"}` en français.',
            "license": {"name": "Licence Ouverte 2.0", "identifier": "etalab-2.0"},
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {**caller_apis.SECURITY_SCHEMES, **partner_apis.SECURITY_SCHEMES},
        },
    }


@login_not_required
def openapi(request):
    if request.method not in ("GET", "HEAD"):
        return error_response(405, "Seule la méthode GET est permise.")
    return JsonResponse(openapi_document(), json_dumps_params={"ensure_ascii": False, "indent": 2})


@login_not_required
def docs(request) -> HttpResponse:
    """The DSFR documentation page (HTML); a JSON client gets the HSDS API index instead."""
    if request.method not in ("GET", "HEAD"):
        return error_response(405, "Seule la méthode GET est permise.")
    openapi_url = request.build_absolute_uri(reverse("api:openapi"))
    if "application/json" in request.headers.get("Accept", "") and "text/html" not in request.headers.get(
        "Accept", ""
    ):
        index = s.ApiIndex(version=API_VERSION, profile=HSDS_PROFILE, openapi_url=openapi_url)
        return JsonResponse(index.model_dump())
    base = request.build_absolute_uri(reverse("api:docs")).rstrip("/")
    endpoints = [
        {
            "endpoint": e,
            "url": base + e.path.replace("{id}", e.example.model_dump().get("id", "1")) + e.example_query,
            "example": e.example.model_dump_json(indent=2),
            "schema": e.response.__name__,
        }
        for e in ENDPOINTS.values()
    ]
    from maillage.register import apis as caller_apis  # the callers' API (issue 13), under the same /api/v1

    caller_endpoints = [
        {
            "endpoint": e,
            "anchor": e.name.replace("_", "-"),
            "request": e.request_example.model_dump_json(indent=2) if e.request_example else "",
            "example": e.example.model_dump_json(indent=2),
            "schema": e.response.__name__,
            "errors": sorted({**e.errors, **caller_apis.AUTH_ERRORS}.items()),
        }
        for e in caller_apis.CALLER_ENDPOINTS.values()
    ]
    from maillage.referrals import apis as partner_apis  # the partner API (issue 14)

    partner_endpoints = [
        {
            "endpoint": e,
            "method": e.method.upper(),
            "anchor": f"orientations-{e.name}",
            "request": e.request_example.model_dump_json(indent=2) if e.request_example else "",
            "request_schema": e.request.__name__ if e.request else "",
            "example": e.example.model_dump_json(indent=2),
            "schema": e.response.__name__,
            "errors": sorted({**e.errors, **partner_apis.AUTH_ERRORS}.items()),
        }
        for e in partner_apis.PARTNER_ENDPOINTS.values()
    ]
    context = {
        "endpoints": endpoints,
        "caller_endpoints": caller_endpoints,
        "partner_endpoints": partner_endpoints,
        "partner_rate_limit": partner_apis.API_RATE_LIMIT,
        "openapi_url": openapi_url,
        "max_per_page": MAX_PER_PAGE,
        "error": s.EXAMPLE_ERROR.model_dump_json(indent=2),
    }
    return render(request, "directory/api_docs.html", context)
