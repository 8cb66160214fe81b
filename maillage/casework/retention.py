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
