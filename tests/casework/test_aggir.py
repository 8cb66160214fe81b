"""AGGIR : tables et cas tirés du CASF, annexes 2-1 (guide de remplissage, décret n° 2008-821)
et 2-2 (algorithme). Tests purs, sans base de données."""

from itertools import product

import pytest

from maillage.casework.aggir import (
    AGGIR_GROUPS,
    ALL_SUB_VARIABLES,
    DISCRIMINANT_VARIABLES,
    RANK_TO_GIR,
    AggirError,
    adverbs_to_code,
    compute_gir,
    compute_rank,
    group_score,
    variable_levels,
)


def levels(code: str, **extra: str) -> dict[str, str]:
    """Profil compact : une lettre par variable, dans l'ordre de l'annexe 2-2 :
    cohérence, orientation, toilette, habillage, alimentation, élimination, transfert,
    déplacement intérieur."""
    assert len(code) == 8
    return dict(zip(DISCRIMINANT_VARIABLES, code, strict=True)) | extra


def subs(**overrides: str) -> dict[str, str]:
    """Les 17 sous-variables cotées A, avec des surcharges."""
    return dict.fromkeys(ALL_SUB_VARIABLES, "A") | overrides


# ---------------------------------------------------------------------------------------------
# Annexe 2-2 : transcription indépendante des tables, comparée à celle du module.
# « Chaque variable est affectée d'une modalité A, B ou C [...] » ; valeurs (C ; B) dans l'ordre
# cohérence, orientation, toilette, habillage, alimentation, élimination, transfert, déplacement
# intérieur. Déplacement extérieur et communication valent 0 dans tous les groupes.
# ---------------------------------------------------------------------------------------------
ANNEX_2_2 = {
    # name: (valeurs C, valeurs B, seuils (score minimal, rang))
    "A": ((2000, 1200, 40, 40, 60, 100, 800, 200), (0, 0, 16, 16, 20, 16, 120, 32), ((4380, 1), (4140, 2), (3390, 3))),
    "B": ((1500, 1200, 40, 40, 60, 100, 800, -80), (320, 120, 16, 16, 0, 16, 120, -40), ((2016, 4),)),
    "C": ((0, 0, 40, 40, 60, 160, 1000, 400), (0, 0, 16, 16, 20, 20, 200, 40), ((1700, 5), (1432, 6))),
    "D": ((0, 0, 0, 0, 2000, 400, 2000, 200), (0, 0, 0, 0, 200, 200, 200, 0), ((2400, 7),)),
    "E": ((400, 400, 400, 400, 400, 800, 800, 200), (0, 0, 100, 100, 100, 100, 100, 0), ((1200, 8),)),
    "F": ((200, 200, 500, 500, 500, 500, 500, 200), (100, 100, 100, 100, 100, 100, 100, 0), ((800, 9),)),
    "G": ((150, 150, 300, 300, 500, 500, 400, 200), (0, 0, 200, 200, 200, 200, 200, 100), ((650, 10),)),
    "H": (
        (0, 0, 3000, 3000, 3000, 3000, 1000, 1000),
        (0, 0, 2000, 2000, 2000, 2000, 2000, 1000),
        ((4000, 11), (2000, 12)),
    ),
}


@pytest.mark.parametrize("name", list(ANNEX_2_2), ids=lambda n: f"groupe-{n}")
def test_group_tables_match_annex_2_2(name):
    group = next(g for g in AGGIR_GROUPS if g.name == name)
    c, b, thresholds = ANNEX_2_2[name]
    assert tuple(group.c[v] for v in DISCRIMINANT_VARIABLES) == c
    assert tuple(group.b[v] for v in DISCRIMINANT_VARIABLES) == b
    assert group.thresholds == thresholds
    # « inférieure à 2 000 (exclus) : rang 13 » — seul le groupe H conclut sans passer au suivant.
    assert group.otherwise_rank == (13 if name == "H" else None)


def test_groups_are_tested_in_order_a_to_h():
    assert [g.name for g in AGGIR_GROUPS] == list("ABCDEFGH")


