"""Reads of the core, always scoped by `core.access`."""

import datetime

from django.db.models import Q
from django.utils import timezone

from maillage.core import access
from maillage.core.models import AuditLogEntry, Organisation, User


def audit_entry_list(*, actor: User, organisation: Organisation, filters: dict | None = None):
    """The organisation's audit trail as its DPO may read it, newest first, filtered by text
    (person acting or object), action, object type and dates (inclusive, Europe/Paris days)."""
    filters = filters or {}
    qs = access.audit_entries_visible_to(actor, organisation)
    text = (filters.get("q") or "").strip()
    if text:
        qs = qs.filter(
            Q(actor_email__icontains=text)
            | Q(object_repr__icontains=text)
            | Q(changes_text__icontains=text)
            | Q(path__icontains=text)
        )
    if filters.get("action") not in (None, ""):
        qs = qs.filter(action=int(filters["action"]))
    if filters.get("content_type"):
        qs = qs.filter(content_type_id=filters["content_type"])
    if filters.get("actor"):
        qs = qs.filter(actor_id=filters["actor"])
    if filters.get("access_path"):
        qs = qs.filter(access_path=filters["access_path"])
    if filters.get("subject"):
        qs = qs.filter(subject_person_id=filters["subject"])
    tz = timezone.get_current_timezone()
    if filters.get("date_from"):
        start = datetime.datetime.combine(filters["date_from"], datetime.time.min, tzinfo=tz)
        qs = qs.filter(timestamp__gte=start)
    if filters.get("date_to"):
        end = datetime.datetime.combine(filters["date_to"] + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        qs = qs.filter(timestamp__lt=end)
    return qs.order_by("-timestamp", "-pk")


def audit_summary(*, actor: User, organisation: Organisation) -> dict:
    """Counts for the DPO's dashboard: lines in the last 7 days, openings, break-glass reasons."""
    since = timezone.now() - datetime.timedelta(days=7)
    qs = access.audit_entries_visible_to(actor, organisation).filter(timestamp__gte=since)
    return {
        "last_7_days": qs.count(),
        "accesses": qs.filter(action=AuditLogEntry.Action.ACCESS).count(),
        "with_reason": qs.exclude(reason="").count(),
    }


def membership_list(*, actor: User, organisation: Organisation, filters: dict | None = None):
    """The organisation's members, as the user may see them, by name."""
    filters = filters or {}
    qs = access.memberships_visible_to(actor, organisation)
    text = (filters.get("q") or "").strip()
    if text:
        qs = qs.filter(
            Q(user__email__icontains=text) | Q(user__first_name__icontains=text) | Q(user__last_name__icontains=text)
        )
    if filters.get("role"):
        qs = qs.filter(role=filters["role"])
    return qs.order_by("-is_active", "user__last_name", "user__first_name")
