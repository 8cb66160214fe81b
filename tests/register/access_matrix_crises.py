"""The crises' rows of the access matrix (tests/core/test_access_matrix.py): the register manager
does everything; the director reads the list, the crisis page and its dashboard; nobody else, and
never another organisation's crisis or alert."""

from maillage.core.enums import Role
from tests.register.crisis_factories import CallFactory, CampaignFactory, CrisisFactory, EscalationFactory

MANAGER = frozenset({Role.REGISTER_MANAGER})
READERS = frozenset({Role.REGISTER_MANAGER, Role.DIRECTOR})


def _crisis(attr):
    return lambda world: {"pk": CrisisFactory(organisation=getattr(world, attr)).pk}


def _escalation(attr):
    def make(world):
        campaign = CampaignFactory(crisis=CrisisFactory(organisation=getattr(world, attr)))
        return {"pk": EscalationFactory(call=CallFactory(campaign=campaign)).pk}

    return make


def crises_cases(Case):  # noqa: N803 — the matrix's Case class, passed in to avoid an import cycle
    return [
        Case("crises:list", allowed=READERS),
        Case("crises:activate", allowed=MANAGER),
        Case("crises:detail", kwargs=_crisis("own"), other_kwargs=_crisis("other"), allowed=READERS),
        Case("crises:dashboard", kwargs=_crisis("own"), other_kwargs=_crisis("other"), allowed=READERS),
        Case("crises:end", kwargs=_crisis("own"), other_kwargs=_crisis("other"), allowed=MANAGER),
        Case(
            "crises:transmission",
            kwargs=_crisis("own"),
            other_kwargs=_crisis("other"),
            allowed=MANAGER,
            method="post",
            data={"file_format": "csv"},
        ),
        Case(
            "crises:escalation_handle",
            kwargs=_escalation("own"),
            other_kwargs=_escalation("other"),
            allowed=MANAGER,
        ),
    ]
