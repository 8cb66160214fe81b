"""The link and one-time code of a partner without an account (issue 14, point 3; decision « nolink »).

The sender gives the partner's address; sending e-mails a link carrying no personal data. Opening the
link asks for a code, sent on request to the same address: a forwarded link is useless without the
mailbox. Only hashes of the token and of the code are stored. The right code opens a short session
scoped to that one referral (`SESSION_KEY`, 30 minutes)."""

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from maillage.core import emails, grammar
from maillage.referrals.models import ReferralLink

CODE_MINUTES = 10
CODE_MAX_FAILURES = 5
SESSION_MINUTES = 30
#: The link opened, waiting for its code: the link's number.
PENDING_KEY = "referral_link_pending"
#: The session the right code opens: {"link": pk, "referral": pk, "until": timestamp}.
SESSION_KEY = "referral_link_session"

EXPIRED = "Ce lien a expiré : demandez à la structure qui a orienté la personne de vous renvoyer l'orientation."
ENDED = "Cette orientation est terminée ou a été annulée : ce lien ne sert plus."
UNKNOWN = "Ce lien n'est pas valable : vérifiez qu'il est complet, tel que reçu dans le courriel."
WRONG_CODE = "Ce code n'est pas le bon : vérifiez le dernier courriel reçu, ou demandez un nouveau code."
CODE_EXPIRED = "Ce code a expiré (il vaut 10 minutes) : demandez-en un nouveau."
NO_CODE = "Demandez d'abord un code : il vous est envoyé à l'adresse qui a reçu le lien."
LOCKED = (
    "Trop de codes erronés : ce lien est bloqué. Demandez à la structure qui a orienté la personne de vous "
    "renvoyer l'orientation."
)


def _hash(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def _code_hash(link: ReferralLink, code: str) -> str:
    return _hash(f"code:{link.pk}:{code}")


def find(token: str) -> ReferralLink | None:
    if not token or len(token) > 100:
        return None
    return ReferralLink.objects.select_related("referral").filter(token_hash=_hash(f"token:{token}")).first()


def refusal(link: ReferralLink, now=None) -> str | None:
    """Why the link no longer opens anything, in French; None while it holds."""
    from maillage.referrals.models import OPEN_FOR_PARTNER

    now = now or timezone.now()
    if link.revoked_at is not None or link.referral.status not in OPEN_FOR_PARTNER:
        return ENDED
    if link.expires_at <= now:
        return EXPIRED
    if link.code_failures >= CODE_MAX_FAILURES:
        return LOCKED
    return None


def _absolute(path: str) -> str:
    return settings.MAILLAGE_BASE_URL.rstrip("/") + path


def create_link(referral) -> tuple[ReferralLink, str]:
    """A new link for the referral's address: returns it and its token (kept nowhere else)."""
    token = secrets.token_urlsafe(32)
    link = ReferralLink.objects.create(
        referral=referral,
        email=referral.recipient_email,
        token_hash=_hash(f"token:{token}"),
        expires_at=timezone.now() + datetime.timedelta(days=settings.REFERRALS_LINK_DAYS),
    )
    return link, token


def send_link(referral, *, reminder: bool = False) -> ReferralLink:
    """Create the link and e-mail it: the sending organisation, the number, the link — no name, no reason.
    `reminder`: the referral waits for an answer (tasks.send_overdue_reminders); the new link replaces
    the one sent before."""
    referral.links.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    link, token = create_link(referral)
    context = {
        "referral": referral,
        "url": _absolute(reverse("referrals:link_open", args=[token])),
        "days": settings.REFERRALS_LINK_DAYS,
        "reminder": reminder,
        "waiting": grammar.count((timezone.now() - referral.sent_at).days, "jour") if reminder else "",
    }
    subject = (
        f"[Maillage] Rappel : une orientation attend votre réponse (n° {referral.pk})"
        if reminder
        else f"[Maillage] Une orientation vous est adressée par {referral.from_organisation.name} (n° {referral.pk})"
    )
    emails.send(
        subject=subject,
        body=render_to_string("referrals/emails/link.txt", context),
        to=[link.email],
    )
    return link


def send_cancellation(referral) -> None:
    emails.send(
        subject=f"[Maillage] Une orientation qui vous était adressée a été annulée (n° {referral.pk})",
        body=render_to_string("referrals/emails/link_cancelled.txt", {"referral": referral}),
        to=[referral.recipient_email],
    )


@transaction.atomic
def send_code(link: ReferralLink) -> None:
    """A new 6-digit code, valid CODE_MINUTES, to the link's address (the previous one no longer holds)."""
    code = f"{secrets.randbelow(1_000_000):06d}"
    link.code_hash = _code_hash(link, code)
    link.code_expires_at = timezone.now() + datetime.timedelta(minutes=CODE_MINUTES)
    link.save(update_fields=["code_hash", "code_expires_at"])
    emails.send(
        subject=f"[Maillage] Votre code pour lire l'orientation n° {link.referral_id}",
        body=render_to_string("referrals/emails/link_code.txt", {"code": code, "minutes": CODE_MINUTES, "link": link}),
        to=[link.email],
    )


@transaction.atomic
def check_code(link: ReferralLink, code: str) -> str | None:
    """None when `code` is the link's code in force (it is then used up); the refusal otherwise. A
    wrong code counts toward the lock."""
    link = ReferralLink.objects.select_for_update().select_related("referral").get(pk=link.pk)
    refused = refusal(link)
    if refused:
        return refused
    if not link.code_hash:
        return NO_CODE
    if link.code_expires_at is None or link.code_expires_at <= timezone.now():
        return CODE_EXPIRED
    code = (code or "").strip().replace(" ", "")
    if not hmac.compare_digest(link.code_hash, _code_hash(link, code)):
        link.code_failures += 1
        link.save(update_fields=["code_failures"])
        return LOCKED if link.code_failures >= CODE_MAX_FAILURES else WRONG_CODE
    link.code_hash = ""
    link.code_expires_at = None
    link.save(update_fields=["code_hash", "code_expires_at"])
    return None


def open_session(request, link: ReferralLink) -> None:
    request.session.cycle_key()
    request.session.pop(PENDING_KEY, None)
    until = timezone.now() + datetime.timedelta(minutes=SESSION_MINUTES)
    request.session[SESSION_KEY] = {"link": link.pk, "referral": link.referral_id, "until": until.timestamp()}


def session_link(request) -> ReferralLink | None:
    """The link whose code this session entered, while the session (30 minutes) and the link hold."""
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict) or data.get("until", 0) <= timezone.now().timestamp():
        return None
    link = (
        ReferralLink.objects.select_related("referral")
        .filter(pk=data.get("link"), referral_id=data.get("referral"))
        .first()
    )
    if link is None or refusal(link) is not None:
        return None
    return link
