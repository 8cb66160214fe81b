"""Register models, one module per part (house style): entries, crises, campaigns and calls."""

from maillage.register.models.campaigns import Call, CallAttempt, CallCampaign, Escalation, Sponsorship
from maillage.register.models.crises import Crisis, PrefectTransmission
from maillage.register.models.entries import RegisterEntry

__all__ = [
    "Call",
    "CallAttempt",
    "CallCampaign",
    "Crisis",
    "Escalation",
    "PrefectTransmission",
    "RegisterEntry",
    "Sponsorship",
]
