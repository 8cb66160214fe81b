"""Repérage téléphonique de la fragilité (guide VISA) : les quatre niveaux d'orientation,
la configuration de la grille et les entrées invalides. Tests purs, sans base de données."""

import pytest

from maillage.casework.fragility import (
    CONCERN_STEPS,
    DEFAULT_GRID,
    EMERGENCY,
    ISOLATION,
    MEDICAL,
    NEED,
    NEXT_STEPS,
    AnswerOption,
    FragilityError,
    Grid,
    Question,
    score,
)

# Réponses « rien à signaler » pour chaque question de la grille par défaut (0 point, sans drapeau).
BENIGN = {
    "vit_seul": "non",
    "contacts": "hebdomadaire",
    "aide_possible": "oui",
    "aidant": "sans_objet",
    "courses_repas": "oui",
    "traitement": "sans_objet",
    "sante": "stable",
    "chute": "non",
    "moral": "bon",
    "danger_immediat": "non",
}


def answers(**overrides: str) -> dict[str, str]:
    return BENIGN | overrides


def test_benign_answers_cover_the_default_grid():
    assert set(BENIGN) == {q.key for q in DEFAULT_GRID.questions}
    for question in DEFAULT_GRID.questions:
        option = question.option(BENIGN[question.key])
        assert option is not None and option.points == 0 and not option.flags


# Typologie d'orientation du guide VISA (« Outil : Orienter les personnes en fonction de leurs
# besoins », /work/shared/seeds/003_ca5cadbccd7a5246.txt, lignes 1052-1095). Chaque ligne : réponses →
# niveau attendu, avec la définition du guide qu'elle illustre. L'isolement est une condition des
# niveaux 2 et 3 ; il se mesure sur les questions d'isolement (vit_seul, contacts, aide_possible, aidant ;
# seuil 4) ou sur « aucun contact ». Les lignes « autrefois-N » donnaient le niveau N avant la correction
# (issue 13, point 5) : un score fait de besoins ou de santé, ou un drapeau besoin/médical, sans isolement.
SEED_1 = "l. 1064-1069 : « n'est pas en situation de fragilité, n'est pas isolée et n'a pas de besoin prioritaire »"
SEED_2 = "l. 1071-1081 : « est isolée mais n'apparaît pas avoir de problématiques médicales spécifiques »"
SEED_3 = "l. 1082-1090 : « est isolée et présente une potentielle problématique médicale »"
SEED_4 = "l. 1091-1094 : « est en situation de grande fragilité : sa situation constitue un cas d'urgence »"

