"""Optimistic locking of editable records (decisions.md, « Merge and concurrent edits »).

A record with a `version` integer is edited through a form that carries the version it was read
at (hidden field). The service locks the row, compares, refuses a stale write with
`StaleVersionError` (who changed it and when, read from the audit trail), and bumps the version.
The form page then shows, field by field, what the user typed and what is saved now, with the
hidden version moved on: sending again overwrites knowingly, nothing typed is lost.

Why our own integer rather than django-concurrency: four models, one check in each service that
already runs in a transaction, and bulk writes (imports) that must bump it explicitly anyway; a
field and two functions are easier to read than a library that patches `save()`.
"""

import datetime

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from maillage.core.exceptions import ApplicationError


class StaleVersionError(ApplicationError):
    """The record changed after the form was read. `current` is the record as saved now."""

    def __init__(self, current: models.Model, who: str, when: datetime.datetime | None):
        when_text = f" le {timezone.localtime(when):%d/%m/%Y à %H:%M}" if when else ""
        super().__init__(
            f"Cette fiche a été modifiée entre-temps par {who}{when_text}. Comparez ci-dessous ce que vous "
            "avez saisi avec ce qui est enregistré maintenant, puis enregistrez de nouveau si vos valeurs "
            "doivent l'emporter.",
            {"version": current.version},
        )
        self.current = current


def last_change(obj: models.Model) -> tuple[str, datetime.datetime | None]:
    """Who last changed the record and when, from the audit trail (« un·e collègue » if unknown)."""
    from maillage.core.models import AuditLogEntry

    entry = (
        AuditLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True), object_pk=str(obj.pk)
        )
        .exclude(action=AuditLogEntry.Action.ACCESS)
        .select_related("actor")
        .order_by("-timestamp", "-pk")
        .first()
    )
    if entry is None:
        return "un·e collègue", getattr(obj, "updated_at", None)
    who = (entry.actor.get_full_name() or entry.actor.email) if entry.actor_id else "un·e collègue"
    return who, entry.timestamp


def check(obj: models.Model, expected: int | None, *, last_change=last_change) -> None:
    """Refuse a write prepared on another version of `obj` (already locked by the caller).
    `last_change(obj) -> (who, when)` names the author of the newer version."""
    if expected is None or obj.version == expected:
        return
    who, when = last_change(obj)
    raise StaleVersionError(obj, who, when)


def lock(model: type[models.Model], pk) -> models.Model:
    """The row as saved now, locked until the end of the transaction."""
    return model._base_manager.select_for_update().get(pk=pk)


class VersionField(forms.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(
            required=False,
            min_value=1,
            widget=forms.HiddenInput,
            error_messages={"invalid": "La version de la fiche transmise par le formulaire est illisible."},
            **kwargs,
        )


class VersionedFormMixin:
    """Adds the hidden `version` field; a model form takes it from its instance."""

    def __init__(self, *args, version: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = VersionField()
        instance = getattr(self, "instance", None)
        if version is None and instance is not None and instance.pk:
            version = instance.version
        self.fields["version"].initial = version
        self.initial["version"] = version

    def clean(self):
        # Kept apart from the data: services take `cleaned_data` as the record's fields.
        cleaned = super().clean()
        self._expected_version = cleaned.pop("version", None)
        return cleaned

    def expected_version(self) -> int | None:
        return getattr(self, "_expected_version", None)

    def show_conflict(self, exc: StaleVersionError, *, saved: dict | None = None, fresh=None) -> dict:
        """Move the hidden version on, and describe the differences for
        `core/includes/_version_conflict.html`. The values saved now are `saved` (keyed by field),
        or those of `fresh`, the same form opened on the record as it is now (by default built
        from the record alone: a form needing more arguments passes its own)."""
        if saved is None:
            fresh = fresh if fresh is not None else type(self)(instance=exc.current)
            saved = {name: fresh[name].initial for name in fresh.fields}
        self.data = self.data.copy()
        self.data["version"] = exc.current.version
        rows = []
        for name, field in self.fields.items():
            if name == "version" or name not in saved:
                continue
            bound = self[name]
            if not field.has_changed(saved[name], bound.data):
                continue
            typed = self.cleaned_data.get(name) if name in getattr(self, "cleaned_data", {}) else bound.data
            rows.append(
                {"label": field.label or name, "typed": _display(field, typed), "saved": _display(field, saved[name])}
            )
        return {"message": exc.message, "rows": rows}


def _display(field: forms.Field, value) -> str:
    if value in (None, "", [], ()):
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%d/%m/%Y %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(field, forms.ModelMultipleChoiceField):
        objects = (
            value
            if not isinstance(value, list | tuple) or not value or hasattr(value[0], "pk")
            else (field.queryset.filter(pk__in=value))
        )
        return ", ".join(str(o) for o in objects) or "—"
    if isinstance(field, forms.ModelChoiceField):
        obj = value if hasattr(value, "pk") else field.queryset.filter(pk=value).first()
        return str(obj) if obj is not None else "—"
    choices = getattr(field, "choices", None)
    if choices:
        flat = {}
        for key, label in choices:
            if isinstance(label, list | tuple):
                flat.update({str(k): v for k, v in label})
            else:
                flat[str(key)] = label
        if isinstance(value, list | tuple):
            return ", ".join(str(flat.get(str(v), v)) for v in value)
        return str(flat.get(str(value), value))
    return str(value)
