from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "maillage.register"
    label = "register"
    verbose_name = "Registre et campagnes d'appels"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from maillage.register import audit, retention  # noqa: F401  (audit of personal data, retention rules)
        from maillage.register.dashboard_entries import register_dashboard_panels as register_entries_panels
        from maillage.register.dashboard_sponsorships import register_dashboard_panels
        from maillage.register.panels_crises import register_crisis_panels

        register_crisis_panels()
        register_entries_panels()
        from maillage.register.dashboard import register_dashboard_panels as register_caller_panel

        register_caller_panel()
        register_dashboard_panels()