# « 2. Passage des rangs aux groupes » : 1 → 1 ; 2, 3, 4, 5, 6, 7 → 2 ; 8, 9 → 3 ; 10, 11 → 4 ;
# 12 → 5 ; 13 → 6.
@pytest.mark.parametrize(
    ("ranks", "gir"),
    [((1,), 1), ((2, 3, 4, 5, 6, 7), 2), ((8, 9), 3), ((10, 11), 4), ((12,), 5), ((13,), 6)],
    ids=["gir1", "gir2", "gir3", "gir4", "gir5", "gir6"],
)
def test_rank_to_gir(ranks, gir):
    assert all(RANK_TO_GIR[rank] == gir for rank in ranks)
    assert sorted(RANK_TO_GIR) == list(range(1, 14))


# ---------------------------------------------------------------------------------------------
# Annexe 2-2 : chaque groupe, à son seuil exact et juste en dessous (score atteignable le plus
# proche). Le calcul de la somme est détaillé en commentaire à partir des tables ci-dessus.
# ---------------------------------------------------------------------------------------------
BOUNDARY_CASES = [
    # (id, profil, groupe décisif, score dans ce groupe, rang attendu, GIR attendu)
    # Groupe A « supérieure ou égale à 4 380 : rang 1 » : 2000+1200+40+40+0+100+800+200 = 4380.
    ("A-4380-rang1", "CCCCACCC", "A", 4380, 1, 1),
    # juste en dessous : 2000+1200+0+16+60+100+800+200 = 4376 → « entre 4 380 (exclus) et 4 140 ».
    ("A-4376-rang2", "CCABCCCC", "A", 4376, 2, 2),
    # « entre 4 380 (exclus) et 4 140 (inclus) : rang 2 » : 2000+1200+40+100+800 = 4140.
    ("A-4140-rang2", "CCACACCA", "A", 4140, 2, 2),
    # juste en dessous : 2000+1200+16+20+100+800 = 4136 → rang 3.
    ("A-4136-rang3", "CCABBCCA", "A", 4136, 3, 2),
    # « entre 4 140 (exclus) et 3 390 (inclus) : rang 3 ». 3 390 n'est atteignable par aucun profil
    # (pas de 4 entre les sommes) ; plus proche au-dessus : 2000+1200+60+100+32 = 3392.
    ("A-3392-rang3", "CCAACCAB", "A", 3392, 3, 2),
    # juste en dessous : 2000+1200+20+16+120+32 = 3388 → groupe B : 1500+1200+0+16+120-40 = 2796
    # ≥ 2 016 → rang 4.
    ("A-3388-vers-B-rang4", "CCAABBBB", "B", 2796, 4, 2),
    # Groupe B « supérieure ou égale à 2 016 : rang 4 » : A = 1200+16+800 = 2016 < 3390 ;
    # B = 1200+16+800 = 2016.
    ("B-2016-rang4", "ACAAABCA", "B", 2016, 4, 2),
    # juste en dessous : B = 1200+16+60+16+800-80 = 2012 → groupe C : 16+60+20+1000+400 = 1496
    # ≥ 1 432 → rang 6.
    ("B-2012-vers-C-rang6", "ACABCBCC", "C", 1496, 6, 2),
    # Groupe C « supérieure ou égale à 1 700 : rang 5 » : 40+40+60+160+1000+400 = 1700
    # (A = 1240, B = 960 : sous leurs seuils).
    ("C-1700-rang5", "AACCCCCC", "C", 1700, 5, 2),
    # juste en dessous : 16+40+60+160+1000+400 = 1676 → rang 6.
    ("C-1676-rang6", "AABCCCCC", "C", 1676, 6, 2),
    # « entre 1 700 (exclus) et 1 432 (inclus) : rang 6 » : 16+16+1000+400 = 1432.
    ("C-1432-rang6", "AABBAACC", "C", 1432, 6, 2),
    # juste en dessous : 20+1000+400 = 1420 → groupe D : 200+2000+200 = 2400 → rang 7.
    ("C-1420-vers-D-rang7", "AAAAABCC", "D", 2400, 7, 2),
    # Groupe D « supérieure ou égale à 2 400 : rang 7 » : 400+2000 = 2400.
    ("D-2400-rang7", "AAAAACCA", "D", 2400, 7, 2),
    # juste en dessous : 2000+200 = 2200 ; puis E = 1000, F = 700, G = 600, H = 1000+1000 = 2000
    # → rang 12.
    ("D-2200-vers-H-rang12", "AAAAAACC", "H", 2000, 12, 5),
    # Groupe E « supérieure ou égale à 1 200 : rang 8 » : 400+800 = 1200 (D = 2000 < 2400).
    ("E-1200-rang8", "AAACAACA", "E", 1200, 8, 3),
    # juste en dessous : E = 800+100+200 = 1100 → groupe F : 500+100+200 = 800 → rang 9.
    ("E-1100-vers-F-rang9", "AAAAACBC", "F", 800, 9, 3),
    # Groupe F « supérieure ou égale à 800 : rang 9 » (même profil, vu du groupe F).
    ("F-800-rang9", "AAAAACBC", "F", 800, 9, 3),
    # Groupe G « supérieure ou égale à 650 : rang 10 » : 150+500 = 650 (F = 700 < 800).
    ("G-650-rang10", "ACAACAAA", "G", 650, 10, 4),
    # juste en dessous : G = 400+200 = 600 (profil « D-2200 ») → groupe H, rang 12.
    ("G-600-vers-H-rang12", "AAAAAACC", "G", 600, 12, 5),
    # Groupe H « supérieure ou égale à 4 000 : rang 11 » : 2000+2000 = 4000 (G = 400 < 650).
    ("H-4000-rang11", "AAAAABBA", "H", 4000, 11, 4),
    # juste en dessous : 3000 → « entre 4 000 (exclus) et 2 000 (inclus) : rang 12 ».
    ("H-3000-rang12", "AAAAACAA", "H", 3000, 12, 5),
    # « entre 4 000 (exclus) et 2 000 (inclus) : rang 12 » : transfert B = 2000.
    ("H-2000-rang12", "AAAAAABA", "H", 2000, 12, 5),
    # « inférieure à 2 000 (exclus) : rang 13 » : déplacement intérieur B = 1000.
    ("H-1000-rang13", "AAAAAAAB", "H", 1000, 13, 6),
]


