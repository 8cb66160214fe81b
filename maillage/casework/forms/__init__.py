"""Forms of casework (assessments, plans, follow-up)."""

from dsfr.utils import dsfr_input_class_attr

from maillage.ui import themes
from maillage.ui.forms import style_neutral_fields


def refresh_dsfr(form) -> None:
    """django-dsfr styles the fields present when the form is built and caches their bound fields
    (labels included); so does the neutral theme (maillage.ui.forms). Forms that add or relabel
    fields afterwards call this at the end of __init__ so that every field gets the current theme's
    classes (DSFR's or GOV.UK's) and its final label."""
    form._bound_fields_cache.clear()
    if not themes.is_dsfr():
        style_neutral_fields(form)
        return
    for visible in form.visible_fields():
        dsfr_input_class_attr(visible)
