"""The campaign's interview guide, edited by the register manager section by section (guide VISA,
« Établir un guide d'entretien »)."""

from django.db import transaction

from maillage.core.exceptions import ApplicationError
from maillage.core.models import User
from maillage.register.enums import CampaignStatus
from maillage.register.models import CallCampaign
from maillage.register.models.campaigns import SCRIPT_SECTIONS
from maillage.register.services.campaigns import _check


@transaction.atomic
def campaign_set_script(*, actor: User, campaign: CallCampaign, script: dict) -> CallCampaign:
    """Replace the guide's sections (those named in `script`); a closed campaign's guide is kept as
    it was read during the calls."""
    _check(actor, campaign.organisation)
    campaign = CallCampaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == CampaignStatus.CLOSED:
        raise ApplicationError("Cette campagne est terminée : son guide d'entretien ne change plus.")
    for name, _ in SCRIPT_SECTIONS:
        if name in script:
            setattr(campaign, name, (script[name] or "").strip())
    campaign.full_clean()
    campaign.save()
    return campaign