@pytest.mark.parametrize(
    ("profile", "group_name", "expected_score", "rank", "gir"),
    [case[1:] for case in BOUNDARY_CASES],
    ids=[case[0] for case in BOUNDARY_CASES],
)
def test_group_thresholds(profile, group_name, expected_score, rank, gir):
    group = next(g for g in AGGIR_GROUPS if g.name == group_name)
    assert group_score(group, levels(profile)) == expected_score
    assert compute_rank(levels(profile)) == rank
    assert compute_gir(levels(profile)) == gir


@pytest.mark.parametrize(
    ("profile", "gir"),
    [
        # Tout C : groupe A = 2000+1200+40+40+60+100+800+200 = 4440 ≥ 4 380 → rang 1 → GIR 1.
        ("CCCCCCCC", 1),
        # Personne entièrement autonome : toutes les sommes valent 0 → rang 13 → GIR 6.
        ("AAAAAAAA", 6),
        # Tout B : A = 220, B = 568, C = 312, D = 600, E = 500, F = 700, G = 5×200+100 = 1100
        # ≥ 650 → rang 10 → GIR 4.
        ("BBBBBBBB", 4),
        # Cohérence et orientation C, le reste A : A = 3200 < 3390 ; B = 2700 ≥ 2 016 → rang 4.
        ("CCAAAAAA", 2),
    ],
    ids=["tout-C-gir1", "autonome-gir6", "tout-B-gir4", "troubles-psychiques-gir2"],
)
def test_reference_profiles(profile, gir):
    assert compute_gir(levels(profile)) == gir


@pytest.mark.parametrize("outside", list(product("ABC", repeat=2)), ids=lambda p: "ext-alerter-" + "".join(p))
def test_outside_moves_and_alerting_do_not_change_the_gir(outside):
    # Annexe 2-2 : « Déplacement extérieur » et « Communication » valent 0 dans tous les groupes.
    ext, alert = outside
    for profile in ("AAAAAAAA", "BBBBBBBB", "CCCCCCCC", "AABBAACC"):
        assert compute_gir(levels(profile, deplacements_exterieurs=ext, alerter=alert)) == compute_gir(levels(profile))


def test_every_profile_gets_a_rank_between_1_and_13():
    ranks = {compute_rank(levels("".join(p))) for p in product("ABC", repeat=8)}
    assert ranks == set(range(1, 14))


