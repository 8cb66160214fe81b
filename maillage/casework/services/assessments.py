"""Writes about assessments: create or change a draft version, sign it (read-only from then on,
the person's GIR updated for an AGGIR grid), and read versions side by side."""

import hashlib

from django.db import transaction
from django.utils import timezone

from maillage.casework import aggir, fragility
from maillage.casework.fragility import DEFAULT_GRID, Grid, score
from maillage.casework.models import Assessment, AssessmentKind, AssessmentVersion
from maillage.core import access, versioning
from maillage.core.exceptions import ApplicationError
from maillage.core.models import Organisation, User
from maillage.directory.models import Taxonomy, TaxonomyTerm
from maillage.people import services as people_services
from maillage.people.models import Person

NEED_STATUS_CHOICES = [("met", "Satisfait"), ("partly_met", "Partiellement satisfait"), ("not_met", "Non satisfait")]
SCREENING_MODES = [("phone", "Par téléphone"), ("visit", "Lors d'une visite")]
BURDEN_CHOICES = [
    ("light", "Légère"),
    ("moderate", "Modérée"),
    ("heavy", "Lourde"),
    ("unbearable", "Difficilement supportable"),
]
EXHAUSTION_SIGNS = [
    ("sleep", "Troubles du sommeil, fatigue permanente"),
    ("health", "Néglige sa propre santé"),
    ("isolation", "S'isole, n'a plus de temps pour soi"),
    ("irritability", "Irritabilité, tensions avec la personne aidée"),
    ("guilt", "Culpabilité, découragement, pleurs"),
    ("wants_to_stop", "Dit ne plus pouvoir continuer"),
]
RESPITE_WISHES = [
    ("day_care", "Accueil de jour"),
    ("temporary_stay", "Hébergement temporaire"),
    ("home_relief", "Relais à domicile (relayage)"),
    ("respite_platform", "Plateforme d'accompagnement et de répit"),
    ("peer_group", "Groupe de parole, café des aidants"),
    ("training", "Formation des aidants"),
]

# CASF annexe 2-1 : libellés des variables…
VARIABLE_LABELS = {
    "coherence": "Cohérence",
    "orientation": "Orientation",
    "toilette": "Toilette",
    "habillage": "Habillage",
    "alimentation": "Alimentation",
    "elimination": "Élimination",
    "transferts": "Transferts",
    "deplacements_interieurs": "Déplacements à l'intérieur",
    "deplacements_exterieurs": "Déplacements à l'extérieur",
    "alerter": "Alerter (communication à distance)",
}
# … des 17 sous-variables et des 7 variables illustratives (libellé, aide).
AGGIR_LABELS = {
    "coherence_communication": (
        "Cohérence — communication",
        "Converser de façon sensée et cohérente avec les autres.",
    ),
    "coherence_comportement": ("Cohérence — comportement", "Se comporter de façon sensée et adaptée à la situation."),
    "orientation_temps": (
        "Orientation dans le temps",
        "Se repérer dans les moments de la journée, les jours, les saisons.",
    ),
    "orientation_espace": (
        "Orientation dans l'espace",
        "Se repérer dans les lieux habituels, le logement, le quartier.",
    ),
    "toilette_haut": ("Toilette du haut", "Visage, tronc, bras, mains ; rasage, coiffage."),
    "toilette_bas": ("Toilette du bas", "Régions intimes, jambes, pieds."),
    "habillage_haut": ("Habillage du haut", "Vêtements passés par les bras ou la tête."),
    "habillage_moyen": ("Habillage du milieu", "Fermer les vêtements : boutons, fermeture éclair, ceinture."),
    "habillage_bas": ("Habillage du bas", "Vêtements passés par le bas du corps, chaussettes, chaussures."),
    "alimentation_se_servir": ("Alimentation — se servir", "Couper la viande, ouvrir un pot, remplir son verre."),
    "alimentation_manger": ("Alimentation — manger", "Porter les aliments à la bouche et avaler."),
    "elimination_urinaire": ("Élimination urinaire", "Assurer l'hygiène de l'élimination urinaire."),
    "elimination_fecale": ("Élimination fécale", "Assurer l'hygiène de l'élimination fécale."),
    "transferts": ("Transferts", "Se lever, se coucher, s'asseoir, passer d'une position à l'autre."),
    "deplacements_interieurs": ("Déplacements à l'intérieur", "Dans le logement, avec ou sans canne ou fauteuil."),
    "deplacements_exterieurs": ("Déplacements à l'extérieur", "À partir de la porte d'entrée, sans transport."),
    "alerter": ("Alerter", "Utiliser un téléphone, une alarme ou une sonnette pour appeler à l'aide."),
    "gestion": ("Gestion", "Gérer ses affaires, son budget, ses biens, ses papiers."),
    "cuisine": ("Cuisine", "Préparer ses repas et les conditionner pour être servis."),
    "menage": ("Ménage", "Effectuer l'ensemble des travaux ménagers."),
    "transports": ("Transports", "Prendre ou commander un moyen de transport."),
    "achats": ("Achats", "Acheter volontairement, directement ou par correspondance."),
    "suivi_traitement": ("Suivi du traitement", "Se conformer à l'ordonnance du médecin."),
    "activites_temps_libre": ("Activités de temps libre", "Pratiquer des activités sportives, culturelles, sociales."),
}
# CASF annexe 2-1: the three answers, in words (a letter alone means nothing to the person).
AGGIR_ANSWER_LABELS = {
    "A": "fait seul·e, totalement, habituellement et correctement",
    "B": "fait partiellement, ou pas habituellement, ou pas correctement",
    "C": "ne fait pas",
}
AGGIR_ILLUSTRATIVE = (
    "gestion",
    "cuisine",
    "menage",
    "transports",
    "achats",
    "suivi_traitement",
    "activites_temps_libre",
)


