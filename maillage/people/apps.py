from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "maillage.people"
    label = "people"
    verbose_name = "Personnes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from maillage.core.audit import register
        from maillage.people import retention  # noqa: F401  (declares the retention rules)
        from maillage.people.models import Consent, Person, PersonAddress, PersonEmail, PersonPhone, Relation

        register(Person, exclude_fields=["search_names", "updated_at", "last_activity_at"])
        for model in (PersonAddress, PersonPhone, PersonEmail, Relation, Consent):
            register(model, exclude_fields=["digits"] if model is PersonPhone else ())
