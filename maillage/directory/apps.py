from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "maillage.directory"
    label = "directory"
    verbose_name = "Annuaire des services"

    def ready(self):
        # Puts the models holding contact data under audit (core.audit.register).
        from maillage.core.signals import territories_loaded
        from maillage.directory import audit, retention  # noqa: F401  (audit, retention rules)

        territories_loaded.connect(_rebuild_reach, dispatch_uid="directory-reach-after-territories")


def _rebuild_reach(sender, **kwargs):
    """A new edition of the territories may move communes between EPCI: rebuild every reach row."""
    from maillage.directory import services

    services.service_reach_refresh()
