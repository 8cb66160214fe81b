"""The sections of a person's follow-up (evaluations, plans, notes, documents), as tabs of the
component layer (`{% ui_tabs %}`)."""

from django import template
from django.urls import reverse

register = template.Library()

SECTIONS = (
    ("assessments", "Évaluations", "casework:assessment_list"),
    ("plans", "Plans", "casework:plan_list"),
    ("notes", "Notes et tâches", "casework:note_list"),
    ("documents", "Documents", "casework:document_list"),
)


@register.simple_tag
def casework_sections(person, section) -> list[dict]:
    return [
        {"label": label, "url": reverse(url_name, args=[person.pk]), "current": key == section}
        for key, label, url_name in SECTIONS
    ]
