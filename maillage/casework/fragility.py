"""Repérage téléphonique de la fragilité (« grille de repérage socio-gériatrique à distance »).

Module de domaine pur (ni modèle Django, ni base de données) : un questionnaire paramétrable décrit
par des données (:class:`Question`, :class:`AnswerOption`, :class:`Grid`) et une fonction
:func:`score` qui en déduit un niveau d'orientation de 1 à 4.

Source : guide méthodologique de la coopération locale VISA (« Veille contre l'Isolement Social des
Âgés », document de départ 003, lignes 116-117 et 160-161), fiche « Comment évaluer la fragilité et
les besoins des personnes âgées sur le territoire ? » (lignes 1002-1095) :

    « Une grille d'évaluation socio-gériatrique, élaborée par le centre d'excellence sur la
    longévité de l'université McGill de Montréal, a été adaptée au contexte français. Elle permet
    d'évaluer dans son ensemble et à distance la situation socio-gériatrique d'une personne âgée,
    en déterminant un risque de complications [...]. Cet outil repose sur un scoring et est
    appropriable par des non-professionnels du soin et de l'accompagnement. L'outil et un kit de
    formation à son utilisation sont disponibles sur rompre-isolement-aines.gouv.fr. »

et fiche « Orienter les personnes en fonction de leurs besoins » (lignes 1052-1095), qui esquisse
quatre niveaux :

    1. « n'est pas en situation de fragilité, n'est pas isolée et n'a pas de besoin prioritaire :
       un contact régulier est effectué [...] et les services proposés par la coopération locale
       lui sont communiqués » ;
    2. « est isolée mais n'apparaît pas avoir de problématiques médicales spécifiques : ses besoins
       prioritaires sont recensés, la personne peut être orientée vers les actions mises en place
       par la commune et/ou vers des services dédiés [...]. Un contact régulier est effectué » ;
    3. « est isolée et présente une potentielle problématique médicale : en plus des actions
       mentionnées précédemment, une mise en relation est effectuée avec les services
       correspondants (CLIC, MAIA, DAC, équipe APA du département, etc.) » ;
    4. « est en situation de grande fragilité : sa situation constitue un cas d'urgence. Une
       intervention est organisée en lien avec les services d'urgence du territoire. »

La grille que le guide désigne est, selon toute vraisemblance, l'« Évaluation socio-gériatrique »
ESOGER1 (centre d'excellence sur la longévité, McGill, Montréal), adaptée et diffusée en France par
la Société française de gériatrie et gérontologie en avril 2020 pour repérer par téléphone les aînés
isolés en danger pendant le confinement (communiqué SFGG « COVID-19 : la SFGG adapte et déploie
ESOGER1, un outil numérique canadien »). Ses items et son barème ne sont pas publiés en texte libre.

**Ce que le guide ne donne pas** : ni les questions de la grille McGill adaptée, ni ses points, ni
ses seuils (l'outil est seulement référencé). :data:`DEFAULT_GRID` est donc une grille *par défaut*,
construite sur les thèmes que le guide demande d'explorer lors de l'appel (isolement, entourage et
épuisement de l'aidant — fiche « La situation des proches aidants » —, besoins prioritaires,
problématique médicale potentielle, urgence). Ses questions, points et seuils sont des choix
documentés de ce module, non la grille officielle ; une collectivité qui dispose de la grille
complète la décrit en données avec les mêmes classes.

**L'isolement est une condition des niveaux 2 et 3**, comme dans le texte du guide (« est isolée
mais… », « est isolée et… »). Il se mesure sur les seules questions qui parlent de l'isolement
(:attr:`Question.isolation` : vivre seul·e, fréquence des contacts, quelqu'un pour aider, un aidant
en mesure de continuer) ou sur une réponse marquée ``isolation`` ; les points d'un besoin ou d'un
problème de santé ne rendent jamais une personne « isolée ». Le score total reste affiché et sert
au seuil d'urgence facultatif.

**Une personne non isolée qui a un besoin prioritaire ou une potentielle problématique médicale
reste au niveau 1** : le guide ne prévoit pour elle ni orientation vers les actions de la commune
(niveau 2) ni mise en relation avec le CLIC ou le DAC (niveau 3), réservées aux personnes isolées ;
son entourage est là. Mais rien de ce qui a été entendu au téléphone n'est perdu : le résultat
porte les besoins repérés (:attr:`ScreeningResult.priority_needs`) et la problématique médicale
potentielle (:attr:`ScreeningResult.medical_concern`), et les suites à donner du niveau 1 s'y
ajoutent (:data:`CONCERN_STEPS` : signaler les besoins à l'entourage, conseiller d'en parler au
médecin traitant). Décision « Les niveaux de la grille de fragilité suivent le guide VISA ».
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "DEFAULT_GRID",
    "EMERGENCY",
    "ISOLATION",
    "MEDICAL",
    "NEED",
    "CONCERN_STEPS",
    "LEVEL_LABELS",
    "NEXT_STEPS",
    "RULES_VERSION",
    "AnswerOption",
    "FragilityError",
    "Grid",
    "Question",
    "ScreeningResult",
    "score",
]

#: Version des règles de niveau de :func:`score` : elle entre dans l'empreinte de la grille enregistrée
#: avec chaque repérage (``casework.services.assessments.grid_version``), pour qu'un repérage fait sous
#: d'anciennes règles se lise comme tel. À changer avec les règles.
RULES_VERSION = "2: isolement requis aux niveaux 2 et 3"

#: Drapeaux portés par une réponse.
MEDICAL = "medical"  # potentielle problématique médicale (niveau 3 si la personne est isolée)
EMERGENCY = "emergency"  # grande fragilité : cas d'urgence (niveau 4, quel que soit le score)
ISOLATION = "isolation"  # isolement avéré, quels que soient les points
NEED = "need"  # besoin prioritaire à recenser (niveau 2 si la personne est isolée, sinon signalé au niveau 1)
KNOWN_FLAGS = frozenset({MEDICAL, EMERGENCY, ISOLATION, NEED})


class FragilityError(ValueError):
    """Réponses manquantes ou invalides ; ``errors`` associe chaque clé de question à la raison."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors: dict[str, str] = dict(errors)
        super().__init__(" ; ".join(f"Question {key} : {reason}" for key, reason in self.errors.items()))


