from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "maillage.directory"
    label = "directory"
    verbose_name = "Annuaire des services"

    def ready(self):
        # Puts the models holding contact data under audit (core.audit.register).
        from maillage.directory import audit  # noqa: F401
