"""The campaign pages' and the caller's screen's rows of the access matrix (tests/core/test_access_matrix.py).

Campaigns are the register manager's only. The caller's pages open to those who may take calls; a
call, a campaign's next call and its « recorded » page answer 404 to a member who is not its caller
(the matrix's members never are: tests/register/test_caller_views.py covers the caller)."""

from maillage.core.enums import Role

MANAGER = frozenset({Role.REGISTER_MANAGER})
CALLERS = frozenset({Role.VOLUNTEER, Role.REGISTER_MANAGER, Role.RECEPTION_AGENT, Role.COORDINATOR})


def _campaign(organisation_attr, *, opened=False, with_caller=False):
    def make(world):
        from maillage.register.services import campaigns
        from tests.register.campaign_factories import manager_of, registered_person, volunteer_of

        organisation = getattr(world, organisation_attr)
        manager = manager_of(organisation).user
        registered_person(manager)
        callers = [volunteer_of(organisation).user] if with_caller else []
        campaign = campaigns.campaign_create(
            actor=manager, organisation=organisation, title="Campagne de la matrice", callers=callers
        )
        if opened:
            campaigns.campaign_open(actor=manager, campaign=campaign)
        return {"pk": campaign.pk, "_callers": callers}

    return make


def _pk(maker):
    def make(world):
        return {"pk": maker(world)["pk"]}

    return make


def _sheets(organisation_attr):
    def make(world):
        return {"pk": _campaign(organisation_attr, opened=True)(world)["pk"], "who": "sans-appelant"}

    return make


def _reentry(organisation_attr):
    def make(world):
        built = _campaign(organisation_attr, opened=True, with_caller=True)(world)
        return {"pk": built["pk"], "caller_pk": built["_callers"][0].pk}

    return make


def _call(organisation_attr):
    def make(world):
        from maillage.register.models import CallCampaign

        pk = _campaign(organisation_attr, opened=True, with_caller=True)(world)["pk"]
        return {"pk": CallCampaign.objects.get(pk=pk).calls.get().pk}

    return make


def _campaign_pk(organisation_attr):
    def make(world):
        return {"campaign_pk": _campaign(organisation_attr, opened=True, with_caller=True)(world)["pk"]}

    return make


def campaign_cases(Case):  # noqa: N803 — the matrix's Case class, passed in to avoid an import cycle
    draft_own, draft_other = _pk(_campaign("own")), _pk(_campaign("other"))
    open_own, open_other = _pk(_campaign("own", opened=True)), _pk(_campaign("other", opened=True))
    cases = [
        Case("campaigns:list", allowed=MANAGER),
        Case("campaigns:create", allowed=MANAGER),
        Case("campaigns:count", allowed=MANAGER),
        Case("campaigns:open", kwargs=draft_own, other_kwargs=draft_other, allowed=MANAGER),
        Case(
            "campaigns:dispatch",
            kwargs=open_own,
            other_kwargs=open_other,
            allowed=MANAGER,
            method="post",
            allowed_status=(302,),
        ),
        Case("campaigns:sheets", kwargs=open_own, other_kwargs=open_other, allowed=MANAGER),
        Case(
            "campaigns:sheets_pdf",
            kwargs=_sheets("own"),
            other_kwargs=_sheets("other"),
            allowed=MANAGER,
            data={"format": "html"},  # the PDF's HTML, so that the matrix can read it for leaks
        ),
        Case("campaigns:reentry", kwargs=_reentry("own"), other_kwargs=_reentry("other"), allowed=MANAGER),
        # Every caller role reaches « Mes appels » (a member without a signed charter reads how to sign it).
        Case("calls:mine", allowed=CALLERS),
        Case("calls:detail", kwargs=_call("own"), other_kwargs=_call("other"), allowed=frozenset()),
        Case(
            "calls:next",
            kwargs=_campaign_pk("own"),
            other_kwargs=_campaign_pk("other"),
            allowed=frozenset(),
            method="post",
        ),
        Case("calls:done", kwargs=_campaign_pk("own"), other_kwargs=_campaign_pk("other"), allowed=frozenset()),
    ]
    for name in ("detail", "script", "callers", "close"):
        cases.append(Case(f"campaigns:{name}", kwargs=draft_own, other_kwargs=draft_other, allowed=MANAGER))
    return cases
