"""The dashboard walked by every path of the grant matrix (tests/core/test_grant_matrix.py): the
person's name shows on the dashboard exactly where the file is shared with the user through a care
team of another organisation — never by an ended place, a withdrawn or missing consent, an ended
membership, a volunteer's or a partner's place, another current organisation, a break-glass, nor a
password without its second factor."""

import pytest
from django.urls import reverse

from tests.core.test_grant_matrix import NAME, SCENARIOS, file  # noqa: F401  (the fixture)

SHOWN_ON_DASHBOARD = {"team-coordinator", "team-director"}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_dashboard_shows_the_file_exactly_where_the_care_team_shares_it(client, file, scenario):  # noqa: F811
    login, _, _ = SCENARIOS[scenario]
    login(client, file)
    response = client.get(reverse("core:dashboard"))
    if scenario == "password-without-second-factor":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    body = response.content.decode()
    assert (NAME.upper() in body) == (scenario in SHOWN_ON_DASHBOARD), scenario
    if scenario in SHOWN_ON_DASHBOARD:
        assert reverse("people:detail", args=[file.person.pk]) in body
        # What the dashboard links to opens.
        assert client.get(reverse("people:detail", args=[file.person.pk])).status_code == 200
