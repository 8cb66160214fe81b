"""Forms of casework (assessments, plans, follow-up)."""

from dsfr.utils import dsfr_input_class_attr


def refresh_dsfr(form) -> None:
    """django-dsfr styles the fields present when the form is built and caches their bound fields
    (labels included). Forms that add or relabel fields afterwards call this at the end of
    __init__ so that every field gets the DSFR classes and its final label."""
    form._bound_fields_cache.clear()
    for visible in form.visible_fields():
        dsfr_input_class_attr(visible)