@dataclass(frozen=True)
class AnswerOption:
    """Une réponse possible : clé stable, libellé lu à la personne, points et drapeaux."""

    key: str
    label: str
    points: int = 0
    flags: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        unknown = set(self.flags) - KNOWN_FLAGS
        if unknown:
            raise ValueError(f"Réponse {self.key} : drapeau(x) inconnu(s) {sorted(unknown)}")
        if self.points < 0:
            raise ValueError(f"Réponse {self.key} : les points doivent être positifs ou nuls")


@dataclass(frozen=True)
class Question:
    """Une question ; ``isolation`` : ses points mesurent l'isolement (ils comptent pour
    :attr:`Grid.isolation_threshold`)."""

    key: str
    label: str
    options: tuple[AnswerOption, ...]
    isolation: bool = False

    def __post_init__(self) -> None:
        keys = [option.key for option in self.options]
        if not keys:
            raise ValueError(f"Question {self.key} : aucune réponse possible")
        if len(set(keys)) != len(keys):
            raise ValueError(f"Question {self.key} : clés de réponse en double")

    def option(self, key: str) -> AnswerOption | None:
        return next((option for option in self.options if option.key == key), None)


#: Libellés et suites à donner par niveau, d'après la typologie d'orientation du guide VISA
#: (document de départ 003, lignes 1052-1095).
LEVEL_LABELS: Mapping[int, str] = MappingProxyType(
    {
        1: "Personne non isolée, sans urgence",
        2: "Isolement sans problématique médicale apparente",
        3: "Isolement avec potentielle problématique médicale",
        4: "Grande fragilité : situation d'urgence",
    }
)

