"""The sponsorship pages' rows of the access matrix (tests/core/test_access_matrix.py)."""

from maillage.core.enums import Role
from tests.register.follow_factories import SponsorshipFactory

MANAGER = frozenset({Role.REGISTER_MANAGER})


def _sponsorship(attr):
    return lambda world: {"pk": SponsorshipFactory(entry__organisation=getattr(world, attr)).pk}


def sponsorship_cases(Case):  # noqa: N803 — the matrix's Case class, passed in to avoid an import cycle
    return [
        Case("sponsorships:list", allowed=MANAGER),
        Case("sponsorships:create", allowed=MANAGER),
        Case("sponsorships:create", allowed=MANAGER, method="post", allowed_status=(400,)),
        Case(
            "sponsorships:frequency", kwargs=_sponsorship("own"), other_kwargs=_sponsorship("other"), allowed=MANAGER
        ),
        Case(
            "sponsorships:frequency",
            kwargs=_sponsorship("own"),
            other_kwargs=_sponsorship("other"),
            allowed=MANAGER,
            method="post",
            allowed_status=(400,),
        ),
        Case(
            "sponsorships:cancel_spacing",
            kwargs=_sponsorship("own"),
            other_kwargs=_sponsorship("other"),
            allowed=MANAGER,
            method="post",
            allowed_status=(302,),
        ),
        Case("sponsorships:end", kwargs=_sponsorship("own"), other_kwargs=_sponsorship("other"), allowed=MANAGER),
        Case(
            "sponsorships:end",
            kwargs=_sponsorship("own"),
            other_kwargs=_sponsorship("other"),
            allowed=MANAGER,
            method="post",
            allowed_status=(302,),
        ),
        Case("sponsorships:mine", allowed=frozenset({Role.VOLUNTEER})),
    ]