# ---------------------------------------------------------------------------------------------
# Annexe 2-1 : combinaisons des sous-variables, toutes les combinaisons.
# ---------------------------------------------------------------------------------------------

# Le guide de 2008 (annexe 2-1) n'est publié qu'en fac-similé (copie Etalab de l'annexe 2-1 :
# « Guide non reproduit, consulter le fac-similé »). Les tables ci-dessous reprennent les règles
# telles que citées par les sources recoupées dans aggir.COMBINATION_RULES : programme SAS DREES
# girv3.sas (HID 1999) et calculateurs FreeMedForms (2008, « NewGirScore »).
#
# Toilette (haut, bas) : « Toilette AA=A CC=C autres=B ».
TOILETTE = {"AA": "A", "AB": "B", "AC": "B", "BA": "B", "BB": "B", "BC": "B", "CA": "B", "CB": "B", "CC": "C"}
# Alimentation (se servir, manger) : « Alimentation SM AA=A CC=C BC=C CB=C Autres=B » ; DREES :
# « if serv='C' and mang='C' then axe5='C'; else if serv='C' and mang='B' then axe5='C'; else if
# serv='B' and mang='C' then axe5='C'; else if serv='A' and mang='A' then axe5='A'; else axe5='B'; ».
# AC et CA donnent donc B (et non C comme chez Mediboard).
ALIMENTATION = {"AA": "A", "AB": "B", "AC": "B", "BA": "B", "BB": "B", "BC": "C", "CA": "B", "CB": "C", "CC": "C"}
# Élimination (urinaire, fécale) : « Elimination AA=A CC=C CB_BC=C AC=C CA=C BB=B » (AB, BA = B).
# Cohérence (communication, comportement) et orientation (temps, espace) :
# « AA = A ; AB, BA, BB = B ; CC, BC, CB, AC, CA = C ».
ANY_C_GIVES_C = {"AA": "A", "AB": "B", "AC": "C", "BA": "B", "BB": "B", "BC": "C", "CA": "C", "CB": "C", "CC": "C"}

TWO_SUB_VARIABLE_CASES = [
    (variable, first, second, combo, expected)
    for variable, first, second, table in (
        ("toilette", "toilette_haut", "toilette_bas", TOILETTE),
        ("coherence", "coherence_communication", "coherence_comportement", ANY_C_GIVES_C),
        ("orientation", "orientation_temps", "orientation_espace", ANY_C_GIVES_C),
        ("alimentation", "alimentation_se_servir", "alimentation_manger", ALIMENTATION),
        ("elimination", "elimination_urinaire", "elimination_fecale", ANY_C_GIVES_C),
    )
    for combo, expected in table.items()
]


@pytest.mark.parametrize(
    ("variable", "first", "second", "combo", "expected"),
    TWO_SUB_VARIABLE_CASES,
    ids=[f"{case[0]}-{case[3]}={case[4]}" for case in TWO_SUB_VARIABLE_CASES],
)
def test_two_sub_variable_combinations(variable, first, second, combo, expected):
    result = variable_levels(subs(**{first: combo[0], second: combo[1]}))
    assert result[variable] == expected
    # Les autres variables restent à A.
    assert {k: v for k, v in result.items() if k != variable} == dict.fromkeys(
        [k for k in result if k != variable], "A"
    )


# Habillage (haut, moyen, bas) : « Habillage (Haut, Moyen, Bas) AAA=A CCC=C Autres=B » — les 27
# combinaisons.
@pytest.mark.parametrize("combo", ["".join(p) for p in product("ABC", repeat=3)], ids=lambda c: f"habillage-{c}")
def test_habillage_combinations(combo):
    expected = {"AAA": "A", "CCC": "C"}.get(combo, "B")
    sub = subs(habillage_haut=combo[0], habillage_moyen=combo[1], habillage_bas=combo[2])
    assert variable_levels(sub)["habillage"] == expected


@pytest.mark.parametrize(
    "key", ["transferts", "deplacements_interieurs", "deplacements_exterieurs", "alerter"], ids=str
)
@pytest.mark.parametrize("code", ["A", "B", "C"])
def test_variables_without_sub_variables_are_copied(key, code):
    assert variable_levels(subs(**{key: code}))[key] == code


