"""Idempotent form submissions (core.idempotency): the same form sent twice creates one person."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from maillage.core.enums import Role
from maillage.core.idempotency import ALREADY_SENT, FIELD
from maillage.people.models import Person

pytestmark = pytest.mark.django_db

# POST forms without the token on purpose: sign-in, second factor and passwords (nothing is
# created twice; their pages belong to the accounts work), and the public selection's toggles.
# Sign-in pages, the public selection's toggles, and the shell's own forms (log out, change of
# organisation, high contrast): sent twice, they do the same thing once more, harmlessly.
EXEMPT = (
    "core/auth/",
    "directory/includes/_selection_summary.html",
    "ui/dsfr/header.html",
    "ui/dsfr/_header_tools.html",
    "ui/neutral/header.html",
    "ui/includes/_contrast_form.html",
)


def _token(page: str) -> str:
    return re.search(rf'name="{FIELD}" value="([^"]+)"', page).group(1)


def _person_payload(token):
    return {
        FIELD: token,
        "last_name": "Double",
        "first_names": "Clic",
        "sex": "F",
        "birth_date": "1941-03-12",
        "lives_alone": "unknown",
        "housing": "unknown",
        "not_a_duplicate": "on",
    }


def test_every_post_form_of_the_project_carries_the_token():
    missing = []
    for path in Path(settings.BASE_DIR, "maillage").glob("*/templates/**/*.html"):
        text = path.read_text()
        if 'method="post"' not in text or any(part in str(path) for part in EXEMPT):
            continue
        if text.count('method="post"') != text.count("{% form_token %}"):
            missing.append(str(path))
    assert not missing


def test_double_submitted_person_form_creates_one_person(member_client):
    client, membership = member_client(role=Role.RECEPTION_AGENT)
    token = _token(client.get(reverse("people:create")).content.decode())
    first = client.post(reverse("people:create"), _person_payload(token))
    second = client.post(reverse("people:create"), _person_payload(token), follow=True)
    assert first.status_code == 302
    assert Person.objects.filter(last_name="Double").count() == 1
    assert second.redirect_chain[0][0] == first["Location"]
    assert ALREADY_SENT in second.content.decode().replace("&#x27;", "'")


def test_a_form_with_errors_can_be_sent_again_with_the_same_token(member_client):
    client, membership = member_client(role=Role.RECEPTION_AGENT)
    token = _token(client.get(reverse("people:create")).content.decode())
    invalid = {**_person_payload(token), "first_names": ""}
    assert client.post(reverse("people:create"), invalid).status_code == 200
    assert client.post(reverse("people:create"), _person_payload(token)).status_code == 302
    assert Person.objects.filter(last_name="Double").count() == 1


def test_a_new_rendering_gives_a_new_token_so_a_second_person_is_possible(member_client):
    client, membership = member_client(role=Role.RECEPTION_AGENT)
    for _ in range(2):
        token = _token(client.get(reverse("people:create")).content.decode())
        assert client.post(reverse("people:create"), _person_payload(token)).status_code == 302
    assert Person.objects.filter(last_name="Double").count() == 2
