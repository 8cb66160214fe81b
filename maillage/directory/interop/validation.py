"""A model's own validation of a row, as `Model.full_clean` does it, without a model instance per row.

`full_clean` costs more than the rest of an import's checking (a model instance, then every field's
`clean`, per row). `ModelRules` is built once per model and gives the same verdict and the same
French messages: a field is cleaned by the model field's own `clean`, except plain text within its
length and choices (the common case, checked inline); the results of a field's `clean` are kept per
distinct value for the length of one import (the same `09:00`, the same e-mail address, the same
age); the model's `clean()` (cross-field rules such as « ferme après ouvre ») runs on a bare instance
carrying the cleaned values. Uniqueness and database constraints are left out, as the import did
with `full_clean(validate_unique=False, validate_constraints=False)`.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models

_MISSING = object()


def _is_plain_text(field) -> bool:
    """A CharField or TextField whose only validator is its maximum length: a str within the length
    (and the choices) is valid and unchanged by `clean`."""
    return type(field) in (models.CharField, models.TextField) and all(
        type(v) is MaxLengthValidator for v in field.validators
    )


class ModelRules:
    """The field and model validation of `model`, minus the fields in `exclude` (relations set by the
    writer). `check` returns the cleaned values, or None after reporting every error."""

    def __init__(self, model, exclude=()):
        self.model = model
        self.fields = [f for f in model._meta.fields if f.name not in exclude and not f.generated]
        self.plain = {f.name: _is_plain_text(f) for f in self.fields}
        self.choices = {f.name: {str(v) for v, _ in f.flatchoices} for f in self.fields if f.choices}
        self.has_clean = model.clean is not models.Model.clean
        # What a bare instance holds for the values a row does not give (computed once: for the
        # model's clean(), which only reads them).
        self.defaults = {f.attname: f.get_default() for f in model._meta.concrete_fields}
        self._cache: dict = {}

    def reset(self) -> None:
        """Forget the cached results (one import's values)."""
        self._cache = {}

    def _clean_field(self, field, raw):
        """`field.clean(raw)`, remembered per value. Raises ValidationError like it."""
        try:
            key = (field.name, type(raw), raw)
            hit = self._cache.get(key, _MISSING)
        except TypeError:  # unhashable (a list or an object where a value was expected)
            return field.clean(raw, None)
        if hit is _MISSING:
            try:
                hit = field.clean(raw, None)
            except ValidationError as exc:
                hit = exc
            self._cache[key] = hit
        if isinstance(hit, ValidationError):
            raise hit
        return hit

    def errors(self, values: dict) -> tuple[dict, dict[str, list[str]]]:
        """(cleaned values, {field name or "__all__": [French messages]}) in full_clean's order."""
        cleaned, errors = {}, {}
        for field in self.fields:
            name = field.name
            raw = values.get(name, _MISSING)
            if raw is _MISSING:
                continue  # the model's default, valid by construction; the writer supplies it
            if field.blank and raw in field.empty_values:
                cleaned[name] = raw
                continue
            if (
                self.plain[name]
                and type(raw) is str
                and raw
                and (field.max_length is None or len(raw) <= field.max_length)
                and (name not in self.choices or raw in self.choices[name])
            ):
                cleaned[name] = raw
                continue
            try:
                cleaned[name] = self._clean_field(field, raw)
            except ValidationError as exc:
                errors[name] = list(exc.messages)
                cleaned[name] = raw  # as full_clean leaves it on the instance
        if self.has_clean:
            instance = self.model.__new__(self.model)
            instance.__dict__.update(self.defaults)
            instance.__dict__.update(cleaned)
            try:
                self.model.clean(instance)
            except ValidationError as exc:
                for name, messages in _messages(exc).items():
                    errors.setdefault(name, []).extend(messages)
            except TypeError:
                # Comparing a value that failed its own field's check (« soixante » ≥ 60): the field's
                # error is already reported.
                if not errors:
                    raise
        return cleaned, errors


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {name: [m for e in errors for m in e.messages] for name, errors in exc.error_dict.items()}
    return {NON_FIELD_ERRORS: list(exc.messages)}
