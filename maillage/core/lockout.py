"""Login lockout (django-axes): failures are counted per normalised e-mail and per client address,
each against its own limit (decisions.md, item 22).

- Per e-mail (`AXES_FAILURE_LIMIT`, 5 in 30 minutes): guessing one account's password, from any
  number of addresses, in any mix of capitals and spaces.
- Per address (`MAILLAGE_LOGIN_FAILURE_LIMIT_PER_ADDRESS`, 20 in 30 minutes): trying a few
  passwords on many accounts from one machine. Higher, because a whole team may share one
  address (a town hall's router) and each colleague may mistype.

Choosing a new password through the e-mailed link clears the account's count
(`views.auth.PasswordResetConfirmView`), as the lockout page says; never the address's.
"""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings


def normalise_email(value) -> str | None:
    """How the lockout names an account: the e-mail stripped and in lower case."""
    if value is None:
        return None
    return str(value).strip().lower() or None


def lockout_username(request, credentials) -> str | None:
    """`AXES_USERNAME_CALLABLE`: the normalised e-mail of the credentials, else of the form."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        return normalise_email(credentials.get(field))
    data = getattr(request, "data", None) or getattr(request, "POST", {})
    return normalise_email(data.get(field))


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler with one limit per lockout parameter.

    django-axes compares the largest count of its parameters with one limit; here the e-mail's
    count is compared with `AXES_FAILURE_LIMIT` and the address's with its own, higher limit. Needs
    `AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]`, in that order.
    """

    def get_failures(self, request, credentials=None) -> int:
        per_email, per_address = (
            sum(attempts.values_list("failures_since_start", flat=True))
            for attempts in self.get_user_attempts(request, credentials)
        )
        # The login page says which is blocked: a password reset unlocks the account, not the address.
        request.maillage_account_locked = per_email >= settings.AXES_FAILURE_LIMIT
        request.maillage_address_locked = per_address >= settings.MAILLAGE_LOGIN_FAILURE_LIMIT_PER_ADDRESS
        if request.maillage_address_locked:
            return max(per_email, settings.AXES_FAILURE_LIMIT)
        return per_email

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful login clears its account's count only, never its address's: whoever holds
        one account must not clear, by logging into it, the failures spent on others."""
        email_attempts = self.get_user_attempts(request, credentials)[0]
        count, _ = email_attempts.delete()
        return count
