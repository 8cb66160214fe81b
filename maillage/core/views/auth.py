"""Authentication: e-mail + password, lockout (django-axes), TOTP second factor and recovery codes
(django-otp), password reset by e-mail. Every page is DSFR and French."""

import base64
import math

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.core import audit, ratelimit, services
from maillage.core.clientip import client_ip
from maillage.core.forms import (
    LoginForm,
    OTPReplaceForm,
    OTPSetupForm,
    OTPTokenForm,
    PasswordChangeForm,
    PasswordConfirmForm,
    SetPasswordForm,
    TaskPasswordResetForm,
)
from maillage.core.lockout import normalise_email

SETUP_DEVICE_SESSION_KEY = "maillage_otp_setup_device"
RECOVERY_CODES_SESSION_KEY = "maillage_new_recovery_codes"


def _safe_next(request, default="core:dashboard") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


@login_not_required
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login(request):
    if request.user.is_authenticated:
        return redirect(_safe_next(request))
    expired = request.session.pop("maillage_session_expired", False)
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        auth_login(request, user)
        audit.record_security_event(request, user, "Connexion (mot de passe vérifié)")
        next_url = _safe_next(request)
        target = "core:otp_verify" if user_has_device(user) else "core:otp_setup"
        return redirect(f"{reverse(target)}?next={next_url}")
    return render(
        request,
        "core/auth/login.html",
        {"form": form, "session_expired": expired, "next": request.GET.get("next", "")},
    )


def lockout_response(request, credentials, *args, **kwargs):
    """What django-axes answers once an account is locked: the login page with the reason."""
    form = LoginForm(request)
    return render(
        request,
        "core/auth/login.html",
        {
            "form": form,
            "locked_out": True,
            "address_locked": getattr(request, "maillage_address_locked", False),
            "account_locked": getattr(request, "maillage_account_locked", True),
            "session_expired": False,
            "next": "",
        },
        status=429,
    )


@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """Second step: a code from the authenticator application, or a single-use recovery code."""
    user = request.user
    if user.is_verified():
        return redirect(_safe_next(request))
    if not user_has_device(user):
        return redirect("core:otp_setup")
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, wait = _verify_token(user, form.cleaned_data["token"])
        if device is not None:
            _second_factor_passed(request, device)
            kind = "code de secours" if isinstance(device, StaticDevice) else "application d'authentification"
            audit.record_security_event(request, user, f"Second facteur vérifié ({kind})")
            if isinstance(device, StaticDevice):
                remaining = device.token_set.count()
                messages.warning(request, f"Vous avez utilisé un code de secours : il vous en reste {remaining}.")
            return redirect(_safe_next(request))
        if wait:
            audit.record_security_event(request, user, "Second facteur refusé (trop d'essais, code non vérifié)")
            form.add_error("token", too_many_attempts_message(wait))
        else:
            audit.record_security_event(request, user, "Second facteur refusé (code incorrect)")
            form.add_error(
                "token",
                "Code incorrect ou expiré. Vérifiez l'heure de votre téléphone, ou utilisez un code de secours. "
                "Après plusieurs erreurs, patientez quelques secondes avant de réessayer.",
            )
    return render(request, "core/auth/otp_verify.html", {"form": form, "next": request.GET.get("next", "")})


def _second_factor_passed(request, device) -> None:
    """Mark the session as verified, under a new session id: an id fixed by someone else before
    the second factor (or seen with the password alone) must not become a verified session."""
    request.session.cycle_key()
    otp_login(request, device)


def too_many_attempts_message(wait: int) -> str:
    """What a throttled second factor says: the truth (wait), not « code incorrect »."""
    unit = "seconde" if wait == 1 else "secondes"
    return f"Trop d'essais : attendez {wait} {unit} avant de réessayer. Le code saisi n'a pas été vérifié."


def throttle_wait(device) -> int:
    """Seconds before django-otp lets `device` verify a code again (0 when it may now).

    django-otp's throttling doubles the wait after each wrong code (1, 2, 4, 8… seconds) and
    answers `verify_is_allowed()` with `(False, {"locked_until": …})` meanwhile; `verify_token`
    then returns False without looking at the code."""
    allowed, info = device.verify_is_allowed()
    if allowed:
        return 0
    locked_until = (info or {}).get("locked_until")
    if locked_until is None:
        return 1
    return max(1, math.ceil((locked_until - timezone.now()).total_seconds()))


def _verify_token(user, token: str):
    """The device that accepts `token`, or None and the seconds to wait when the devices that
    could have checked it are throttled. Six digits are an authenticator's code, anything else a
    recovery code: a wrong code counts against the one device it was meant for."""
    kind = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    wait = 0
    for device in devices_for_user(user, confirmed=True):
        if not isinstance(device, kind):
            continue
        device_wait = throttle_wait(device)
        if device_wait:
            wait = max(wait, device_wait)
            continue
        if device.verify_token(token):
            return device, 0
    return None, wait


@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """Pair an authenticator application (QR code or secret), confirmed with a code. At the first
    login the user then receives recovery codes. A verified user may pair a new phone, which
    replaces the old application: they type their password too (decisions.md, item 22)."""
    user = request.user
    replacing = user_has_device(user)
    if replacing and not user.is_verified():
        return redirect("core:otp_verify")
    device = _pending_device(request)
    form = OTPReplaceForm(request.POST or None, user=user) if replacing else OTPSetupForm(request.POST or None)
    wait = throttle_wait(device) if request.method == "POST" else 0
    if request.method == "POST" and form.is_valid() and wait:
        form.add_error("token", too_many_attempts_message(wait))
    elif request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            return _confirm_device(request, device, replacing=replacing)
        form.add_error(
            "token",
            "Ce code ne correspond pas. Vérifiez que l'heure de votre téléphone est exacte ; après une erreur, "
            "patientez quelques secondes avant de saisir le code suivant.",
        )
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "core/auth/otp_setup.html",
        {
            "form": form,
            "replacing": replacing,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "qr_svg": _qr_svg(device.config_url),
        },
    )


