"""French grammar of generated sentences (core.grammar): table-driven, nouns of both genders and
numbers, vowels, mute and aspirated h, acronyms; then every label the sentences use has a known
gender, and the real sentences (dashboard, timeline, messages) read right."""

import pytest
from django.template import Context, Template

from maillage.casework.models import AssessmentKind
from maillage.casework.models.plans import PlanKind
from maillage.core import grammar
from maillage.core.enums import ROLE_AS, OrganisationKind, Role


@pytest.mark.parametrize(
    ("participle", "phrase", "expected"),
    [
        ("signé", "Grille AGGIR (autonomie)", "signée"),
        ("signé", "Repérage de la fragilité", "signé"),
        ("signé", "Les dix besoins essentiels", "signés"),
        ("signé", "Situation de l'aidant·e", "signée"),
        ("signé", "les évaluations", "signées"),
        ("signé", "Plan d'aide personnalisé", "signé"),
        ("ouvert", "l'accord", "ouvert"),
        ("ouvert", "la demande", "ouverte"),
        ("pris", "le contact", "pris"),
        ("pris", "les notes", "prises"),
        ("remis", "les documents", "remis"),
        ("créé", "La fiche", "créée"),
    ],
)
def test_agree(participle, phrase, expected):
    assert grammar.agree(participle, phrase) == expected


@pytest.mark.parametrize(
    ("text", "vowel"),
    [
        ("agent", True),
        ("Élise", True),
        ("œuvre", True),
        ("Hugo", True),  # h muet
        ("hôpital", True),
        ("habitat", True),
        ("handicap", False),  # h aspiré
        ("hauteur", False),
        ("Yves", True),  # « d'Yves »
        ("yaourt", False),
        ("Jeanne", False),
        ("EHPAD", True),  # an acronym with a written vowel first
        ("ARS", True),
        ("MDPH", False),  # « la MDPH », even if M is read « emme »
        ("SSIAD", False),
        ("21", False),
        ("", False),
    ],
)
def test_starts_with_vowel_sound(text, vowel):
    assert grammar.starts_with_vowel_sound(text) is vowel


@pytest.mark.parametrize(
    ("function", "text", "expected"),
    [
        (grammar.que, "agent d'accueil", "qu'agent d'accueil"),
        (grammar.que, "administrateur·rice", "qu'administrateur·rice"),
        (grammar.que, "bénévole", "que bénévole"),
        (grammar.que, "handicap", "que handicap"),
        (grammar.de, "Élise MARTIN", "d'Élise MARTIN"),
        (grammar.de, "Hugo BERNARD", "d'Hugo BERNARD"),
        (grammar.de, "Jeanne ROUX", "de Jeanne ROUX"),
        (grammar.de, "Yvonne PETIT", "d'Yvonne PETIT"),
        (grammar.de, "Yanis PETIT", "de Yanis PETIT"),
        (grammar.definite, "évaluation", "l'évaluation"),
        (grammar.definite, "grille", "la grille"),
        (grammar.definite, "plan", "le plan"),
        (grammar.definite, "hôpital", "l'hôpital"),
        (grammar.definite, "handicap", "le handicap"),
        (grammar.definite, "besoins", "les besoins"),
        (grammar.of, "CCAS de Dijon", "du CCAS de Dijon"),
        (grammar.of, "Mairie de Chenôve", "de la Mairie de Chenôve"),
        (grammar.of, "Équipe citoyenne de Quetigny", "de l'Équipe citoyenne de Quetigny"),
        (grammar.of, "Les Petits Frères du Dijonnais", "des Petits Frères du Dijonnais"),
        (grammar.of, "Habitat bourguignon", "de l'Habitat bourguignon"),
        (grammar.of, "CAF de la Côte-d'Or", "de la CAF de la Côte-d'Or"),
        (grammar.of, "Conseil départemental d'Ille-et-Vilaine", "du Conseil départemental d'Ille-et-Vilaine"),
        (grammar.of, "EHPAD Les Glycines", "de l'EHPAD Les Glycines"),
        (grammar.of, "Le Relais", "du Relais"),
        (grammar.of, "La Maison des aidants", "de la Maison des aidants"),
        (grammar.of, "La Passerelle", "de la Passerelle"),
        (grammar.of, "L'Escale", "de l'Escale"),
        (grammar.of, "Aide et présence à domicile", "d'Aide et présence à domicile"),  # proper name
        (grammar.of, "Solidarité Rennes", "de Solidarité Rennes"),
        (grammar.demonstrative, "plan", "ce plan"),
        (grammar.demonstrative, "accord", "cet accord"),
        (grammar.demonstrative, "hôpital", "cet hôpital"),
        (grammar.demonstrative, "handicap", "ce handicap"),
        (grammar.demonstrative, "évaluation", "cette évaluation"),
        (grammar.demonstrative, "les notes", "ces notes"),
    ],
)
def test_particles_articles_and_demonstratives(function, text, expected):
    assert function(text) == expected


def test_a_phrase_whose_noun_is_unknown_is_refused_not_guessed():
    with pytest.raises(grammar.UnknownNoun, match="Genre inconnu pour « Zorglub »"):
        grammar.agree("signé", "Zorglub de la personne")