_LEVEL_2_STEPS = (
    "Recenser les besoins prioritaires de la personne.",
    "Orienter vers les actions de la commune et/ou des services dédiés "
    "(par exemple un service de conciergerie solidaire).",
    "Prévoir un contact régulier pour vérifier que l'aide appropriée est reçue.",
)

NEXT_STEPS: Mapping[int, tuple[str, ...]] = MappingProxyType(
    {
        1: (
            "Prévoir un contact régulier pour s'assurer que la situation ne se dégrade pas.",
            "Communiquer les services proposés par la coopération locale.",
        ),
        2: _LEVEL_2_STEPS,
        # « en plus des actions mentionnées précédemment, une mise en relation est effectuée… »
        3: (
            *_LEVEL_2_STEPS,
            "Mettre en relation avec le CLIC, la MAIA, le DAC ou l'équipe APA du département "
            "pour une évaluation médico-psycho-socio-environnementale approfondie.",
        ),
        4: (
            "Situation d'urgence : organiser une intervention avec les services d'urgence du territoire.",
            "En cas de danger immédiat, appeler le 15 (SAMU) ou le 112.",
        ),
    }
)

#: Suites ajoutées au niveau 1 quand la personne, non isolée, a un besoin prioritaire (``need``) ou
#: une potentielle problématique médicale (``medical``) : ce choix de ce module (le guide ne traite
#: pas ce cas) garde une trace de ce qui a été entendu et s'appuie sur l'entourage et le médecin.
CONCERN_STEPS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        NEED: (
            "Besoins repérés : avec l'accord de la personne, les signaler à son entourage et lui indiquer "
            "les services qui peuvent y répondre.",
        ),
        MEDICAL: (
            "Potentielle problématique médicale : conseiller à la personne d'en parler à son médecin "
            "traitant et, avec son accord, prévenir son entourage.",
        ),
    }
)


@dataclass(frozen=True)
class Grid:
    """Un questionnaire et ses règles de niveau.

    Règles (appliquées dans cet ordre), d'après le guide VISA :

    * **niveau 4** si une réponse porte le drapeau ``emergency``, ou si ``emergency_threshold``
      est défini et que le score total l'atteint ;
    * **niveau 3** si la personne est isolée et qu'une réponse porte le drapeau ``medical`` ;
    * **niveau 2** si la personne est isolée ;
    * **niveau 1** sinon, même avec un besoin (``need``) ou une problématique médicale
      (``medical``) : ils sont alors rapportés dans le résultat et ajoutent leurs suites
      (``concern_steps``) à celles du niveau 1.

    « Isolée » : les points des questions d'isolement (:attr:`Question.isolation`) atteignent
    ``isolation_threshold``, ou une réponse porte le drapeau ``isolation``.
    """

    questions: tuple[Question, ...]
    isolation_threshold: int
    emergency_threshold: int | None = None
    level_labels: Mapping[int, str] = field(default_factory=lambda: LEVEL_LABELS)
    next_steps: Mapping[int, tuple[str, ...]] = field(default_factory=lambda: NEXT_STEPS)
    concern_steps: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: CONCERN_STEPS)

    def __post_init__(self) -> None:
        keys = [question.key for question in self.questions]
        if len(set(keys)) != len(keys):
            raise ValueError("Grille : clés de question en double")
        if self.isolation_threshold < 1:
            raise ValueError("Grille : le seuil d'isolement doit valoir au moins 1")
        if set(self.level_labels) != {1, 2, 3, 4} or set(self.next_steps) != {1, 2, 3, 4}:
            raise ValueError("Grille : libellés et suites à donner requis pour les niveaux 1 à 4")
        if set(self.concern_steps) != {NEED, MEDICAL}:
            raise ValueError("Grille : suites à donner requises pour un besoin et une problématique médicale")
        flagged = any(ISOLATION in option.flags for question in self.questions for option in question.options)
        if not flagged and self.max_isolation_score < self.isolation_threshold:
            raise ValueError("Grille : aucune réponse ne permet d'atteindre le seuil d'isolement (niveaux 2 et 3)")

    @property
    def max_score(self) -> int:
        return sum(max(option.points for option in question.options) for question in self.questions)

    @property
    def max_isolation_score(self) -> int:
        return sum(max(option.points for option in q.options) for q in self.questions if q.isolation)