# (id, source, surcharges, score total, points d'isolement, niveau, réponses déterminantes,
#  besoins prioritaires entendus, problématique médicale entendue)
LEVEL_CASES = [
    ("n1-rien-a-signaler", SEED_1, {}, 0, 0, 1, {}, {}, {}),
    # Vivre seul(e) (2 points d'isolement) n'atteint pas le seuil de 4.
    ("n1-vit-seul-sous-le-seuil", SEED_1, {"vit_seul": "oui"}, 2, 2, 1, {}, {}, {}),
    # Non isolée : le besoin est rapporté, pas le niveau 2.
    (
        "n1-besoin-non-isolee-autrefois-2",
        SEED_1,
        {"courses_repas": "difficilement"},
        1,
        0,
        1,
        {},
        {"courses_repas": "difficilement"},
        {},
    ),
    # Non isolée : la problématique médicale est rapportée, pas le niveau 3 (ex-medical_not_isolated_level).
    (
        "n1-medical-non-isolee-autrefois-3",
        SEED_1,
        {"traitement": "difficulte"},
        1,
        0,
        1,
        {},
        {},
        {"traitement": "difficulte"},
    ),
    # 2 + 2 = 4 points, mais de besoins et de santé : autrefois « isolée » au score, donc niveau 3.
    (
        "n1-score-sans-isolement-autrefois-3",
        SEED_1,
        {"courses_repas": "non", "sante": "degradee"},
        4,
        0,
        1,
        {},
        {"courses_repas": "non"},
        {"sante": "degradee"},
    ),
    # Vit seule (2) + ne fait plus ses courses (2) = 4 au score, mais 2 points d'isolement : autrefois 2.
    (
        "n1-vit-seule-et-besoin-autrefois-2",
        SEED_1,
        {"vit_seul": "oui", "courses_repas": "non"},
        4,
        2,
        1,
        {},
        {"courses_repas": "non"},
        {},
    ),
    # Trois signes médicaux = 4 points, entourée : autrefois 3.
    (
        "n1-sante-seule-au-score-autrefois-3",
        SEED_1,
        {"chute": "oui", "moral": "bas", "sante": "degradee"},
        4,
        0,
        1,
        {},
        {},
        {"chute": "oui", "moral": "bas", "sante": "degradee"},
    ),
    # 2 + 2 = 4 points d'isolement : au seuil exact.
    (
        "n2-isolement-au-seuil",
        SEED_2,
        {"vit_seul": "oui", "contacts": "rare"},
        4,
        4,
        2,
        {"vit_seul": "oui", "contacts": "rare"},
        {},
        {},
    ),
    # « Jamais ou presque » de contacts : isolement avéré (drapeau), même sous le seuil (3 points).
    ("n2-aucun-contact", SEED_2, {"contacts": "aucun"}, 3, 3, 2, {"contacts": "aucun"}, {}, {}),
    # Vit seule et personne pour l'aider : isolée, et le besoin est recensé.
    (
        "n2-vit-seule-sans-aide",
        SEED_2,
        {"vit_seul": "oui", "aide_possible": "non"},
        4,
        4,
        2,
        {"vit_seul": "oui", "aide_possible": "non"},
        {"aide_possible": "non"},
        {},
    ),
    (
        "n2-vit-seule-aidant-epuise",
        SEED_2,
        {"aidant": "absent_ou_epuise", "vit_seul": "oui"},
        4,
        4,
        2,
        {"aidant": "absent_ou_epuise", "vit_seul": "oui"},
        {"aidant": "absent_ou_epuise"},
        {},
    ),
    (
        "n2-isolee-et-besoin",
        SEED_2,
        {"contacts": "aucun", "courses_repas": "non"},
        5,
        3,
        2,
        {"contacts": "aucun"},
        {"courses_repas": "non"},
        {},
    ),
    (
        "n3-isolee-et-sante-degradee",
        SEED_3,
        {"vit_seul": "oui", "contacts": "rare", "sante": "degradee"},
        6,
        4,
        3,
        {"sante": "degradee", "vit_seul": "oui", "contacts": "rare"},
        {},
        {"sante": "degradee"},
    ),
    (
        "n3-aucun-contact-et-chute-simple",
        SEED_3,
        {"contacts": "aucun", "chute": "oui"},
        4,
        3,
        3,
        {"chute": "oui", "contacts": "aucun"},
        {},
        {"chute": "oui"},
    ),
    (
        "n3-isolee-traitement-et-besoin",
        SEED_3,
        {"vit_seul": "oui", "aide_possible": "non", "traitement": "difficulte"},
        5,
        4,
        3,
        {"vit_seul": "oui", "aide_possible": "non", "traitement": "difficulte"},
        {"aide_possible": "non"},
        {"traitement": "difficulte"},
    ),
    ("n4-chute-au-sol", SEED_4, {"chute": "au_sol_ou_blesse"}, 3, 0, 4, {"chute": "au_sol_ou_blesse"}, {}, {}),
    ("n4-idees-noires", SEED_4, {"moral": "idees_noires"}, 3, 0, 4, {"moral": "idees_noires"}, {}, {}),
    (
        "n4-danger-immediat-prime-sur-le-reste",
        SEED_4,
        {"danger_immediat": "oui", "vit_seul": "oui", "contacts": "rare", "sante": "degradee"},
        9,
        4,
        4,
        {"danger_immediat": "oui"},
        {},
        {"sante": "degradee"},
    ),
]


@pytest.mark.parametrize(
    ("source", "overrides", "total", "isolation", "level", "drivers", "needs", "medical"),
    [case[1:] for case in LEVEL_CASES],
    ids=[case[0] for case in LEVEL_CASES],
)
def test_default_grid_levels_follow_the_guide(source, overrides, total, isolation, level, drivers, needs, medical):
    result = score(DEFAULT_GRID, answers(**overrides))
    assert result.level == level, source
    assert result.total_score == total
    assert result.isolation_score == isolation
    assert result.isolated is (isolation >= 4 or overrides.get("contacts") == "aucun")
    assert dict(result.drivers) == drivers
    assert dict(result.priority_needs) == needs
    assert dict(result.medical_concern) == medical
    assert result.level_label == DEFAULT_GRID.level_labels[level]
    assert result.next_steps[: len(DEFAULT_GRID.next_steps[level])] == DEFAULT_GRID.next_steps[level]
    if level > 1:
        assert result.next_steps == DEFAULT_GRID.next_steps[level]


def test_isolation_is_a_condition_of_levels_2_and_3():
    """Every pair of answers other than « rien à signaler »: levels 2 and 3 only when the person is
    isolated, level 3 only with a potential medical problem, and an isolated person is never level 1."""
    options = [(q.key, o) for q in DEFAULT_GRID.questions for o in q.options if o.points or o.flags]
    for i, (key_a, option_a) in enumerate(options):
        for key_b, option_b in options[i + 1 :]:
            if key_a == key_b:
                continue
            result = score(DEFAULT_GRID, answers(**{key_a: option_a.key, key_b: option_b.key}))
            if result.level in (2, 3):
                assert result.isolated, (key_a, key_b)
            if result.level != 4:
                expected = (3 if result.medical_concern else 2) if result.isolated else 1
                assert result.level == expected, (key_a, key_b)


