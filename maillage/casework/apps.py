from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "maillage.casework"
    label = "casework"
    verbose_name = "Accompagnement"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete

        from maillage.casework import audit, exports, retention  # noqa: F401  (audit, right of access, retention)
        from maillage.casework.models import Document
        from maillage.casework.selectors import followup, timeline

        # The person's timeline reads every registered source: registered here, at start-up, so
        # that it never depends on which module (views, URLs) happened to be imported first.
        timeline.register_timeline_sources()
        followup.register_timeline_sources()

        # The dashboard's panels (core.dashboard), registered the same way.
        from maillage.casework.dashboard import register_dashboard_panels

        register_dashboard_panels()

        # A document's file goes with its row, however the row goes (retention, person deleted by
        # retention or merge cascade): no orphan personal file on disk.
        post_delete.connect(_delete_stored_file, sender=Document, dispatch_uid="casework_document_file")


def _delete_stored_file(sender, instance, **kwargs):
    if instance.file:
        instance.file.delete(save=False)