@dataclass(frozen=True)
class ScreeningResult:
    total_score: int
    level: int
    level_label: str
    next_steps: tuple[str, ...]
    #: Réponses qui ont déterminé le niveau : clé de question → clé de réponse.
    drivers: Mapping[str, str]
    #: Points des questions d'isolement, et la personne est-elle isolée (condition des niveaux 2 et 3).
    isolation_score: int
    isolated: bool
    #: Besoins prioritaires entendus (réponses ``need``), quel que soit le niveau.
    priority_needs: Mapping[str, str]
    #: Potentielle problématique médicale entendue (réponses ``medical``), quel que soit le niveau.
    medical_concern: Mapping[str, str]


def _validate(grid: Grid, answers: Mapping[str, str]) -> dict[str, AnswerOption]:
    if not isinstance(answers, Mapping):
        raise TypeError("les réponses doivent être un dictionnaire")
    errors: dict[str, str] = {}
    chosen: dict[str, AnswerOption] = {}
    for question in grid.questions:
        value = answers.get(question.key)
        if value is None or value == "":
            errors[question.key] = "réponse manquante"
            continue
        option = question.option(value) if isinstance(value, str) else None
        if option is None:
            allowed = ", ".join(o.key for o in question.options)
            errors[question.key] = f"« {value} » n'est pas une réponse possible ({allowed})"
        else:
            chosen[question.key] = option
    known = {question.key for question in grid.questions}
    for key in answers:
        if key not in known:
            errors[str(key)] = "question inconnue dans cette grille"
    if errors:
        raise FragilityError(errors)
    return chosen


def _frozen(items: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(sorted(items.items())))


def score(grid: Grid, answers: Mapping[str, str]) -> ScreeningResult:
    """Score total, niveau 1 à 4, libellé, suites à donner, réponses déterminantes, et ce qui a été
    entendu (besoins prioritaires, potentielle problématique médicale) quel que soit le niveau.

    ``answers`` associe chaque clé de question à la clé de la réponse choisie ; toutes les questions
    sont obligatoires. Lève :class:`FragilityError` listant tous les problèmes.
    """
    chosen = _validate(grid, answers)
    isolation_questions = {question.key for question in grid.questions if question.isolation}
    total = sum(option.points for option in chosen.values())
    isolation_score = sum(option.points for key, option in chosen.items() if key in isolation_questions)

    def flagged(flag: str) -> dict[str, str]:
        return {key: option.key for key, option in chosen.items() if flag in option.flags}

    scored = {key: option.key for key, option in chosen.items() if option.points > 0}
    isolating = {
        **{key: option.key for key, option in chosen.items() if key in isolation_questions and option.points > 0},
        **flagged(ISOLATION),
    }
    # Le guide : « est isolée mais… » (niveau 2), « est isolée et… » (niveau 3).
    isolated = isolation_score >= grid.isolation_threshold or bool(flagged(ISOLATION))
    needs, medical = flagged(NEED), flagged(MEDICAL)

    if flagged(EMERGENCY):
        level, drivers = 4, flagged(EMERGENCY)
    elif grid.emergency_threshold is not None and total >= grid.emergency_threshold:
        level, drivers = 4, scored
    elif isolated and medical:
        level, drivers = 3, {**isolating, **medical}
    elif isolated:
        level, drivers = 2, isolating
    else:
        level, drivers = 1, {}

    steps = tuple(grid.next_steps[level])
    if level == 1:
        steps += tuple(grid.concern_steps[NEED]) if needs else ()
        steps += tuple(grid.concern_steps[MEDICAL]) if medical else ()
    return ScreeningResult(
        total_score=total,
        level=level,
        level_label=grid.level_labels[level],
        next_steps=steps,
        drivers=_frozen(drivers),
        isolation_score=isolation_score,
        isolated=isolated,
        priority_needs=_frozen(needs),
        medical_concern=_frozen(medical),
    )