def test_variable_levels_returns_the_ten_discriminant_variables():
    assert list(variable_levels(subs())) == [
        "coherence",
        "orientation",
        "toilette",
        "habillage",
        "alimentation",
        "elimination",
        "transferts",
        "deplacements_interieurs",
        "deplacements_exterieurs",
        "alerter",
    ]


def test_sub_variables_to_gir_end_to_end():
    # Toilette haut A / bas C → B ; habillage A, B, C → B ; se servir C / manger A → B.
    sub = subs(toilette_bas="C", habillage_moyen="B", habillage_bas="C", alimentation_se_servir="C")
    result = variable_levels(sub)
    assert (result["toilette"], result["habillage"], result["alimentation"]) == ("B", "B", "B")
    # A = 16+16+20 = 52 ; B = 16+16+0 = 32 ; C = 52 ; D = 200 ; E = 300 ; F = 300 ;
    # G = 200+200+200 = 600 < 650 ; H = 2000+2000+2000 = 6000 ≥ 4 000 → rang 11 → GIR 4.
    assert compute_gir(result) == 4


# Cas complets 17 sous-variables → variables → GIR, calculés à la main avec les tables ci-dessus
# et l'annexe 2-2 (aucun cas officiel chiffré n'a été trouvé publié). Chacun isole une règle de
# combinaison dont le résultat change le GIR.
FULL_CASES = [
    # Ne se lève pas seul, se sert seul mais ne mange pas seul (« autres = B ») :
    # niveaux AAAABACA ; A = 20+800 = 820 ; B = 800 ; C = 20+1000 = 1020 ; D = 200+2000 = 2200
    # < 2 400 ; E = 100+800 = 900 ; F = 100+500 = 600 ; G = 200+400 = 600 ; H = 2000+1000 = 3000
    # → rang 12 → GIR 5. (Avec AC = C : D = 2000+2000 = 4000 → rang 7 → GIR 2.)
    pytest.param(
        {"alimentation_se_servir": "A", "alimentation_manger": "C", "transferts": "C"},
        {"alimentation": "B", "transferts": "C"},
        5,
        id="alimentation-AC-transferts-C-gir5",
    ),
    # Même situation, mais se sert partiellement (se servir B, manger C : « BC = C ») :
    # niveaux AAAACACA ; A = 60+800 = 860 ; B = 860 ; C = 60+1000 = 1060 ; D = 2000+2000 = 4000
    # ≥ 2 400 → rang 7 → GIR 2.
    pytest.param(
        {"alimentation_se_servir": "B", "alimentation_manger": "C", "transferts": "C"},
        {"alimentation": "C", "transferts": "C"},
        2,
        id="alimentation-BC-transferts-C-gir2",
    ),
    # Incontinence urinaire seule (« AC = C » pour l'élimination) et transferts C :
    # niveaux AAAAACCA ; A = 100+800 = 900 ; B = 900 ; C = 160+1000 = 1160 ; D = 400+2000 = 2400
    # → rang 7 → GIR 2.
    pytest.param(
        {"elimination_urinaire": "C", "elimination_fecale": "A", "transferts": "C"},
        {"elimination": "C", "transferts": "C"},
        2,
        id="elimination-CA-transferts-C-gir2",
    ),
    # Désorientée dans le temps seulement (« CA = C ») et comportement perturbé (« AC = C ») :
    # niveaux CCAAAAAA ; A = 2000+1200 = 3200 < 3 390 ; B = 1500+1200 = 2700 ≥ 2 016 → rang 4
    # → GIR 2.
    pytest.param(
        {"orientation_temps": "C", "orientation_espace": "A", "coherence_comportement": "C"},
        {"orientation": "C", "coherence": "C"},
        2,
        id="orientation-CA-coherence-AC-gir2",
    ),
    # Toilette du bas seulement (« AC » → B) : niveaux AABAAAAA ; A = 16 ; … ; G = 200 ;
    # H = 2000 → rang 12 → GIR 5. (Si AC donnait C : H = 3000, même GIR ; on vérifie le niveau.)
    pytest.param({"toilette_haut": "A", "toilette_bas": "C"}, {"toilette": "B"}, 5, id="toilette-AC-gir5"),
]


