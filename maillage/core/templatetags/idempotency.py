from django import template
from django.utils.html import format_html

from maillage.core import idempotency

register = template.Library()


@register.simple_tag
def form_token() -> str:
    """The hidden one-time token of a POST form (core.idempotency): put it beside {% csrf_token %}."""
    return format_html('<input type="hidden" name="{}" value="{}">', idempotency.FIELD, idempotency.new_token())