def _confirm_device(request, device, *, replacing: bool):
    user = request.user
    with transaction.atomic():
        device.confirmed = True
        device.save()
        if replacing:
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        else:
            codes = services.recovery_codes_replace(user=user)
    _second_factor_passed(request, device)
    request.session.pop(SETUP_DEVICE_SESSION_KEY, None)
    if replacing:
        audit.record_security_event(request, user, "Application d'authentification remplacée")
        messages.success(
            request, "Votre nouvelle application d'authentification est activée ; l'ancienne ne marche plus."
        )
        return redirect("core:dashboard")
    request.session[RECOVERY_CODES_SESSION_KEY] = codes
    audit.record_security_event(request, user, "Second facteur activé")
    return redirect("core:recovery_codes")


def _pending_device(request) -> TOTPDevice:
    device_id = request.session.get(SETUP_DEVICE_SESSION_KEY)
    device = TOTPDevice.objects.filter(pk=device_id, user=request.user, confirmed=False).first() if device_id else None
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="Application d'authentification", confirmed=False)
        request.session[SETUP_DEVICE_SESSION_KEY] = device.pk
    return device


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg = image.to_string(encoding="unicode")
    return svg.replace("<svg ", '<svg role="img" aria-label="QR code à scanner avec l\'application" ', 1)


@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """Show freshly issued recovery codes once; POST, with the user's password, issues a new set."""
    form = PasswordConfirmForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        request.session[RECOVERY_CODES_SESSION_KEY] = services.recovery_codes_replace(user=request.user)
        audit.record_security_event(request, request.user, "Codes de secours renouvelés")
        return redirect("core:recovery_codes")
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None) if request.method == "GET" else None
    remaining = StaticToken.objects.filter(device__user=request.user).count()
    formatted = [f"{c[:5]}-{c[5:]}" for c in codes] if codes else None
    return render(request, "core/auth/recovery_codes.html", {"codes": formatted, "remaining": remaining, "form": form})


@require_http_methods(["POST"])
def logout(request):
    user = request.user
    if user.is_authenticated:
        audit.record_security_event(request, user, "Déconnexion")
    from django.contrib.auth import logout as auth_logout

    auth_logout(request)
    messages.info(request, "Vous êtes déconnecté·e.")
    return redirect("core:login")


class PasswordResetView(auth_views.PasswordResetView):
    """Password reset by e-mail, limited per e-mail (normalised) and per client address. The page
    answers the same whether the address has an account or not: the limit counts every request."""

    def form_valid(self, form):
        email = normalise_email(form.cleaned_data["email"])
        hour = 60 * 60
        per_email = ratelimit.hit(
            f"password-reset:email:{email}",
            limit=settings.MAILLAGE_PASSWORD_RESET_LIMIT_PER_EMAIL_PER_HOUR,
            window_seconds=hour,
        )
        per_address = ratelimit.hit(
            f"password-reset:address:{client_ip(self.request)}",
            limit=settings.MAILLAGE_PASSWORD_RESET_LIMIT_PER_ADDRESS_PER_HOUR,
            window_seconds=hour,
        )
        if not (per_email and per_address):
            form.add_error(
                "email",
                "Adresse électronique : trop de demandes de réinitialisation pour cette adresse ou depuis votre "
                "connexion. Si un compte existe, un lien a déjà été envoyé : vérifiez votre messagerie (et les "
                "indésirables), ou patientez une heure avant de réessayer.",
            )
            return self.form_invalid(form)
        return super().form_valid(form)


password_reset = login_not_required(
    PasswordResetView.as_view(
        form_class=TaskPasswordResetForm,
        template_name="core/auth/password_reset.html",
        email_template_name="core/emails/password_reset.txt",
        subject_template_name="core/emails/password_reset_subject.txt",
        success_url=reverse_lazy("core:password_reset_done"),
    )
)
password_reset_done = login_not_required(
    auth_views.PasswordResetDoneView.as_view(template_name="core/auth/password_reset_done.html")
)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choosing a new password through the e-mailed link also unlocks the account: the lockout
    page advises it, so it must be true (issue 11). Only the account's count goes: the failures
    counted against a client address stay (one mailbox must not clear a machine's guesses)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        from axes.utils import reset as axes_reset

        cleared = axes_reset(username=normalise_email(self.user.email))
        what = "Mot de passe réinitialisé par le lien envoyé par courriel"
        if cleared:
            what += " ; blocage des connexions levé pour ce compte"
        audit.record_security_event(self.request, self.user, what)
        return response


password_reset_confirm = login_not_required(
    PasswordResetConfirmView.as_view(
        form_class=SetPasswordForm,
        template_name="core/auth/password_reset_confirm.html",
        success_url=reverse_lazy("core:password_reset_complete"),
    )
)
password_reset_complete = login_not_required(
    auth_views.PasswordResetCompleteView.as_view(template_name="core/auth/password_reset_complete.html")
)
password_change = auth_views.PasswordChangeView.as_view(
    form_class=PasswordChangeForm,
    template_name="core/auth/password_change.html",
    success_url=reverse_lazy("core:password_change_done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(template_name="core/auth/password_change_done.html")
