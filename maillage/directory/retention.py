"""Retention of the directory's technical data (core.retention)."""

import datetime

from maillage.core.retention import RetentionRule, register

CHANGES_KEPT = datetime.timedelta(days=7)


def _old_index_changes(now):
    """Change-log rows older than a week, the newest one always kept: the log only has to tell the
    search index's version (models.SearchIndexChange), which the remaining rows still do."""
    from maillage.directory.models import SearchIndexChange

    newest = SearchIndexChange.objects.order_by("-pk").values("pk")[:1]
    return SearchIndexChange.objects.filter(created_at__lt=now - CHANGES_KEPT).exclude(pk__in=newest)


register(
    RetentionRule(
        key="directory.search_index.changes",
        model="directory.SearchIndexChange",
        description=(
            "Journal technique des changements de l'annuaire (version de l'index de recherche, sans donnée "
            "personnelle) : une semaine, la ligne la plus récente toujours gardée."
        ),
        expired=_old_index_changes,
    )
)