@pytest.mark.parametrize(("overrides", "expected_levels", "gir"), FULL_CASES)
def test_full_cases_from_sub_variables_to_gir(overrides, expected_levels, gir):
    result = variable_levels(subs(**overrides))
    assert {k: v for k, v in result.items() if k in expected_levels} == expected_levels
    assert all(v == "A" for k, v in result.items() if k not in expected_levels)
    assert compute_gir(result) == gir


# ---------------------------------------------------------------------------------------------
# Annexe 2-1 : adverbes S/T/C/H. « une réponse positive pour les quatre adverbes correspond au
# codage A, une réponse négative aux quatre adverbes au codage C et une réponse négative pour un
# à trois adverbes au codage B. »
# ---------------------------------------------------------------------------------------------
ADVERB_CASES = [(flags, {4: "A", 0: "C"}.get(sum(flags), "B")) for flags in product((True, False), repeat=4)]


@pytest.mark.parametrize(
    ("flags", "expected"),
    ADVERB_CASES,
    ids=["".join(a if f else "-" for a, f in zip("STCH", flags, strict=True)) + f"={e}" for flags, e in ADVERB_CASES],
)
def test_adverbs_to_code(flags, expected):
    assert adverbs_to_code(*flags) == expected


def test_adverbs_must_be_booleans():
    with pytest.raises(AggirError) as excinfo:
        adverbs_to_code(True, "oui", 1, False)
    assert set(excinfo.value.errors) == {"T", "C"}


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("answers", "errors"),
    [
        ({k: v for k, v in subs().items() if k != "toilette_bas"}, {"toilette_bas": "réponse manquante"}),
        (subs(toilette_bas="D"), {"toilette_bas": "« D » n'est pas une réponse valide (A, B ou C)"}),
        (subs(alerter="a"), {"alerter": "« a » n'est pas une réponse valide (A, B ou C)"}),
        (subs(transferts=None), {"transferts": "réponse manquante"}),
        (subs(transferts=""), {"transferts": "réponse manquante"}),
        (subs(habillage_bas=1), {"habillage_bas": "« 1 » n'est pas une réponse valide (A, B ou C)"}),
        (subs(toilette="A"), {"toilette": "clé inconnue"}),
        (
            {k: v for k, v in subs(habillage_haut="X").items() if k != "elimination_fecale"},
            {
                "elimination_fecale": "réponse manquante",
                "habillage_haut": "« X » n'est pas une réponse valide (A, B ou C)",
            },
        ),
    ],
    ids=["manquante", "lettre-D", "minuscule", "none", "vide", "entier", "cle-inconnue", "plusieurs-a-la-fois"],
)
def test_variable_levels_validation(answers, errors):
    with pytest.raises(AggirError) as excinfo:
        variable_levels(answers)
    assert excinfo.value.errors == errors
    assert isinstance(excinfo.value, ValueError)
    for key, reason in errors.items():
        assert f"Sous-variable {key} : {reason}" in str(excinfo.value)


def test_validation_message_example_from_the_brief():
    with pytest.raises(AggirError, match="^Sous-variable toilette_bas : réponse manquante$"):
        variable_levels({k: v for k, v in subs().items() if k != "toilette_bas"})


@pytest.mark.parametrize(
    ("answers", "errors"),
    [
        (
            {k: v for k, v in levels("AAAAAAAA").items() if k != "transferts"},
            {"transferts": "réponse manquante"},
        ),
        (levels("AAAAAAAA", coherence="Z"), {"coherence": "« Z » n'est pas une réponse valide (A, B ou C)"}),
        (
            levels("AAAAAAAA", deplacements_exterieurs="D"),
            {"deplacements_exterieurs": "« D » n'est pas une réponse valide (A, B ou C)"},
        ),
        (levels("AAAAAAAA", gestion="A"), {"gestion": "clé inconnue"}),
        ({}, dict.fromkeys(DISCRIMINANT_VARIABLES, "réponse manquante")),
    ],
    ids=["manquante", "invalide", "facultative-invalide", "illustrative-inconnue", "vide"],
)
def test_compute_gir_validation(answers, errors):
    with pytest.raises(AggirError) as excinfo:
        compute_gir(answers)
    assert excinfo.value.errors == errors
    assert str(excinfo.value).startswith("Variable ")


def test_compute_gir_accepts_optional_variables_as_none():
    assert compute_gir(levels("AAAAAAAA", deplacements_exterieurs=None, alerter=None)) == 6
