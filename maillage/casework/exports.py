"""What casework holds on a person, for the right of access (people.exports.EXPORT_SOURCES): each
source reads through the exporter's grant (core.access.grants), like every other reading of the file."""

from django.utils import timezone

from maillage.people.exports import EXPORT_SOURCES


def _care_team(grant):
    return "Équipe autour de la personne", [
        {
            "Professionnel·le": str(member),
            "Structure": str(member.organisation or ""),
            "Depuis le": member.added_at,
            "Retiré·e le": member.removed_at,
        }
        for member in grant.care_team().select_related("user", "organisation")
    ]


def _requests(grant):
    return "Demandes", [
        {
            "Reçue le": r.received_at,
            "Structure": str(r.organisation),
            "Canal": r.get_channel_display(),
            "Niveau de réponse": r.get_level_display(),
            "Objets": ", ".join(t.name for t in r.subjects.all()),
            "Services remis": ", ".join(s.name for s in r.services_given.all()),
            "Suite donnée": r.get_outcome_display(),
            "Remarques": r.notes,
        }
        for r in grant.requests().select_related("organisation").prefetch_related("subjects", "services_given")
    ]


def _contacts(grant):
    return "Contacts", [
        {"Date": c.occurred_at, "Type": c.get_kind_display(), "Structure": str(c.organisation), "Résumé": c.summary}
        for c in grant.contacts().select_related("organisation")
    ]


def _assessments(grant):
    """Each version of each assessment, its result and its answers in words (never the stored codes)."""
    from maillage.casework.services.assessments import result_rows, version_rows

    rows = []
    assessments = grant.assessments().select_related("organisation").prefetch_related("versions__signed_by")
    for assessment in assessments:
        for version in assessment.versions.all():
            rows.append(
                {
                    "Évaluation": assessment.get_kind_display(),
                    "Version": version.number,
                    "Date": version.assessed_on,
                    "Structure": str(assessment.organisation),
                    "Signée le": version.signed_at,
                    "Synthèse": version.summary,
                    "Résultat": dict(result_rows(version)),
                    "Réponses": dict(version_rows(version)),
                }
            )
    return "Évaluations", rows


def _plans(grant):
    rows = []
    for plan in grant.plans().select_related("organisation").prefetch_related("actions"):
        rows.append(
            {
                "Plan": plan.title,
                "Type": plan.get_kind_display(),
                "Structure": str(plan.organisation),
                "Début": plan.starts_on,
                "Accord de la personne le": plan.agreed_on,
                "Actions": "; ".join(f"{a.what} ({a.get_status_display()})" for a in plan.actions.all()),
            }
        )
    return "Plans d'aide et projets de vie", rows


def _notes(grant):
    from maillage.casework.models import Note

    readable = grant.notes()
    rows = [
        {
            "Écrite le": n.created_at,
            "Structure": str(n.organisation),
            "Visibilité": n.get_visibility_display(),
            "Note": n.body,
            "Modifiée le": n.updated_at,
            "Versions précédentes": " | ".join(
                f"{timezone.localtime(v.written_at):%d/%m/%Y %H:%M} : {v.body}" for v in n.versions.all()
            ),
        }
        for n in readable.select_related("organisation").prefetch_related("versions")
    ]
    # Notes its author kept to themself are not read by the exporter (a grant never opens them):
    # the export says how many, so that the DPO asks their authors to answer for them.
    withheld = Note.objects.filter(person=grant.person).exclude(pk__in=readable.values("pk")).count()
    if withheld:
        rows.append(
            {
                "Note": f"{withheld} note{'s' if withheld > 1 else ''} réservée{'s' if withheld > 1 else ''} à "
                "leur auteur·rice ne figure{nt} pas ici : le délégué à la protection des données les demande "
                "à leurs auteur·rices.".replace("{nt}", "nt" if withheld > 1 else "")
            }
        )
    return "Notes de suivi", rows


def _documents(grant):
    return "Documents", [
        {
            "Intitulé": d.title,
            "Type": d.get_kind_display(),
            "Déposé le": d.uploaded_at,
            "Conservé jusqu'au": d.retain_until,
        }
        for d in grant.documents()
    ]


def _break_glass(grant):
    return "Accès exceptionnels", [
        {"Le": g.granted_at, "Par": str(g.user), "Structure": str(g.organisation), "Motif": g.reason}
        for g in grant.person.break_glass_accesses.select_related("user", "organisation")
    ]


EXPORT_SOURCES.extend([_care_team, _requests, _contacts, _assessments, _plans, _notes, _documents, _break_glass])
