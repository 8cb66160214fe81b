"""« Mes clés d'API » (decision 60): a member who receives referrals makes personal keys for
their organisation's partner software, sees their secret once, lists and revokes them; the
organisation's administrator sees every key made for it and revokes any. Past the second factor
only (the middleware, and `access.role_in`)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from maillage.core import access, api_keys
from maillage.core.exceptions import ApplicationError
from maillage.core.forms import ApiKeyForm, run_service


def _page(request, form, created=None, status=200):
    organisation = request.organisation
    keys = access.api_keys_visible_to(request.user, organisation)
    context = {
        "keys": keys,
        "form": form,
        "created": created,
        "can_create": access.can_create_api_key(request.user, organisation),
        "oversees": access.can_oversee_api_keys(request.user, organisation),
        "now": timezone.now(),
    }
    return render(request, "core/api_keys.html", context, status=status)


@require_http_methods(["GET", "POST"])
def api_key_list(request):
    organisation = request.organisation
    if not access.can_use_api_keys_page(request.user, organisation):
        raise Http404("Page introuvable.")
    can_create = access.can_create_api_key(request.user, organisation)
    if request.method == "POST":
        if not can_create:
            raise Http404("Page introuvable.")
        form = ApiKeyForm(request.POST)
        created = None
        if form.is_valid():
            created = run_service(
                form,
                lambda: api_keys.api_key_create(
                    actor=request.user,
                    organisation=organisation,
                    name=form.cleaned_data["name"],
                    days=form.cleaned_data["days"],
                ),
            )
        if created is not None:
            # Shown once, in this answer only: never stored, never in the session.
            return _page(request, ApiKeyForm(), created=created, status=201)
        return _page(request, form, status=400)
    return _page(request, ApiKeyForm() if can_create else None)


@require_http_methods(["POST"])
def api_key_revoke(request, pk):
    key = access.get_api_key_for(request.user, request.organisation, pk)
    try:
        api_keys.api_key_revoke(actor=request.user, organisation=request.organisation, key=key)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"La clé « {key.name} » est révoquée : elle n'ouvre plus rien.")
    return redirect("core:api_key_list")