@pytest.mark.parametrize(
    "label",
    [*AssessmentKind.labels, *PlanKind.labels, *ROLE_AS.values()],
)
def test_every_label_a_sentence_agrees_with_has_a_known_gender(label):
    grammar.noun_of(label)  # raises UnknownNoun otherwise


@pytest.mark.parametrize("kind", list(OrganisationKind))
def test_every_kind_of_organisation_named_by_its_label_gets_its_article(kind):
    name = kind.label.split(" (")[0]
    if kind == OrganisationKind.OTHER:
        return
    article, _rest = grammar.split_definite(f"{name} de Rennes")
    assert article in ("le", "la", "l'", "les"), name


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.RECEPTION_AGENT, "en tant qu'<strong>agent d'accueil</strong>"),
        (Role.COORDINATOR, "en tant que <strong>coordinateur·rice ou travailleur·se social·e</strong>"),
        (Role.REGISTER_MANAGER, "en tant que <strong>gestionnaire du registre</strong>"),
        (Role.VOLUNTEER, "en tant que <strong>bénévole</strong>"),
        (Role.PARTNER, "en tant que <strong>professionnel·le partenaire</strong>"),
        (Role.DIRECTOR, "en tant que <strong>membre de la direction ou élu·e</strong>"),
        (Role.DPO, "en tant que <strong>délégué·e à la protection des données</strong>"),
        (Role.ADMIN, "en tant qu'<strong>administrateur·rice</strong>"),
    ],
)
def test_template_tag_names_each_role_as_a_person(role, expected):
    html = Template("{% load grammar %}{% en_tant_que role %}").render(Context({"role": role}))
    assert html.replace("&#x27;", "'") == expected


def test_template_filters():
    template = Template(
        "{% load grammar %}Membres {{ org|du }} ; dossier {{ name|de }} ; "
        "{{ 'signé'|agree:kind }} ; {% le_strong org %}"
    )
    html = template.render(
        Context({"org": "Équipe citoyenne", "name": "Émile ROUX", "kind": "Repérage de la fragilité"})
    )
    assert html.replace("&#x27;", "'") == (
        "Membres de l'Équipe citoyenne ; dossier d'Émile ROUX ; signé ; l'<strong>Équipe citoyenne</strong>"
    )


@pytest.mark.parametrize(
    ("name", "article", "to"),
    [
        ("CCAS de Rennes", "le CCAS de Rennes", "au CCAS de Rennes"),
        ("Mairie de Bruz", "la Mairie de Bruz", "à la Mairie de Bruz"),
        ("Équipe citoyenne de Vitré", "l'Équipe citoyenne de Vitré", "à l'Équipe citoyenne de Vitré"),
        ("Les Petits Frères de Rennes", "les Petits Frères de Rennes", "aux Petits Frères de Rennes"),
        ("Solidarité Rennes", "Solidarité Rennes", "à Solidarité Rennes"),
    ],
)
def test_names_of_organisations_in_a_sentence(name, article, to):
    assert grammar.with_article(name) == article
    assert grammar.to(name) == to


@pytest.mark.parametrize(("number", "expected"), [(0, "0 tâche"), (1, "1 tâche"), (2, "2 tâches")])
def test_count(number, expected):
    assert grammar.count(number, "tâche") == expected


@pytest.mark.django_db
def test_trail_sentences_name_who_did_what_when_and_by_which_path():
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.contrib.contenttypes.models import ContentType

    from maillage.core.audit import trail_sentence, trail_sentences
    from maillage.core.models import AuditLogEntry
    from tests.core.factories import MembershipFactory
    from tests.people.factories import PersonFactory

    member = MembershipFactory(
        organisation__name="CCAS de Rennes", user__first_name="Camille", user__last_name="Martin"
    )
    person = PersonFactory(organisation=member.organisation)
    moment = dt.datetime(2026, 12, 1, 10, 12, tzinfo=ZoneInfo("Europe/Paris"))
    opening = {
        "content_type": ContentType.objects.get_for_model(person),
        "object_pk": str(person.pk),
        "action": AuditLogEntry.Action.ACCESS,
        "changes_text": "Notes de suivi",
        "actor": member.user,
        "organisation": member.organisation,
        "access_path": "care_team",
        "subject_person_id": person.pk,
    }
    first = AuditLogEntry(**opening, timestamp=moment)  # lines as the trail holds them (not saved here)
    assert trail_sentence(first) == (
        "Consultation par Camille Martin (CCAS de Rennes) le 1er décembre 2026 à 10 h 12 : notes de suivi, "
        "au titre de l'équipe autour de la personne."
    )
    second = AuditLogEntry(**opening, timestamp=moment + dt.timedelta(hours=6, minutes=28))
    assert trail_sentences([second, first]) == [
        "Consultation par Camille Martin (CCAS de Rennes) le 1er décembre 2026 (2 fois, de 10 h 12 à 16 h 40) : "
        "notes de suivi, au titre de l'équipe autour de la personne."
    ]
    task_line = AuditLogEntry(
        content_type=ContentType.objects.get_for_model(person),
        object_pk=str(person.pk),
        action=AuditLogEntry.Action.UPDATE,
        organisation=member.organisation,
        changes={"gir": [None, 4], "version": [1, 2]},
        timestamp=moment,
    )
    assert trail_sentence(task_line) == (
        "Modification de la fiche par le CCAS de Rennes le 1er décembre 2026 à 10 h 12 (champ : GIR)."
    )