def essential_needs():
    """The ten essential needs of the VISA guide, as the directory's taxonomy holds them."""
    return TaxonomyTerm.objects.filter(taxonomy__slug=Taxonomy.NEEDS).order_by("position", "name")


def grid_version(grid: Grid) -> str:
    """A stable name for a fragility grid's content: questions, answers, points, flags, thresholds,
    and the version of the level rules. Stored with each screening so that a score reads right even
    after the grid or its rules change."""
    text = repr(
        [(q.key, q.isolation, [(o.key, o.points, sorted(o.flags)) for o in q.options]) for q in grid.questions]
        + [grid.isolation_threshold, grid.emergency_threshold, fragility.RULES_VERSION]
    )
    prefix = "visa-defaut" if grid is DEFAULT_GRID else "grille"
    return f"{prefix}-{hashlib.sha256(text.encode()).hexdigest()[:10]}"


def compute_results(kind: str, answers: dict) -> dict:
    """What the rules derive from the answers, as fields of `AssessmentVersion`."""
    if kind == AssessmentKind.AGGIR:
        levels = aggir.variable_levels({k: answers[k] for k in aggir.ALL_SUB_VARIABLES})
        gir = aggir.compute_gir(levels)
        return {"results": {"levels": levels, "gir": gir}, "gir": gir}
    if kind == AssessmentKind.FRAGILITY:
        result = score(DEFAULT_GRID, {k: v for k, v in answers.items() if k != "mode"})
        return {
            "results": {
                "score": result.total_score,
                "max_score": DEFAULT_GRID.max_score,
                "level": result.level,
                "level_label": result.level_label,
                "next_steps": list(result.next_steps),
                "drivers": dict(result.drivers),
                "isolated": result.isolated,
                "priority_needs": dict(result.priority_needs),
                "medical_concern": dict(result.medical_concern),
            },
            "fragility_level": result.level,
            "fragility_score": result.total_score,
            "grid_version": grid_version(DEFAULT_GRID),
        }
    if kind == AssessmentKind.NEEDS:
        counts = {key: 0 for key, _ in NEED_STATUS_CHOICES}
        for value in answers.values():
            counts[value["status"]] += 1
        return {"results": {"counts": counts}}
    return {"results": {}}


def _check_assess(actor: User, organisation: Organisation, person: Person) -> None:
    if not access.can_assess_person(actor, organisation, person):
        raise ApplicationError("Vous n'avez pas le droit d'évaluer la situation de cette personne.")


def _fill(version: AssessmentVersion, *, kind: str, answers: dict, assessed_on, summary: str) -> None:
    version.answers = answers
    version.assessed_on = assessed_on
    version.summary = summary
    for key, value in compute_results(kind, answers).items():
        setattr(version, key, value)
    if kind == AssessmentKind.CARER:
        version.carer_relation_id = answers.get("relation")
    version.updated_at = timezone.now()


