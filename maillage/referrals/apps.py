from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "maillage.referrals"
    label = "referrals"
    verbose_name = "Orientations vers un partenaire"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from maillage.referrals import audit, retention  # noqa: F401  (audit of personal data, retention rule)
        from maillage.referrals.dashboard import register_dashboard_panels
        from maillage.referrals.timeline import register_timeline_sources

        register_timeline_sources()
        register_dashboard_panels()