def _o(key: str, label: str, points: int = 0, *flags: str) -> AnswerOption:
    return AnswerOption(key, label, points, frozenset(flags))


#: Grille par défaut (voir l'avertissement du module : questions, points et seuils choisis par ce
#: module sur les thèmes du guide VISA, pas la grille McGill elle-même).
#: Points = intensité de l'isolement et des difficultés. Questions d'isolement : vivre seul·e, les
#: contacts, quelqu'un pour aider, l'aidant ; seuil d'isolement par défaut : 4 de leurs points, soit par
#: exemple « vit seul(e) » (2) + « contacts moins d'une fois par semaine » (2), « vit seul(e) » (2) +
#: « personne pour aider » (2), ou « aucun contact » (drapeau ``isolation``). Pas de seuil d'urgence au
#: score par défaut : l'urgence ne résulte que de réponses explicitement marquées ``emergency``.
DEFAULT_GRID = Grid(
    questions=(
        Question(
            "vit_seul",
            "Vivez-vous seul(e) à votre domicile ?",
            (_o("non", "Non"), _o("oui", "Oui", 2)),
            isolation=True,
        ),
        Question(
            "contacts",
            "À quelle fréquence avez-vous des nouvelles de vos proches (visite ou appel) ?",
            (
                _o("hebdomadaire", "Au moins une fois par semaine"),
                _o("rare", "Moins d'une fois par semaine", 2),
                _o("aucun", "Jamais ou presque", 3, ISOLATION),
            ),
            isolation=True,
        ),
        Question(
            "aide_possible",
            "Quelqu'un peut-il vous aider en cas de besoin (courses, repas, démarches) ?",
            (_o("oui", "Oui"), _o("non", "Non", 2, NEED)),
            isolation=True,
        ),
        Question(
            "aidant",
            "Votre proche aidant est-il en mesure de continuer à vous aider ?",
            (
                _o("sans_objet", "Pas d'aidant / sans objet"),
                _o("oui", "Oui"),
                _o("absent_ou_epuise", "Il est absent ou épuisé", 2, NEED),
            ),
            isolation=True,
        ),
        Question(
            "courses_repas",
            "Arrivez-vous à faire vos courses et à préparer vos repas ?",
            (
                _o("oui", "Oui"),
                _o("difficilement", "Avec difficulté", 1, NEED),
                _o("non", "Non", 2, NEED),
            ),
        ),
        Question(
            "traitement",
            "Avez-vous vos médicaments et pouvez-vous suivre votre traitement ?",
            (
                _o("sans_objet", "Pas de traitement"),
                _o("oui", "Oui"),
                _o("difficulte", "Non, ou avec difficulté", 1, MEDICAL),
            ),
        ),
        Question(
            "sante",
            "Comment va votre santé en ce moment ?",
            (
                _o("stable", "Comme d'habitude"),
                _o("degradee", "Un problème nouveau ou qui s'aggrave", 2, MEDICAL),
            ),
        ),
        Question(
            "chute",
            "Êtes-vous tombé(e) ces dernières semaines ?",
            (
                _o("non", "Non"),
                _o("oui", "Oui, sans blessure, et s'est relevé(e)", 1, MEDICAL),
                _o("au_sol_ou_blesse", "Oui, blessé(e) ou ne peut pas se relever", 3, EMERGENCY),
            ),
        ),
        Question(
            "moral",
            "Comment est votre moral ?",
            (
                _o("bon", "Bon"),
                _o("bas", "Triste, anxieux ou découragé", 1, MEDICAL),
                _o("idees_noires", "Idées noires ou de mort exprimées", 3, EMERGENCY),
            ),
        ),
        Question(
            "danger_immediat",
            "L'appelant constate-t-il un danger immédiat (malaise, détresse, confusion inhabituelle, "
            "absence de nourriture ou de chauffage) ?",
            (_o("non", "Non"), _o("oui", "Oui", 3, EMERGENCY)),
        ),
    ),
    isolation_threshold=4,
)
