"""Audit: the history of every change to models holding personal data, and the log of openings of
sensitive pages (architecture.md, rule 2).

Changes are written by django-auditlog into `core.AuditLogEntry`, with the actor, address and the
organisation the actor was working for (set per request by `AuditContextMiddleware`). Openings are
written by `record_access`. Every app registers its personal-data models here with `register`.
"""

from auditlog.context import set_extra_data
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType

from maillage.core.models import AuditLogEntry, Membership, Organisation, User

# Never copied into the trail: secrets.
_MASKED = ["password"]


def register(model, *, exclude_fields=(), mask_fields=()):
    """Put a model under audit: every create, update and delete gets a line with its changes."""
    auditlog.register(model, exclude_fields=list(exclude_fields), mask_fields=list(mask_fields))


register(User, exclude_fields=["last_login", "password"])
register(Membership)
register(Organisation, exclude_fields=["updated_at"])


def remote_addr(request) -> str | None:
    """The client's address: the first hop of X-Forwarded-For behind a proxy, else REMOTE_ADDR."""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR")


def request_context(request) -> dict:
    """What every audit line of this request carries: who, from where, for which organisation."""
    user = getattr(request, "user", None)
    return {
        "actor": user if user is not None and user.is_authenticated else None,
        "remote_addr": remote_addr(request),
        "organisation": getattr(request, "organisation", None),
    }


def audit_context(request):
    """Context manager binding the request's actor and organisation to the changes it makes."""
    return set_extra_data(context_data=request_context(request))


def record_access(request, obj, *, what: str = "", reason: str = "") -> AuditLogEntry:
    """Log that the request's user opened a sensitive page about `obj` (who, when, what, why)."""
    context = request_context(request)
    actor = context["actor"]
    return AuditLogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(obj.__class__),
        object_pk=str(obj.pk),
        object_id=obj.pk if isinstance(obj.pk, int) else None,
        object_repr=str(obj)[:500],
        action=AuditLogEntry.Action.ACCESS,
        changes_text=what,
        actor=actor,
        actor_email=getattr(actor, "email", None),
        remote_addr=context["remote_addr"],
        organisation=context["organisation"],
        path=request.get_full_path()[:500],
        reason=reason,
    )


def record_security_event(request, user: User, what: str) -> AuditLogEntry:
    """Log a security event about an account (login, logout, second factor set up, lockout)."""
    context = request_context(request)
    return AuditLogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(User),
        object_pk=str(user.pk),
        object_id=user.pk,
        object_repr=str(user)[:500],
        action=AuditLogEntry.Action.ACCESS,
        changes_text=what,
        actor=user,
        actor_email=user.email,
        remote_addr=context["remote_addr"],
        organisation=context["organisation"],
        path=request.get_full_path()[:500],
    )
