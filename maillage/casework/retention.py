"""Retention rules of casework data (core.retention)."""

import datetime

from maillage.core.retention import RetentionRule, register


def _old_break_glass(now):
    from maillage.casework.models import BreakGlassAccess

    return BreakGlassAccess.objects.filter(expires_at__lt=now - datetime.timedelta(days=365))


register(
    RetentionRule(
        key="casework.break_glass.expired",
        model="casework.BreakGlassAccess",
        description=(
            "Accès exceptionnel échu depuis un an : la trace reste dans le journal d'audit, "
            "qui suit sa propre durée de conservation."
        ),
        expired=_old_break_glass,
    )
)


def _documents_past_retention(now):
    from maillage.casework.models import Document

    return Document.objects.filter(retain_until__lt=now.date())


register(
    RetentionRule(
        key="casework.document.retain_until",
        model="casework.Document",
        description="Document dont la date de conservation (fixée au dépôt, 5 ans par défaut) est passée.",
        expired=_documents_past_retention,
    )
)


def _requests_with_old_free_text(now):
    from django.db.models import Q

    from maillage.casework.models import Request

    old = Request.objects.filter(received_at__lt=now - datetime.timedelta(days=2 * 365))
    return old.exclude(Q(requester_name="") & Q(requester_organisation="") & Q(notes="") & Q(documents_given=""))


def _blank_free_text(request_row):
    request_row.requester_name = ""
    request_row.requester_organisation = ""
    request_row.notes = ""
    request_row.documents_given = ""


register(
    RetentionRule(
        key="casework.request.free_text",
        model="casework.Request",
        description=(
            "Demande reçue il y a plus de 2 ans : le nom du demandeur et les textes libres sont effacés ; "
            "la demande reste comptée (canal, objet, niveau, suite) pour le rapport d'activité et l'analyse "
            "des besoins sociaux."
        ),
        expired=_requests_with_old_free_text,
        action="anonymise",
        anonymise=_blank_free_text,
    )
)
