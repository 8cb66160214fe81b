from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Log in with an e-mail address, case-insensitively.

    Demo accounts (made by `seed_demo`) are refused wherever settings do not allow them, so a
    production instance fed a development database cannot be entered with a published password.
    """

    def user_can_authenticate(self, user):
        if getattr(user, "is_demo", False) and not settings.MAILLAGE_DEMO_ACCOUNTS_ALLOWED:
            return False
        return super().user_can_authenticate(user)
