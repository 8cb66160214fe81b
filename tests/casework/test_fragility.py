"""Repérage téléphonique de la fragilité (guide VISA) : les quatre niveaux d'orientation,
la configuration de la grille et les entrées invalides. Tests purs, sans base de données."""

import pytest

from maillage.casework.fragility import (
    DEFAULT_GRID,
    EMERGENCY,
    ISOLATION,
    MEDICAL,
    NEED,
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
# besoins ») :
# 1 « pas en situation de fragilité, n'est pas isolée et n'a pas de besoin prioritaire » ;
# 2 « isolée mais n'apparaît pas avoir de problématiques médicales spécifiques » ;
# 3 « isolée et présente une potentielle problématique médicale » ;
# 4 « en situation de grande fragilité : sa situation constitue un cas d'urgence ».
LEVEL_CASES = [
    # (id, surcharges, score total, niveau, réponses déterminantes)
    ("n1-rien-a-signaler", {}, 0, 1, {}),
    # Seuil d'isolement par défaut : 4 points. Vivre seul(e) (2) n'y suffit pas.
    ("n1-vit-seul-sous-le-seuil", {"vit_seul": "oui"}, 2, 1, {}),
    # 2 + 2 = 4 : isolement au seuil exact.
    ("n2-isolement-au-seuil", {"vit_seul": "oui", "contacts": "rare"}, 4, 2, {"vit_seul": "oui", "contacts": "rare"}),
    # « Jamais ou presque » de contacts : isolement avéré (drapeau), même sous le seuil (3 points).
    ("n2-aucun-contact", {"contacts": "aucun"}, 3, 2, {"contacts": "aucun"}),
    # Un besoin prioritaire empêche le niveau 1 (« n'a pas de besoin prioritaire »).
    ("n2-besoin-prioritaire", {"courses_repas": "difficilement"}, 1, 2, {"courses_repas": "difficilement"}),
    (
        "n2-aidant-epuise",
        {"aidant": "absent_ou_epuise", "vit_seul": "oui"},
        4,
        2,
        {"aidant": "absent_ou_epuise", "vit_seul": "oui"},
    ),
    (
        "n3-isole-et-sante-degradee",
        {"vit_seul": "oui", "contacts": "rare", "sante": "degradee"},
        6,
        3,
        {"sante": "degradee", "vit_seul": "oui", "contacts": "rare"},
    ),
    (
        "n3-aucun-contact-et-chute-simple",
        {"contacts": "aucun", "chute": "oui"},
        4,
        3,
        {"chute": "oui", "contacts": "aucun"},
    ),
    # Non isolée mais problématique médicale : niveau 3 par prudence (choix par défaut documenté).
    ("n3-medical-non-isole", {"traitement": "difficulte"}, 1, 3, {"traitement": "difficulte"}),
    ("n4-chute-au-sol", {"chute": "au_sol_ou_blesse"}, 3, 4, {"chute": "au_sol_ou_blesse"}),
    ("n4-idees-noires", {"moral": "idees_noires"}, 3, 4, {"moral": "idees_noires"}),
    (
        "n4-danger-immediat-prime-sur-le-reste",
        {"danger_immediat": "oui", "vit_seul": "oui", "contacts": "rare", "sante": "degradee"},
        9,
        4,
        {"danger_immediat": "oui"},
    ),
]


@pytest.mark.parametrize(
    ("overrides", "total", "level", "drivers"),
    [case[1:] for case in LEVEL_CASES],
    ids=[case[0] for case in LEVEL_CASES],
)
def test_default_grid_levels(overrides, total, level, drivers):
    result = score(DEFAULT_GRID, answers(**overrides))
    assert result.total_score == total
    assert result.level == level
    assert dict(result.drivers) == drivers
    assert result.level_label == DEFAULT_GRID.level_labels[level]
    assert result.next_steps == DEFAULT_GRID.next_steps[level]


@pytest.mark.parametrize(
    ("level", "label_part", "step_part"),
    [
        (1, "Pas de fragilité", "contact régulier"),
        (2, "Isolement sans problématique médicale", "besoins prioritaires"),
        (3, "potentielle problématique médicale", "CLIC, la MAIA, le DAC ou l'équipe APA"),
        (4, "urgence", "services d'urgence du territoire"),
    ],
    ids=["niveau-1", "niveau-2", "niveau-3", "niveau-4"],
)
def test_labels_and_next_steps_follow_the_guide(level, label_part, step_part):
    assert label_part in DEFAULT_GRID.level_labels[level]
    assert any(step_part in step for step in DEFAULT_GRID.next_steps[level])


def test_medical_without_isolation_level_is_configurable():
    grid = Grid(questions=DEFAULT_GRID.questions, isolation_threshold=4, medical_not_isolated_level=2)
    assert score(grid, answers(sante="degradee")).level == 2
    assert score(grid, answers(sante="degradee", vit_seul="oui", contacts="rare")).level == 3


# Une grille décrite entièrement en données : seuils et drapeaux au choix de la collectivité.
CUSTOM = Grid(
    questions=(
        Question("seul", "Vit seul(e) ?", (AnswerOption("non", "Non"), AnswerOption("oui", "Oui", 3))),
        Question(
            "sorties",
            "Sort de chez soi ?",
            (
                AnswerOption("oui", "Oui"),
                AnswerOption("rarement", "Rarement", 2, frozenset({NEED})),
                AnswerOption("jamais", "Jamais", 4, frozenset({ISOLATION})),
            ),
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
        ({"seul": "non", "sorties": "rarement", "soins": "oui", "alerte": "non"}, 2, 2),
        ({"seul": "oui", "sorties": "oui", "soins": "rompu", "alerte": "non"}, 4, 3),
        ({"seul": "non", "sorties": "oui", "soins": "oui", "alerte": "oui"}, 0, 4),
        # Seuil d'urgence au score : 3 + 4 + 1 = 8.
        ({"seul": "oui", "sorties": "jamais", "soins": "rompu", "alerte": "non"}, 8, 4),
        # Juste en dessous : 3 + 2 + 1 = 6 → isolée et médicale → niveau 3.
        ({"seul": "oui", "sorties": "rarement", "soins": "rompu", "alerte": "non"}, 6, 3),
    ],
    ids=["n1", "n2-seuil", "n2-besoin", "n3", "n4-drapeau", "n4-seuil-score", "n3-sous-seuil-urgence"],
)
def test_custom_grid(given, total, level):
    result = score(CUSTOM, given)
    assert (result.total_score, result.level) == (total, level)


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
        lambda: Grid(questions=CUSTOM.questions, isolation_threshold=1, medical_not_isolated_level=4),
        lambda: Grid(questions=CUSTOM.questions, isolation_threshold=1, level_labels={1: "Un"}),
    ],
    ids=[
        "drapeau-inconnu",
        "points-negatifs",
        "question-sans-reponse",
        "reponses-en-double",
        "questions-en-double",
        "niveau-medical-invalide",
        "libelles-incomplets",
    ],
)
def test_invalid_grid_configuration(build):
    with pytest.raises(ValueError):
        build()
