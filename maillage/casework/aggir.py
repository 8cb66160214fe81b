"""Grille nationale AGGIR (Autonomie Gérontologique Groupes Iso-Ressources) et calcul du GIR.

Module de domaine pur (ni modèle Django, ni base de données).

Textes de référence
-------------------
* Code de l'action sociale et des familles (CASF), article R. 232-3 :
  - **annexe 2-1** « Grille nationale AGGIR et son guide de remplissage » (guide remplacé par le
    **décret n° 2008-821 du 21 août 2008**, JO du 23 août 2008) : 10 variables discriminantes,
    7 variables illustratives, sous-variables, adverbes S/T/C/H, codes A/B/C ;
  - **annexe 2-2** « Algorithme de la grille AGGIR » : groupes A à H, valeurs des modalités B et C,
    seuils, rangs 1 à 13 et « passage des rangs aux groupes » (GIR 1 à 6). Ce texte reprend
    l'annexe II du décret n° 97-427 du 28 avril 1997.

Sources utilisées pour les tables (voir chaque table) :
* texte de l'annexe 2-2 tel que publié par Légifrance (copie Etalab « codes-juridiques-francais »,
  ``codes-en-vigueur/code-de-l-action-sociale-et-des-familles/annexe/article-annexe-2-2.md``) ;
* contrôles croisés : programme SAS DREES « girv3.sas » (enquête HID 1999), formulaire AGGIR de
  LWH-21 (github.com/LWH-21/Pampa), module ``CExamGir`` de Mediboard (OpenXtrem) ;
* combinaisons des sous-variables (annexe 2-1) : le guide de 2008 n'est publié qu'en fac-similé
  (la copie Etalab de l'annexe 2-1 porte « Guide non reproduit, consulter le fac-similé ») ; les
  règles sont établies par recoupement, voir :data:`COMBINATION_RULES`.

Vocabulaire
-----------
* *sous-variable* : item coté A/B/C par l'évaluateur (ex. ``toilette_haut``) ;
* *variable* : niveau A/B/C d'une des 10 variables discriminantes, obtenu directement ou par
  combinaison de ses sous-variables (:func:`variable_levels`) ;
* *rang* : résultat de l'algorithme (1 à 13), converti en GIR (1 à 6) (:func:`compute_gir`).

Seules les 8 premières variables discriminantes entrent dans le calcul : dans l'annexe 2-2,
« Déplacement extérieur » et « Communication » (alerter) valent 0 dans tous les groupes, et les
7 variables illustratives (gestion, cuisine, ménage, transports, achats, suivi du traitement,
activités de temps libre) ne figurent pas dans l'algorithme.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import product
from types import MappingProxyType

__all__ = [
    "AGGIR_GROUPS",
    "ALL_SUB_VARIABLES",
    "ANSWERS",
    "COMBINATION_RULES",
    "DISCRIMINANT_VARIABLES",
    "RANK_TO_GIR",
    "SUB_VARIABLES",
    "VARIABLES",
    "AggirError",
    "Group",
    "adverbs_to_code",
    "compute_gir",
    "compute_rank",
    "group_score",
    "variable_levels",
]

#: Les trois modalités (annexe 2-1) : A « fait seul, totalement, habituellement et correctement » ;
#: B « fait partiellement, ou non habituellement, ou non correctement » ; C « ne fait pas ».
ANSWERS = ("A", "B", "C")


class AggirError(ValueError):
    """Réponses manquantes ou invalides.

    ``errors`` associe chaque clé fautive à la raison (en français) ; le message les liste toutes.
    """

    def __init__(self, errors: Mapping[str, str], kind: str = "Variable") -> None:
        self.errors: dict[str, str] = dict(errors)
        self.kind = kind
        super().__init__(" ; ".join(f"{kind} {key} : {reason}" for key, reason in self.errors.items()))


# ---------------------------------------------------------------------------------------------
# Annexe 2-1 : adverbes S/T/C/H
# ---------------------------------------------------------------------------------------------


def adverbs_to_code(s: bool, t: bool, c: bool, h: bool) -> str:
    """Code A/B/C d'une (sous-)variable à partir des quatre adverbes du guide (annexe 2-1).

    Le guide de remplissage (décret n° 2008-821) fait répondre oui/non à chaque adverbe :
    **S**pontanément, **T**otalement, **C**orrectement, **H**abituellement. Règle :

        « une réponse positive pour les quatre adverbes correspond au codage A, une réponse
        négative aux quatre adverbes au codage C et une réponse négative pour un à trois
        adverbes au codage B. »

    (formulation reprise par ASH n° 2570, « Un nouveau guide de remplissage de la grille AGGIR
    est publié », 2008.)
    """
    adverbs = (s, t, c, h)
    bad = [name for name, value in zip("STCH", adverbs, strict=True) if not isinstance(value, bool)]
    if bad:
        raise AggirError(dict.fromkeys(bad, "l'adverbe doit valoir vrai ou faux"), kind="Adverbe")
    if all(adverbs):
        return "A"
    if not any(adverbs):
        return "C"
    return "B"


# ---------------------------------------------------------------------------------------------
# Annexe 2-1 : variables, sous-variables et combinaisons
# ---------------------------------------------------------------------------------------------

#: Les 10 variables discriminantes (annexe 2-1, « Grille nationale AGGIR ») dans l'ordre du texte.
VARIABLES = (
    "coherence",  # converser et/ou se comporter de façon sensée
    "orientation",  # se repérer dans le temps, les moments de la journée et dans les lieux
    "toilette",  # concerne l'hygiène corporelle
    "habillage",  # s'habiller, se déshabiller, se présenter
    "alimentation",  # manger les aliments préparés
    "elimination",  # assumer l'hygiène de l'élimination urinaire et fécale
    "transferts",  # se lever, se coucher, s'asseoir
    "deplacements_interieurs",  # avec ou sans canne, déambulateur, fauteuil roulant...
    "deplacements_exterieurs",  # à partir de la porte d'entrée sans moyen de transport
    "alerter",  # communication à distance : téléphone, sonnette, alarme...
)

#: Les 8 variables qui portent une valeur non nulle dans l'annexe 2-2 (les seules qui comptent).
DISCRIMINANT_VARIABLES = VARIABLES[:8]

#: Sous-variables de chaque variable (guide de remplissage, annexe 2-1, version 2008).
#: Les variables sans sous-variable sont cotées directement (une seule « sous-variable » homonyme).
SUB_VARIABLES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "coherence": ("coherence_communication", "coherence_comportement"),
        "orientation": ("orientation_temps", "orientation_espace"),
        "toilette": ("toilette_haut", "toilette_bas"),
        "habillage": ("habillage_haut", "habillage_moyen", "habillage_bas"),
        "alimentation": ("alimentation_se_servir", "alimentation_manger"),
        "elimination": ("elimination_urinaire", "elimination_fecale"),
        "transferts": ("transferts",),
        "deplacements_interieurs": ("deplacements_interieurs",),
        "deplacements_exterieurs": ("deplacements_exterieurs",),
        "alerter": ("alerter",),
    }
)

ALL_SUB_VARIABLES = tuple(sub for subs in SUB_VARIABLES.values() for sub in subs)


def _all_a_or_all_c(codes: tuple[str, ...]) -> str:
    """Toilette et habillage : « AA = A ; CC = C ; autres = B » (et AAA/CCC pour l'habillage)."""
    if all(code == "A" for code in codes):
        return "A"
    if all(code == "C" for code in codes):
        return "C"
    return "B"


def _a_if_all_a_else_c_if_any_c(codes: tuple[str, ...]) -> str:
    """Cohérence, orientation, élimination : « AA = A ; AB, BA, BB = B ; CC, BC, CB, AC, CA = C »
    (toute combinaison comportant un C donne C)."""
    if all(code == "A" for code in codes):
        return "A"
    if "C" in codes:
        return "C"
    return "B"


def _alimentation(codes: tuple[str, ...]) -> str:
    """Alimentation (se servir, manger) : « AA = A ; CC = C ; BC = C ; CB = C ; autres = B ».

    AC et CA donnent donc B : la personne fait seule l'une des deux activités.
    """
    if all(code == "A" for code in codes):
        return "A"
    if "C" in codes and "A" not in codes:  # CC, BC, CB
        return "C"
    return "B"


def _table(rule, arity: int) -> Mapping[tuple[str, ...], str]:
    return MappingProxyType({combo: rule(combo) for combo in product(ANSWERS, repeat=arity)})


#: Règles de combinaison des sous-variables (annexe 2-1, guide de remplissage), sous forme de
#: tables exhaustives (toutes les combinaisons) pour qu'elles soient relues et testées telles quelles.
#:
#: * toilette (haut, bas) : « AA = A ; CC = C ; autres = B » ;
#: * habillage (haut, moyen, bas) : « AAA = A ; CCC = C ; autres = B » ;
#: * alimentation (se servir, manger) : « AA = A ; CC = C ; BC = C ; CB = C ; autres = B »
#:   (AC et CA donnent B) ;
#: * élimination (urinaire, fécale) : « AA = A ; CC = C ; BB = B ; CB, BC = C ; AC = C ; CA = C »
#:   (AB et BA donnent B) ;
#: * cohérence (communication, comportement) et orientation (temps, espace), sous-variables créées
#:   par le guide de 2008 : « AA = A ; AB, BA, BB = B ; CC, BC, CB, AC, CA = C ».
#:
#: Le guide de 2008 (décret n° 2008-821, JO du 23 août 2008) n'est pas reproduit en texte
#: (Légifrance/Etalab : « Guide non reproduit, consulter le fac-similé ») ; le SNGC, propriétaire
#: de l'algorithme, indiquait en mai 2008 que « le "moteur" d'AGGIR ne change pas, c'est-à-dire les
#: formules de calcul informatisées » (« éléments pour le New AGGIR d'après le SNGC », amcehpad.fr).
#: Sources recoupées, de la plus à la moins sûre :
#:
#: 1. programme SAS de la DREES ``girv3.sas`` (enquête HID 1999 ; le calcul du GIR y est « conforme
#:    à l'algorithme publié au J.O. du 30/04/97 » ; SAS recopié en commentaire dans un portage
#:    Python fondé sur openfisca_survey_manager) :
#:    ``if serv='C' and mang='C' then axe5='C'; else if serv='C' and mang='B' then axe5='C';
#:    else if serv='B' and mang='C' then axe5='C'; else if serv='A' and mang='A' then axe5='A';
#:    else axe5='B';`` — alimentation AC/CA = B ;
#: 2. FreeMedForms/FreeHealth (Dr Eric Maeker) : calculateur de 2008 (commentaires repris d'un
#:    programme Visual Basic) et ``libs/medicalutils/aggir/girscore.cpp`` (``NewGirScore``, grille
#:    2008 avec adverbes) : « Toilette AA=A CC=C autres=B », « Habillage (Haut, Moyen, Bas) AAA=A
#:    CCC=C Autres=B », « Alimentation SM AA=A CC=C BC=C CB=C Autres=B » (code conforme :
#:    AC/CA = B), « Elimination AA=A CC=C CB_BC=C AC=C CA=C BB=B », « Orientation / Coherence
#:    AA = A ; AB, BA, BB = B ; CC, BC, CB, AC, CA = C » ;
#: 3. documentation du calculateur CareLink : alimentation « AA = A, BC = C, CB = C, CC = C,
#:    sinon B ».
#:
#: Divergences écartées (implémentations seules, sans texte) : Mediboard ``CExamGir`` et le code de
#: CareLink donnent C pour l'alimentation AC/CA (contre leur propre documentation pour CareLink) ;
#: le formulaire PDF de LWH-21/Pampa applique « toutes égales = cette lettre, sinon B » à toutes les
#: variables, y compris cohérence, orientation et élimination. Modifier une entrée de
#: ``COMBINATION_RULES`` suffit à changer une règle (le formulaire d'évaluation s'en sert aussi).
COMBINATION_RULES: Mapping[str, Mapping[tuple[str, ...], str]] = MappingProxyType(
    {
        "coherence": _table(_a_if_all_a_else_c_if_any_c, 2),
        "orientation": _table(_a_if_all_a_else_c_if_any_c, 2),
        "toilette": _table(_all_a_or_all_c, 2),
        "habillage": _table(_all_a_or_all_c, 3),
        "alimentation": _table(_alimentation, 2),
        "elimination": _table(_a_if_all_a_else_c_if_any_c, 2),
    }
)


def _check_answers(answers: Mapping[str, object], required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict:
    """Collecte tous les problèmes (clé manquante, réponse invalide, clé inconnue) en une passe."""
    if not isinstance(answers, Mapping):
        raise TypeError("les réponses doivent être un dictionnaire")
    errors: dict[str, str] = {}
    for key in required:
        if key not in answers or answers[key] is None or answers[key] == "":
            errors[key] = "réponse manquante"
    for key, value in answers.items():
        if key not in required and key not in optional:
            errors[str(key)] = "clé inconnue"
        elif key in errors or (key in optional and value is None):
            continue
        elif value not in ANSWERS or not isinstance(value, str):
            errors[key] = f"« {value} » n'est pas une réponse valide (A, B ou C)"
    return errors


def variable_levels(sub: Mapping[str, str]) -> dict[str, str]:
    """Niveaux A/B/C des 10 variables discriminantes à partir des 17 sous-variables.

    ``sub`` doit contenir exactement les clés de :data:`ALL_SUB_VARIABLES` avec des valeurs
    ``"A"``, ``"B"`` ou ``"C"``. Lève :class:`AggirError` listant tous les problèmes.
    """
    errors = _check_answers(sub, ALL_SUB_VARIABLES)
    if errors:
        raise AggirError(errors, kind="Sous-variable")
    levels: dict[str, str] = {}
    for variable, subs in SUB_VARIABLES.items():
        codes = tuple(sub[key] for key in subs)
        levels[variable] = COMBINATION_RULES[variable][codes] if variable in COMBINATION_RULES else codes[0]
    return levels


# ---------------------------------------------------------------------------------------------
# Annexe 2-2 : algorithme (groupes A à H, rangs 1 à 13, GIR 1 à 6)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """Un groupe de l'annexe 2-2 : valeurs des modalités C et B par variable, et seuils.

    ``thresholds`` : couples (score minimal inclus, rang), du plus exigeant au moins exigeant ;
    ``otherwise_rank`` : rang donné sous le dernier seuil (seul le groupe H en a un, le rang 13) ;
    sinon on « teste les valeurs du groupe » suivant.
    """

    name: str
    c: Mapping[str, int]
    b: Mapping[str, int]
    thresholds: tuple[tuple[int, int], ...]
    otherwise_rank: int | None = None


def _weights(*values: int) -> Mapping[str, int]:
    return MappingProxyType(dict(zip(DISCRIMINANT_VARIABLES, values, strict=True)))


#: Annexe 2-2 du CASF, « 1. Calcul des rangs ». Ordre des valeurs : cohérence, orientation,
#: toilette, habillage, alimentation, élimination, transfert, déplacement intérieur
#: (déplacement extérieur et communication valent 0 partout et sont omis).
#: Texte : Légifrance via Etalab ``article-annexe-2-2.md`` ; recoupé ligne à ligne avec le programme
#: SAS DREES ``girv3.sas`` (identique), LWH-21/Pampa (groupe D, modalité B : 0,0,0,0,0,200,200,200
#: chez LWH contre 0,0,0,0,200,200,200,0 dans le texte et chez la DREES : le texte est retenu),
#: Mediboard (groupe G, déplacement intérieur C : 0 chez Mediboard contre 200 dans le texte : le
#: texte est retenu) et la copie Etalab du décret 97-427 (groupe F décalé d'une ligne dans cette
#: copie : le texte codifié, la DREES et LWH concordent et sont retenus).
AGGIR_GROUPS: tuple[Group, ...] = (
    # « supérieure ou égale à 4 380 : rang 1 ; comprise entre 4 380 (exclus) et 4 140 (inclus) :
    #   rang 2 ; comprise entre 4 140 (exclus) et 3 390 (inclus) : rang 3 ; inférieure à 3 390 :
    #   tester les valeurs du groupe B. »
    Group(
        "A",
        c=_weights(2000, 1200, 40, 40, 60, 100, 800, 200),
        b=_weights(0, 0, 16, 16, 20, 16, 120, 32),
        thresholds=((4380, 1), (4140, 2), (3390, 3)),
    ),
    # « supérieure ou égale à 2 016 : rang 4 ; inférieure à 2 016 : tester les valeurs du groupe C. »
    Group(
        "B",
        c=_weights(1500, 1200, 40, 40, 60, 100, 800, -80),
        b=_weights(320, 120, 16, 16, 0, 16, 120, -40),
        thresholds=((2016, 4),),
    ),
    # « supérieure ou égale à 1 700 : rang 5 ; comprise entre 1 700 (exclus) et 1 432 (inclus) :
    #   rang 6 ; inférieure à 1 432 : tester les valeurs du groupe D. »
    Group(
        "C",
        c=_weights(0, 0, 40, 40, 60, 160, 1000, 400),
        b=_weights(0, 0, 16, 16, 20, 20, 200, 40),
        thresholds=((1700, 5), (1432, 6)),
    ),
    # « supérieure ou égale à 2 400 : rang 7 ; inférieure à 2 400 : tester les valeurs du groupe E. »
    Group(
        "D",
        c=_weights(0, 0, 0, 0, 2000, 400, 2000, 200),
        b=_weights(0, 0, 0, 0, 200, 200, 200, 0),
        thresholds=((2400, 7),),
    ),
    # « supérieure ou égale à 1 200 : rang 8 ; inférieure à 1 200 : tester les valeurs du groupe F. »
    Group(
        "E",
        c=_weights(400, 400, 400, 400, 400, 800, 800, 200),
        b=_weights(0, 0, 100, 100, 100, 100, 100, 0),
        thresholds=((1200, 8),),
    ),
    # « supérieure ou égale à 800 : rang 9 ; inférieure à 800 : tester les valeurs du groupe G. »
    Group(
        "F",
        c=_weights(200, 200, 500, 500, 500, 500, 500, 200),
        b=_weights(100, 100, 100, 100, 100, 100, 100, 0),
        thresholds=((800, 9),),
    ),
    # « supérieure ou égale à 650 : rang 10 ; inférieure à 650 : tester les valeurs du groupe H. »
    Group(
        "G",
        c=_weights(150, 150, 300, 300, 500, 500, 400, 200),
        b=_weights(0, 0, 200, 200, 200, 200, 200, 100),
        thresholds=((650, 10),),
    ),
    # « supérieure ou égale à 4 000 : rang 11 ; comprise entre 4 000 (exclus) et 2 000 (inclus) :
    #   rang 12 ; inférieure à 2 000 (exclus) : rang 13. »
    Group(
        "H",
        c=_weights(0, 0, 3000, 3000, 3000, 3000, 1000, 1000),
        b=_weights(0, 0, 2000, 2000, 2000, 2000, 2000, 1000),
        thresholds=((4000, 11), (2000, 12)),
        otherwise_rank=13,
    ),
)

#: Annexe 2-2, « 2. Passage des rangs aux groupes » : rang 1 → GIR 1 ; rangs 2 à 7 → GIR 2 ;
#: rangs 8 et 9 → GIR 3 ; rangs 10 et 11 → GIR 4 ; rang 12 → GIR 5 ; rang 13 → GIR 6.
RANK_TO_GIR: Mapping[int, int] = MappingProxyType(
    {1: 1, 2: 2, 3: 2, 4: 2, 5: 2, 6: 2, 7: 2, 8: 3, 9: 3, 10: 4, 11: 4, 12: 5, 13: 6}
)


def _validated_levels(levels: Mapping[str, str]) -> Mapping[str, str]:
    # Déplacements extérieurs et alerter sont facultatifs (sans effet sur le calcul) mais vérifiés.
    errors = _check_answers(levels, DISCRIMINANT_VARIABLES, optional=VARIABLES[8:])
    if errors:
        raise AggirError(errors, kind="Variable")
    return levels


def group_score(group: Group, levels: Mapping[str, str]) -> int:
    """« Sommation des valeurs des variables » d'un groupe (A compte 0)."""
    weights = {"B": group.b, "C": group.c}
    return sum(weights[levels[var]][var] for var in DISCRIMINANT_VARIABLES if levels[var] != "A")


def compute_rank(levels: Mapping[str, str]) -> int:
    """Rang (1 à 13) : groupes A à H testés dans l'ordre, le premier seuil atteint donne le rang."""
    _validated_levels(levels)
    for group in AGGIR_GROUPS:
        score = group_score(group, levels)
        for minimum, rank in group.thresholds:
            if score >= minimum:
                return rank
        if group.otherwise_rank is not None:
            return group.otherwise_rank
    raise AssertionError("le groupe H donne toujours un rang")  # pragma: no cover


def compute_gir(levels: Mapping[str, str]) -> int:
    """GIR (1 = le plus dépendant, 6 = autonome) à partir des niveaux des variables.

    ``levels`` : les 8 variables discriminantes de :data:`DISCRIMINANT_VARIABLES` (valeurs A/B/C),
    plus, facultativement, ``deplacements_exterieurs`` et ``alerter`` (sans effet sur le résultat).
    Lève :class:`AggirError` listant toutes les réponses manquantes ou invalides.
    """
    return RANK_TO_GIR[compute_rank(levels)]