@pytest.mark.parametrize(
    ("overrides", "added"),
    [
        ({}, ()),
        ({"courses_repas": "non"}, CONCERN_STEPS[NEED]),
        ({"sante": "degradee"}, CONCERN_STEPS[MEDICAL]),
        ({"aidant": "absent_ou_epuise", "moral": "bas"}, CONCERN_STEPS[NEED] + CONCERN_STEPS[MEDICAL]),
    ],
    ids=["rien", "besoin", "medical", "besoin-et-medical"],
)
def test_level_1_keeps_what_was_heard_in_its_next_steps(overrides, added):
    result = score(DEFAULT_GRID, answers(**overrides))
    assert result.level == 1
    assert result.next_steps == NEXT_STEPS[1] + added


def test_level_1_concern_steps_name_the_entourage_and_the_doctor():
    assert "entourage" in CONCERN_STEPS[NEED][0]
    assert "médecin traitant" in CONCERN_STEPS[MEDICAL][0]


@pytest.mark.parametrize(
    ("level", "label_part", "step_part"),
    [
        (1, "non isolée", "contact régulier"),
        (2, "Isolement sans problématique médicale", "besoins prioritaires"),
        (3, "potentielle problématique médicale", "CLIC, la MAIA, le DAC ou l'équipe APA"),
        (4, "urgence", "services d'urgence du territoire"),
    ],
    ids=["niveau-1", "niveau-2", "niveau-3", "niveau-4"],
)
def test_labels_and_next_steps_follow_the_guide(level, label_part, step_part):
    assert label_part in DEFAULT_GRID.level_labels[level]
    assert any(step_part in step for step in DEFAULT_GRID.next_steps[level])


def test_level_3_next_steps_are_level_2_plus_the_referral():
    # « en plus des actions mentionnées précédemment, une mise en relation est effectuée » (l. 1083-1086).
    assert NEXT_STEPS[3][: len(NEXT_STEPS[2])] == NEXT_STEPS[2]
    assert len(NEXT_STEPS[3]) == len(NEXT_STEPS[2]) + 1


# Une grille décrite entièrement en données : seuils et drapeaux au choix de la collectivité.
CUSTOM = Grid(
    questions=(
        Question("seul", "Vit seul(e) ?", (AnswerOption("non", "Non"), AnswerOption("oui", "Oui", 3)), isolation=True),
        Question(
            "sorties",
            "Sort de chez soi ?",
            (
                AnswerOption("oui", "Oui"),
                AnswerOption("rarement", "Rarement", 2, frozenset({NEED})),
                AnswerOption("jamais", "Jamais", 4, frozenset({ISOLATION})),
            ),
            isolation=True,
        ),
        Question(
            "soins",
            "Suivi médical ?",
            (AnswerOption("oui", "Oui"), AnswerOption("rompu", "Interrompu", 1, frozenset({MEDICAL}))),
        ),
        Question(
            "alerte",
            "Appelle à l'aide ?",
            (AnswerOption("non", "Non"), AnswerOption("oui", "Oui", 0, frozenset({EMERGENCY}))),
        ),
    ),
    isolation_threshold=3,
    emergency_threshold=8,
)


@pytest.mark.parametrize(
    ("given", "total", "level"),
    [
        ({"seul": "non", "sorties": "oui", "soins": "oui", "alerte": "non"}, 0, 1),
        ({"seul": "oui", "sorties": "oui", "soins": "oui", "alerte": "non"}, 3, 2),
        # Un besoin sans isolement (2 points d'isolement < 3) : niveau 1.
        ({"seul": "non", "sorties": "rarement", "soins": "oui", "alerte": "non"}, 2, 1),
        # Soins interrompus sans isolement : niveau 1.
        ({"seul": "non", "sorties": "oui", "soins": "rompu", "alerte": "non"}, 1, 1),
        ({"seul": "oui", "sorties": "oui", "soins": "rompu", "alerte": "non"}, 4, 3),
        ({"seul": "non", "sorties": "oui", "soins": "oui", "alerte": "oui"}, 0, 4),
        # Seuil d'urgence au score : 3 + 4 + 1 = 8.
        ({"seul": "oui", "sorties": "jamais", "soins": "rompu", "alerte": "non"}, 8, 4),
        # Juste en dessous : 3 + 2 + 1 = 6 → isolée et médicale → niveau 3.
        ({"seul": "oui", "sorties": "rarement", "soins": "rompu", "alerte": "non"}, 6, 3),
    ],
    ids=[
        "n1",
        "n2-seuil",
        "n1-besoin-non-isole",
        "n1-medical-non-isole",
        "n3",
        "n4-drapeau",
        "n4-seuil-score",
        "n3-sous-seuil-urgence",
    ],
)
def test_custom_grid(given, total, level):
    result = score(CUSTOM, given)
    assert (result.total_score, result.level) == (total, level)


