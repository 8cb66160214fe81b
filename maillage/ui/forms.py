"""Forms in the current theme. `maillage.core.forms.DsfrBaseForm` (every form of the project) uses
these: in the `dsfr` theme they behave as django-dsfr's; in the neutral theme the widgets carry
GOV.UK Frontend's classes and the fields render through `ui/neutral/forms/field.html` (label, hint,
error message, `aria-describedby` to both: Django's BoundField writes it), the form through
`ui/neutral/forms/form.html` (an error summary linking to each field in error, then the fields)."""

from django import forms
from dsfr.forms import DsfrBoundField

from maillage.ui import themes

NEUTRAL_FORM_TEMPLATE = "ui/neutral/forms/form.html"
DSFR_FORM_TEMPLATE = "ui/dsfr/forms/form.html"
NEUTRAL_FIELD_TEMPLATE = "ui/neutral/forms/field.html"
NEUTRAL_CHOICE_INPUT_TEMPLATE = "ui/neutral/forms/choice_input.html"

_ERROR_CLASSES = {
    "govuk-input": "govuk-input--error",
    "govuk-select": "govuk-select--error",
    "govuk-textarea": "govuk-textarea--error",
    "govuk-file-upload": "govuk-file-upload--error",
}


def neutral_widget_class(widget: forms.Widget) -> str:
    # CheckboxSelectMultiple derives from RadioSelect in Django: test it first.
    if isinstance(widget, (forms.CheckboxSelectMultiple, forms.CheckboxInput)):
        return "govuk-checkboxes__input"
    if isinstance(widget, (forms.RadioSelect,)):
        return "govuk-radios__input"
    if isinstance(widget, (forms.Select, forms.SelectMultiple)):
        return "govuk-select"
    if isinstance(widget, forms.Textarea):
        return "govuk-textarea"
    if isinstance(widget, (forms.FileInput,)):
        return "govuk-file-upload"
    return "govuk-input"


def style_neutral_fields(form: forms.BaseForm) -> None:
    """Put GOV.UK Frontend's class on each visible widget that has none."""
    for name, field in form.fields.items():
        if isinstance(field.widget, forms.RadioSelect) and not isinstance(field.widget, forms.CheckboxSelectMultiple):
            # django-dsfr's radio option wraps each input in its own <div> with a label: the neutral field
            # template writes the label right after the input (GOV.UK draws the checked dot from it).
            field.widget.option_template_name = NEUTRAL_CHOICE_INPUT_TEMPLATE
        if field.widget.is_hidden or "class" in field.widget.attrs:
            continue
        field.widget.attrs["class"] = neutral_widget_class(field.widget)
        if isinstance(field.widget, forms.DateInput) or getattr(field.widget, "input_type", "") == "date":
            field.widget.attrs["class"] += " govuk-input--width-10"
        field.label_suffix = ""
        del name


class ThemedBoundField(DsfrBoundField):
    @property
    def template_name(self):
        if themes.is_dsfr():
            return super().template_name
        return self.field.template_name or NEUTRAL_FIELD_TEMPLATE

    @property
    def neutral_choice_kind(self) -> str:
        """« radios », « checkboxes » (lists of choices, in a fieldset), « checkbox » or « input »."""
        widget = self.field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):  # a RadioSelect in Django: first
            return "checkboxes"
        if isinstance(widget, forms.RadioSelect):
            return "radios"
        if isinstance(widget, forms.CheckboxInput):
            return "checkbox"
        return "input"

    @property
    def marked_optional(self) -> bool:
        """« (facultatif) » after the label of an optional field (GOV.UK's rule), but not in a form
        whose fields are all optional (filters, searches), where it would only be noise."""
        return not self.field.required and any(field.required for field in self.form.fields.values())

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if not themes.is_dsfr() and self.errors:
            widget = widget or self.field.widget
            classes = widget.attrs.get("class", "").split()
            extra = [_ERROR_CLASSES[c] for c in classes if c in _ERROR_CLASSES]
            if extra:
                attrs["class"] = " ".join(classes + extra)
        return attrs
