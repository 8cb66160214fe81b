"""The volunteers app's rows of the access matrix (tests/core/test_access_matrix.py).

The matrix logs in a fresh member of each role, with no caller profile: the caller roles open their
own pages (and an agent is told that the register manager puts them on the list first); a slot is only
ever its owner's, so a colleague's and another organisation's are absent for everyone."""

from maillage.core.enums import Role
from maillage.volunteers import charter
from tests.volunteers.factories import AvailabilitySlotFactory, CallerProfileFactory

CALLERS = frozenset({Role.VOLUNTEER, Role.REGISTER_MANAGER, Role.RECEPTION_AGENT, Role.COORDINATOR})
MANAGERS = frozenset({Role.REGISTER_MANAGER})


def _colleague_slot(w):
    return {"pk": AvailabilitySlotFactory(profile__user=w.own_colleague.user, profile__organisation=w.own).pk}


def _other_slot(w):
    return {"pk": AvailabilitySlotFactory(profile__user=w.other_member.user, profile__organisation=w.other).pk}


def _colleague_profile(w):
    return {"pk": CallerProfileFactory(user=w.own_colleague.user, organisation=w.own).pk}


def _other_profile(w):
    return {"pk": CallerProfileFactory(user=w.other_member.user, organisation=w.other).pk}


def volunteers_cases(Case):  # noqa: N803 — the matrix's Case class, passed in to avoid an import cycle
    return [
        Case("volunteers:charter", allowed=CALLERS),
        # A volunteer signs (302, profile created); an agent not on the list is told so (200).
        Case(
            "volunteers:charter",
            allowed=CALLERS,
            method="post",
            allowed_status=(200, 302),
            data={"accepted": "on", "version": charter.VERSION},
        ),
        Case("volunteers:availability", allowed=CALLERS),
        Case(
            "volunteers:availability",
            allowed=CALLERS,
            method="post",
            allowed_status=(200, 302),
            data={"weekday": "1", "start": "09:00", "end": "12:00"},
        ),
        Case(
            "volunteers:languages", allowed=CALLERS, method="post", allowed_status=(200, 302), data={"languages": "en"}
        ),
        Case(
            "volunteers:slot_delete",
            kwargs=_colleague_slot,
            other_kwargs=_other_slot,
            allowed=frozenset(),
            method="post",
        ),
        Case("volunteers:caller_list", allowed=MANAGERS),
        Case("volunteers:caller_list", allowed=MANAGERS, method="post"),  # nobody chosen: the form again
        Case(
            "volunteers:caller_deactivate",
            kwargs=_colleague_profile,
            other_kwargs=_other_profile,
            allowed=MANAGERS,
            method="post",
            allowed_status=(302,),
        ),
    ]
