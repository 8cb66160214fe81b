"""The invitations addressed to one's own account: listed, accepted or declined by its holder only."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django_otp import user_has_device

from maillage.core import access, services
from maillage.core.exceptions import ApplicationError


def _second_factor_passed_if_any(request) -> None:
    """An account with an authenticator answers an invitation only after its second factor: the
    password alone must not attach it to an organisation."""
    if user_has_device(request.user) and not request.user.is_verified():
        raise PermissionDenied


@require_http_methods(["GET"])
def invitation_list(request):
    invitations = access.invitations_received_by(request.user).order_by("-created_at")
    return render(request, "core/invitation_list.html", {"invitations": invitations})


@require_http_methods(["POST"])
def invitation_accept(request, pk):
    _second_factor_passed_if_any(request)
    invitation = access.get_received_invitation_for(request.user, pk)
    try:
        membership = services.membership_invitation_accept(actor=request.user, invitation=invitation)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("core:invitation_list")
    messages.success(
        request,
        f"Vous êtes maintenant membre de « {membership.organisation} » ({membership.get_role_display().lower()}). "
        "Choisissez la structure pour laquelle vous travaillez dans l'en-tête.",
    )
    return redirect("core:dashboard")


@require_http_methods(["POST"])
def invitation_decline(request, pk):
    _second_factor_passed_if_any(request)
    invitation = access.get_received_invitation_for(request.user, pk)
    try:
        services.membership_invitation_decline(actor=request.user, invitation=invitation)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, f"Vous avez refusé l'invitation de « {invitation.organisation} ».")
    return redirect("core:invitation_list")
