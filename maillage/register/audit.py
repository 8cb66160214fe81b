"""Register models holding personal data, under audit (who changed which fields, never the values)."""

from maillage.core.audit import register
from maillage.register.models import (
    Call,
    CallAttempt,
    CallCampaign,
    Crisis,
    Escalation,
    PrefectTransmission,
    RegisterEntry,
    Sponsorship,
)

register(RegisterEntry, exclude_fields=["updated_at"])
register(Call)
register(CallAttempt)
register(Escalation)
register(Sponsorship)
register(CallCampaign, personal=False)
register(Crisis, personal=False)
register(PrefectTransmission, personal=False)
