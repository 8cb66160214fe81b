"""The audit lines of an import: one per service and one per place the import created or changed.

The import writes rows in bulk, without save() and its signals, so django-auditlog writes nothing
for them, and deleting a service's old phones row by row (one audit line each) was most of the cost
of a re-import. Instead, each created service or place gets one line naming it and the import (its
values are the record's first state), and each changed one gets one line (core.AuditLogEntry, the
trail the DPO reads) holding its changed fields and, for a service's details, the list before →
after (« téléphones : 03 80 … → 03 81 … »). A contact is a named person: its values stay out of the
trail, only the fact that the service's contacts changed is kept (core.audit, personal data). An
unchanged service gets no line, as auditlog would not write one either. Each line names the
organisation that owns the record, so that the organisation's DPO sees what the import did to its
entries, and `changes_text` says which import it was.
"""

from datetime import date, datetime, time
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from maillage.core.audit import MASK, is_personal
from maillage.core.models import AuditLogEntry
from maillage.directory.enums import Weekday
from maillage.directory.interop import rows
from maillage.directory.models import (
    Contact,
    Phone,
    RegularSchedule,
    ScheduleException,
    ServiceAccessibility,
    ServiceCapacity,
    ServiceLanguage,
)

# The name of a service's details in its audit line: not a field name of Service (the audit page
# looks a key up as a field for its label), in the words of the interface.
DETAIL_LABELS = {
    Phone: "téléphones",
    Contact: "personnes à contacter",
    RegularSchedule: "horaires d'ouverture",
    ScheduleException: "exceptions d'horaires",
    ServiceLanguage: "langues parlées",
    ServiceAccessibility: "accessibilité",
    ServiceCapacity: "capacités",
    "locations": "lieux",
    "terms": "terms",  # Service.terms: the audit page shows its label
    "communes_served": "communes_served",
}


def jsonable(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def describe(model, row: dict) -> str:
    """One detail of a service, as the audit line lists it."""
    if model is Phone:
        return f"{row['number']} ({row['description']})" if row.get("description") else row["number"]
    if model is RegularSchedule:
        return f"{Weekday(row['weekday']).label} {row['opens_at']:%H:%M}–{row['closes_at']:%H:%M}"
    if model is ScheduleException:
        hours = "fermé" if row.get("is_closed", True) else f"{jsonable(row['opens_at'])}–{jsonable(row['closes_at'])}"
        return f"{row['start_date']:%d/%m/%Y}–{row['end_date']:%d/%m/%Y} {hours} {row.get('description', '')}".strip()
    if model is ServiceLanguage:
        return f"{row['name']} ({row['code']})"
    if model is ServiceAccessibility:
        text = dict(ServiceAccessibility._meta.get_field("feature").flatchoices).get(row["feature"], row["feature"])
        return f"{text} ({row['details']})" if row.get("details") else str(text)
    if model is ServiceCapacity:
        return f"{row.get('available')} / {row.get('maximum')} {row['unit']}"
    return str(row)


def detail_change(model, before: list[dict], after: list[dict]) -> list:
    """[before, after] for a service's details of one kind; values masked for personal data."""
    if is_personal(model) or model is Contact:
        return [MASK, MASK]
    return ["; ".join(describe(model, r) for r in before), "; ".join(describe(model, r) for r in after)]


class Trail:
    """Collects the lines of one import, then writes them in one go."""

    def __init__(self, *, actor=None, origin: str = ""):
        self.actor = actor
        self.origin = origin
        self.timestamp = timezone.now()
        self.lines: list[dict] = []
        self._content_types = {}

    def _content_type_id(self, model) -> int:
        if model not in self._content_types:
            self._content_types[model] = ContentType.objects.get_for_model(model).pk
        return self._content_types[model]

    def prepare(self, *models) -> None:
        """Read the content types of `models` now (a line is then added without any query)."""
        for model in models:
            self._content_type_id(model)

    def add(self, model, pk: int, repr_: str, changes: dict | None, *, created: bool, organisation_id: int | None):
        """A created record's line names it and the import (its values are the record's first state,
        and every later change gets its own line); a changed record's line holds before → after."""
        if not created and not changes:
            return
        if is_personal(model):  # as core.audit.redact does for the lines auditlog writes
            repr_ = f"{model._meta.verbose_name} n° {pk}"
            changes = dict.fromkeys(changes, [MASK, MASK]) if changes else None
        self.lines.append(
            {
                "content_type_id": self._content_type_id(model),
                "object_pk": str(pk),
                "object_id": pk,
                "object_repr": repr_[:500],
                "action": AuditLogEntry.Action.CREATE if created else AuditLogEntry.Action.UPDATE,
                "changes": {name: [jsonable(a), jsonable(b)] for name, (a, b) in changes.items()} if changes else None,
                "changes_text": self.origin,
                "actor_id": getattr(self.actor, "pk", None),
                "actor_email": getattr(self.actor, "email", None),
                "timestamp": self.timestamp,
                "organisation_id": organisation_id,
            }
        )

    def write(self) -> int:
        rows.insert(AuditLogEntry, self.lines)
        return len(self.lines)