@transaction.atomic
def assessment_create(
    *,
    actor: User,
    organisation: Organisation,
    person: Person,
    kind: str,
    answers: dict,
    assessed_on,
    summary: str = "",
) -> AssessmentVersion:
    """Open an assessment of the person with its first (draft) version."""
    _check_assess(actor, organisation, person)
    assessment = Assessment(person=person, organisation=organisation, kind=kind, created_by=actor)
    assessment.full_clean()
    assessment.save()
    version = AssessmentVersion(assessment=assessment, number=1, author=actor)
    _fill(version, kind=kind, answers=answers, assessed_on=assessed_on, summary=summary)
    version.full_clean()
    version.save()
    return version


def _last_draft_change(assessment: Assessment):
    """Who saved or signed the assessment last, and when (its versions say it better than the trail)."""
    latest = assessment.versions.select_related("author", "signed_by").order_by("-number").first()
    if latest is None:
        return "un·e collègue", None
    if latest.signed_at:
        return latest.signed_by.get_full_name() or latest.signed_by.email, latest.signed_at
    return latest.author.get_full_name() or latest.author.email, latest.updated_at


@transaction.atomic
def assessment_update(
    *,
    actor: User,
    organisation: Organisation,
    assessment: Assessment,
    answers: dict,
    assessed_on,
    summary: str = "",
    version: int | None = None,
) -> AssessmentVersion:
    """Change the draft version; when the latest version is signed, open the next version (the
    signed one is kept as it is). `version` is the assessment's edit counter the form was read at:
    a draft saved or signed since is refused (versioning.StaleVersionError)."""
    _check_assess(actor, organisation, assessment.person)
    current = versioning.lock(Assessment, assessment.pk)
    versioning.check(current, version, last_change=_last_draft_change)
    Assessment.objects.filter(pk=assessment.pk).update(version=current.version + 1)
    assessment.version = current.version + 1
    latest = AssessmentVersion.objects.select_for_update().filter(assessment=assessment).order_by("-number").first()
    if latest is not None and not latest.is_signed:
        version = latest
        version.author = actor
    else:
        version = AssessmentVersion(assessment=assessment, number=(latest.number + 1) if latest else 1, author=actor)
    _fill(version, kind=assessment.kind, answers=answers, assessed_on=assessed_on, summary=summary)
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def assessment_sign(*, actor: User, organisation: Organisation, version: AssessmentVersion) -> AssessmentVersion:
    """The author signs their version: from then on it is read-only. A signed AGGIR grid sets the
    person's GIR and its date."""
    assessment = version.assessment
    _check_assess(actor, organisation, assessment.person)
    # The assessment first, then its version: the order assessment_update locks them in.
    locked = versioning.lock(Assessment, assessment.pk)
    Assessment.objects.filter(pk=assessment.pk).update(version=locked.version + 1)
    version = AssessmentVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_signed:
        raise ApplicationError("Cette version est déjà signée : elle ne peut plus être modifiée.")
    if version.author_id != actor.pk:
        raise ApplicationError("Seul·e l'auteur·rice de cette version peut la signer.")
    version.signed_at = timezone.now()
    version.signed_by = actor
    version.full_clean()
    version.save(update_fields=["signed_at", "signed_by"])
    if assessment.kind == AssessmentKind.AGGIR and version.gir:
        people_services.person_update(
            actor=actor,
            organisation=organisation,
            person=assessment.person,
            data={"gir": version.gir, "gir_assessed_on": version.assessed_on},
        )
    return version


# --- Reading a version --------------------------------------------------------------------------


def _choice_label(choices, value) -> str:
    return dict(choices).get(value, value or "—")


def aggir_answer(code) -> str:
    """« A — fait seul·e, totalement, habituellement et correctement »; « — » when unanswered."""
    label = AGGIR_ANSWER_LABELS.get(code)
    return f"{code} — {label}" if label else "—"


def grid_label(version_name: str) -> str:
    """The fragility grid a screening was scored with, in words: the stored name is a fingerprint of
    the grid's content (`grid_version`), never shown as such."""
    if not version_name:
        return "—"
    if version_name == grid_version(DEFAULT_GRID):
        return "Grille du guide VISA (version en vigueur)"
    if version_name.startswith("visa-defaut-"):
        return "Grille du guide VISA (version antérieure)"
    return "Grille propre à la structure"


