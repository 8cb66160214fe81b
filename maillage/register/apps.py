from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "maillage.register"
    label = "register"
    verbose_name = "Registre et campagnes d'appels"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from maillage.register import audit  # noqa: F401  (audit of personal data)
        from maillage.register.dashboard import register_dashboard_panels

        register_dashboard_panels()
