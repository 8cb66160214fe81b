"""Idempotent form submissions (decisions.md, « Merge and concurrent edits »).

Every POST form of the project carries a one-time token (`{% form_token %}`, a hidden field, new at
each rendering). `IdempotencyMiddleware` claims the token atomically in the shared cache
(`cache.add`, one row per token in the database cache, so every process sees it) before the view
runs. A second submission of the same token — a double click, a « renvoyer le formulaire » of the
browser — does not reach the view: it waits for the first one to finish and answers with the same
redirection, plus the message « Ce formulaire a déjà été envoyé ». When the first submission did
not redirect (a form with errors), the token is released: sending it again shows the errors again
and writes nothing more than the first time.

Tokens are scoped to the account (or to the session for an anonymous visitor) and live
`MAILLAGE_FORM_TOKEN_SECONDS` (10 minutes by default): a token older than that is treated as new.
"""

import secrets
import time

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string

FIELD = "_form_token"
PENDING = "pending"
ALREADY_SENT = "Ce formulaire a déjà été envoyé : voici le résultat du premier envoi."
STILL_RUNNING = (
    "Ce formulaire a déjà été envoyé et son traitement n'est pas terminé. Patientez quelques secondes, puis "
    "ouvrez de nouveau la page pour en voir le résultat."
)
# How long a second submission waits for the first one's answer.
WAIT_SECONDS = 10.0


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _ttl() -> int:
    return getattr(settings, "MAILLAGE_FORM_TOKEN_SECONDS", 600)


def _key(request, token: str) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        owner = f"u{user.pk}"
    else:
        owner = f"s{request.session.session_key or 'none'}" if hasattr(request, "session") else "anon"
    return f"maillage:form-token:{owner}:{token}"


def _redirect_of(response) -> dict | None:
    """What a second submission must answer: the first one's redirection (page or htmx)."""
    if 300 <= response.status_code < 400 and response.has_header("Location"):
        return {"location": response["Location"]}
    if response.has_header("HX-Redirect"):
        return {"hx_redirect": response["HX-Redirect"]}
    return None


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request.POST.get(FIELD, "") if request.method == "POST" else ""
        if not token or len(token) > 64:
            return self.get_response(request)
        key = _key(request, token)
        if not cache.add(key, PENDING, _ttl()):
            return self._replay(request, key)
        try:
            response = self.get_response(request)
        except BaseException:
            cache.delete(key)
            raise
        outcome = _redirect_of(response)
        if outcome is None:
            cache.delete(key)
        else:
            cache.set(key, outcome, _ttl())
        return response

    def _replay(self, request, key):
        deadline = time.monotonic() + WAIT_SECONDS
        outcome = cache.get(key)
        while outcome == PENDING and time.monotonic() < deadline:
            time.sleep(0.1)
            outcome = cache.get(key)
        if isinstance(outcome, dict):
            messages.info(request, ALREADY_SENT)
            if "location" in outcome:
                return HttpResponseRedirect(outcome["location"])
            response = HttpResponse(status=204)
            response["HX-Redirect"] = outcome["hx_redirect"]
            return response
        if outcome is None:
            # The first submission ended without a result to share (its key was released): run again.
            return self.__call__(request)
        body = render_to_string("core/form_already_sent.html", {"message": STILL_RUNNING}, request=request)
        return HttpResponse(body, status=409)