def test_points_outside_the_isolation_questions_never_isolate():
    # « soins » n'est pas une question d'isolement : même très pondérée, elle n'isole pas.
    heavy = Question(
        "soins", "Suivi médical ?", (AnswerOption("oui", "Oui"), AnswerOption("rompu", "Non", 9, frozenset({MEDICAL})))
    )
    grid = Grid(questions=(CUSTOM.questions[0], heavy), isolation_threshold=3)
    result = score(grid, {"seul": "non", "soins": "rompu"})
    assert (result.total_score, result.isolation_score, result.isolated, result.level) == (9, 0, False, 1)
    assert score(grid, {"seul": "oui", "soins": "rompu"}).level == 3


def test_emergency_threshold_drivers_are_the_scoring_answers():
    result = score(CUSTOM, {"seul": "oui", "sorties": "jamais", "soins": "rompu", "alerte": "non"})
    assert dict(result.drivers) == {"seul": "oui", "sorties": "jamais", "soins": "rompu"}


def test_default_grid_max_score():
    assert DEFAULT_GRID.max_score == 2 + 3 + 2 + 2 + 2 + 1 + 2 + 3 + 3 + 3


# ---------------------------------------------------------------------------------------------
# Entrées invalides
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("given", "errors"),
    [
        ({k: v for k, v in BENIGN.items() if k != "chute"}, {"chute": "réponse manquante"}),
        (answers(chute=None), {"chute": "réponse manquante"}),
        (answers(chute=""), {"chute": "réponse manquante"}),
        (answers(vit_seul="peut-être"), {"vit_seul": "« peut-être » n'est pas une réponse possible (non, oui)"}),
        (answers(vit_seul=True), {"vit_seul": "« True » n'est pas une réponse possible (non, oui)"}),
        (answers(age="82"), {"age": "question inconnue dans cette grille"}),
        (
            {k: v for k, v in answers(sante="mal").items() if k != "moral"},
            {
                "sante": "« mal » n'est pas une réponse possible (stable, degradee)",
                "moral": "réponse manquante",
            },
        ),
    ],
    ids=["manquante", "none", "vide", "option-inconnue", "booleen", "question-inconnue", "plusieurs-a-la-fois"],
)
def test_invalid_answers(given, errors):
    with pytest.raises(FragilityError) as excinfo:
        score(DEFAULT_GRID, given)
    assert excinfo.value.errors == errors
    assert isinstance(excinfo.value, ValueError)
    for key, reason in errors.items():
        assert f"Question {key} : {reason}" in str(excinfo.value)


def test_answers_must_be_a_mapping():
    with pytest.raises(TypeError):
        score(DEFAULT_GRID, [("vit_seul", "non")])


@pytest.mark.parametrize(
    "build",
    [
        lambda: AnswerOption("x", "X", 1, frozenset({"urgent"})),
        lambda: AnswerOption("x", "X", -1),
        lambda: Question("q", "Q ?", ()),
        lambda: Question("q", "Q ?", (AnswerOption("a", "A"), AnswerOption("a", "A bis"))),
        lambda: Grid(questions=(CUSTOM.questions[0], CUSTOM.questions[0]), isolation_threshold=1),
        lambda: Grid(questions=CUSTOM.questions, isolation_threshold=0),
        # Les niveaux 2 et 3 supposent l'isolement : une grille qui ne peut pas le constater est refusée.
        lambda: Grid(questions=(CUSTOM.questions[2], CUSTOM.questions[3]), isolation_threshold=1),
        lambda: Grid(questions=(CUSTOM.questions[0], CUSTOM.questions[2]), isolation_threshold=4),
        lambda: Grid(questions=CUSTOM.questions, isolation_threshold=1, concern_steps={NEED: ("Signaler",)}),
        lambda: Grid(questions=CUSTOM.questions, isolation_threshold=1, level_labels={1: "Un"}),
    ],
    ids=[
        "drapeau-inconnu",
        "points-negatifs",
        "question-sans-reponse",
        "reponses-en-double",
        "questions-en-double",
        "seuil-isolement-nul",
        "isolement-impossible",
        "seuil-isolement-inatteignable",
        "suites-incompletes",
        "libelles-incomplets",
    ],
)
def test_invalid_grid_configuration(build):
    with pytest.raises(ValueError):
        build()
