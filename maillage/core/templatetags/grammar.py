"""French grammar in templates (core.grammar): `{% load grammar %}`, then
- `{{ person.full_name|de }}` → « de Jeanne ROUX », « d'Élise MARTIN »;
- `{{ organisation.name|du }}` → « du CCAS de Dijon », « de la Mairie de Chenôve », « de l'Équipe… »;
- `{{ organisation.name|au }}` → « au CCAS de Rennes », « à la Mairie de Betton », « aux Petits Frères… »;
- `{{ "signé"|agree:kind_label }}` → « signé », « signée », « signés »…;
- `{% en_tant_que membership.role %}` → « en tant qu'<strong>agent d'accueil</strong> »."""

from django import template
from django.utils.html import format_html

from maillage.core import grammar
from maillage.core.enums import role_as

register = template.Library()


@register.filter(name="de")
def de_filter(text) -> str:
    return grammar.de(str(text))


@register.filter(name="du")
def du_filter(text) -> str:
    return grammar.of(str(text))


@register.filter(name="au")
def au_filter(text) -> str:
    return grammar.to(str(text))


@register.filter(name="agree")
def agree_filter(participle, noun_phrase) -> str:
    return grammar.agree(str(participle), str(noun_phrase))


@register.simple_tag(name="en_tant_que")
def en_tant_que(role) -> str:
    """« en tant qu'agent d'accueil », « en tant que bénévole »: the role's phrase in bold."""
    phrase = role_as(role)
    particle = grammar.que(phrase)[: -len(phrase)].rstrip()
    separator = "" if particle.endswith("'") else " "
    return format_html("en tant {}{}<strong>{}</strong>", particle, separator, phrase)


@register.simple_tag(name="le_strong")
def le_strong(name) -> str:
    """« le <strong>CCAS de Dijon</strong> », « l'<strong>Équipe citoyenne</strong> », or the name
    alone when it takes no article."""
    article, rest = grammar.split_definite(str(name))
    if not article:
        return format_html("<strong>{}</strong>", rest)
    separator = "" if article.endswith("'") else " "
    return format_html("{}{}<strong>{}</strong>", article, separator, rest)


@register.filter(name="le")
def le_filter(name) -> str:
    """« le CCAS de Dijon », « l'Équipe citoyenne », or the name alone when it takes no article."""
    return grammar.with_article(str(name))
