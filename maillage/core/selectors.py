"""Reads of the core, always scoped by `core.access`."""

import datetime
import re
import unicodedata

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


def _folded(value: str) -> str:
    """Lower case, no accents, punctuation as spaces: how a name is compared with what was typed."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", stripped).split())


ORGANISATION_SEARCH_LIMIT = 8


def organisation_search(query: str, *, exclude_pks=(), limit: int = ORGANISATION_SEARCH_LIMIT) -> list[Organisation]:
    """Active organisations matching what was typed, best first, to choose one from a list (the
    partner a consent to share names): by SIRET (its first digits, spaces ignored), else every word
    found in the name, the seat's commune or its postal code, case and accents ignored. Names
    starting with the words come first, then names holding them all, then those found by commune.

    Organisations are a short list (hundreds for a département): they are read once and compared
    here, which ignores accents the same way on both databases."""
    folded = _folded(query)
    if not folded:
        return []
    rows = Organisation.objects.active().exclude(pk__in=list(exclude_pks)).select_related("commune")
    digits = folded.replace(" ", "")
    if digits.isdigit() and len(digits) >= 9:  # a SIREN or SIRET, maybe typed with spaces
        return list(rows.filter(siret__startswith=digits).order_by("name")[:limit])
    words = folded.split()
    ranked = []
    for organisation in rows.only("pk", "name", "kind", "siret", "postal_code", "commune__name"):
        name = _folded(organisation.name)
        place = _folded(f"{organisation.commune.name if organisation.commune else ''} {organisation.postal_code}")
        haystack = f"{name} {place}".split()
        if not all(any(token.startswith(word) for token in haystack) for word in words):
            continue
        name_tokens = name.split()
        if name.startswith(folded):
            rank = 0
        elif all(any(token.startswith(word) for token in name_tokens) for word in words):
            rank = 1
        else:
            rank = 2
        ranked.append((rank, name, organisation.pk, organisation))
    ranked.sort(key=lambda row: row[:3])
    return [row[3] for row in ranked[:limit]]