def version_rows(version: AssessmentVersion) -> list[tuple[str, str]]:
    """The version's answers as (label, readable value) rows, in the grid's order."""
    kind, answers = version.assessment.kind, version.answers
    rows: list[tuple[str, str]] = []
    if kind == AssessmentKind.NEEDS:
        names = dict(essential_needs().values_list("code", "name"))
        for code, value in answers.items():
            text = _choice_label(NEED_STATUS_CHOICES, value.get("status"))
            if value.get("note"):
                text += f" — {value['note']}"
            rows.append((names.get(code, code), text))
    elif kind == AssessmentKind.AGGIR:
        for key in (*aggir.ALL_SUB_VARIABLES, *AGGIR_ILLUSTRATIVE):
            rows.append((AGGIR_LABELS[key][0], aggir_answer(answers.get(key))))
    elif kind == AssessmentKind.FRAGILITY:
        rows.append(("Repérage fait", _choice_label(SCREENING_MODES, answers.get("mode"))))
        for question in DEFAULT_GRID.questions:
            option = question.option(answers.get(question.key, ""))
            rows.append((question.label, option.label if option else answers.get(question.key, "—")))
    elif kind == AssessmentKind.CARER:
        relation = version.carer_relation
        rows.append(("Aidant·e concerné·e", str(relation) if relation else "—"))
        rows.append(("Charge ressentie", _choice_label(BURDEN_CHOICES, answers.get("burden"))))
        signs = [_choice_label(EXHAUSTION_SIGNS, s) for s in answers.get("exhaustion_signs", [])]
        rows.append(("Signes d'épuisement", ", ".join(signs) or "Aucun"))
        wishes = [_choice_label(RESPITE_WISHES, s) for s in answers.get("respite_wishes", [])]
        rows.append(("Souhaits de répit", ", ".join(wishes) or "Aucun"))
        rows.append(("Ce que dit l'aidant·e", answers.get("note") or "—"))
    return rows


def _heard(answers: dict) -> str:
    """What was heard on the phone, in the grid's words (« Question ? — Réponse », joined), or « Aucun »."""
    parts = []
    for question in DEFAULT_GRID.questions:
        if question.key in answers:
            option = question.option(answers[question.key])
            parts.append(f"{question.label} — {option.label if option else answers[question.key]}")
    return " ; ".join(parts) or "Aucun"


def result_rows(version: AssessmentVersion) -> list[tuple[str, str]]:
    kind = version.assessment.kind
    if kind == AssessmentKind.AGGIR:
        levels = version.results.get("levels", {})
        return [("GIR", str(version.gir))] + [
            (VARIABLE_LABELS[v], aggir_answer(levels.get(v))) for v in aggir.VARIABLES
        ]
    if kind == AssessmentKind.FRAGILITY:
        results = version.results
        rows = [
            ("Niveau", f"{version.fragility_level} — {results.get('level_label', '')}"),
            ("Score", f"{version.fragility_score} / {results.get('max_score', '')}"),
        ]
        # Screenings scored before the isolation rule (decision « Les niveaux de la grille de
        # fragilité suivent le guide VISA ») do not carry what follows: their rows are left out.
        if "isolated" in results:
            rows.append(("Personne isolée", "Oui" if results["isolated"] else "Non"))
            rows.append(("Besoins prioritaires repérés", _heard(results.get("priority_needs", {}))))
            rows.append(("Potentielle problématique médicale", _heard(results.get("medical_concern", {}))))
        rows.append(("Grille utilisée", grid_label(version.grid_version)))
        return rows
    if kind == AssessmentKind.NEEDS:
        counts = version.results.get("counts", {})
        return [(label, str(counts.get(key, 0))) for key, label in NEED_STATUS_CHOICES]
    return []


def versions_compare(first: AssessmentVersion, second: AssessmentVersion) -> list[dict]:
    """Two versions of one assessment side by side: each row says whether the answer changed."""
    if first.assessment_id != second.assessment_id:
        raise ApplicationError("On ne compare que deux versions d'une même évaluation.")
    left_rows = result_rows(first) + version_rows(first)
    right_rows = result_rows(second) + version_rows(second)
    left, right = dict(left_rows), dict(right_rows)
    # A row one version has and the other lacks (a screening scored before the isolation rule has no
    # « Personne isolée ») is shown too, « — » on the side that lacks it.
    labels = [label for label, _ in left_rows] + [label for label, _ in right_rows if label not in left]
    rows = [{"label": label, "first": left.get(label, "—"), "second": right.get(label, "—")} for label in labels]
    for row in rows:
        row["changed"] = row["first"] != row["second"]
    return rows
