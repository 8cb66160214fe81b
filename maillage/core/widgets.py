"""Form widgets of the project."""

from django import forms


class Select(forms.Select):
    """Django's select, its options written by one template instead of two includes each: the same
    HTML, a third of the time (the directory search form's seven selects took 10 ms per page,
    bench/directory_search.py)."""

    template_name = "core/widgets/select.html"
