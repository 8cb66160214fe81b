"""The deploying organisation's identity: its logo (validated), the technical administration's form,
the theme stylesheet and logo addresses, the demo's identity."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from maillage.ui.admin import SiteIdentityAdminForm
from maillage.ui.demo import seed_identity_demo
from maillage.ui.logos import logo_content_type
from maillage.ui.models import SiteIdentity

pytestmark = pytest.mark.django_db

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'


def png(size=(20, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "#1d4f8c").save(out, "PNG")
    return out.getvalue()


def test_png_and_plain_svg_logos_are_accepted():
    assert logo_content_type(png()) == "image/png"
    assert logo_content_type(SVG) == "image/svg+xml"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "scripts"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "scripts"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><image href="https://ailleurs.fr/x.png"/></svg>', "liens externes"),
        (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg/>', "entités"),
        (b"GIF89a not really", "pas une image lisible"),
        (b"%PDF-1.7", "pas une image lisible"),
    ],
)
def test_unsafe_or_unknown_logos_are_refused(data, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match=message):
        logo_content_type(data)


def test_a_logo_over_200_kb_is_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="200 Ko au plus"):
        logo_content_type(SVG + b" " * 210_000)


def test_admin_form_uploads_the_logo_and_refuses_a_pale_colour():
    form = SiteIdentityAdminForm(
        data={"name": "CCAS de Beaune", "primary_colour": "#ffdd00"},
        files={"logo_file": SimpleUploadedFile("logo.png", png(), content_type="image/png")},
    )
    assert not form.is_valid()
    assert "pas assez contrastée" in form.errors["primary_colour"][0]
    form = SiteIdentityAdminForm(
        data={"name": "CCAS de Beaune", "primary_colour": "#7a2e0e"},
        files={"logo_file": SimpleUploadedFile("logo.png", png(), content_type="image/png")},
    )
    assert form.is_valid(), form.errors
    identity = form.save()
    assert identity.pk == SiteIdentity.SINGLETON_PK
    assert (identity.logo_content_type, bytes(identity.logo)) == ("image/png", png())
    form = SiteIdentityAdminForm(
        data={"name": "CCAS de Beaune", "primary_colour": "#7a2e0e", "remove_logo": "on"}, instance=identity
    )
    assert form.is_valid()
    assert not form.save().has_logo


def test_admin_form_refuses_a_file_that_is_no_image():
    form = SiteIdentityAdminForm(
        data={"name": "CCAS", "primary_colour": "#1d4f8c"},
        files={"logo_file": SimpleUploadedFile("logo.png", b"<html>", content_type="image/png")},
    )
    assert not form.is_valid()
    assert "pas une image lisible" in form.errors["logo_file"][0]


def test_theme_css_carries_the_colour_and_is_cacheable(client):
    SiteIdentity(name="CCAS de Beaune", primary_colour="#7a2e0e").save()
    identity = SiteIdentity.load()
    response = client.get(reverse("ui:theme_css"), {"v": identity.version})
    assert response["Content-Type"].startswith("text/css")
    body = response.content.decode()
    assert "--ui-primary:#7a2e0e" in body and "--govuk-brand-colour:#7a2e0e" in body
    assert "immutable" in response["Cache-Control"]
    assert "max-age=300" in client.get(reverse("ui:theme_css"))["Cache-Control"]


def test_logo_is_served_with_its_type_and_a_closed_policy(client):
    assert client.get(reverse("ui:logo")).status_code == 404
    SiteIdentity(name="CCAS", logo=SVG, logo_content_type="image/svg+xml").save()
    response = client.get(reverse("ui:logo"))
    assert response.content == SVG
    assert response["Content-Type"] == "image/svg+xml"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "sandbox" in response["Content-Security-Policy"]


def test_demo_identity_is_the_demo_ccas_with_a_placeholder_logo_and_is_kept_on_a_second_run():
    identity = seed_identity_demo()
    assert identity.name == "CCAS de Rennes"
    assert identity.logo_content_type == "image/svg+xml"
    SiteIdentity.objects.filter(pk=identity.pk).update(name="CCAS de Rennes — modifié")
    assert seed_identity_demo().name == "CCAS de Rennes — modifié"


def test_the_technical_administration_edits_the_identity(client):
    from tests.conftest import login_verified
    from tests.core.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    login_verified(client, admin)
    add_url = reverse("admin:ui_siteidentity_add")
    assert client.get(add_url).status_code == 200
    response = client.post(
        add_url,
        {
            "name": "CCAS de Beaune",
            "primary_colour": "#ffdd00",
            "legal_notice_url": "",
            "personal_data_url": "",
            "accessibility_url": "",
        },
    )
    assert "pas assez contrastée" in response.content.decode()
    response = client.post(
        add_url,
        {
            "name": "CCAS de Beaune",
            "primary_colour": "#7a2e0e",
            "logo_file": SimpleUploadedFile("logo.svg", SVG, content_type="image/svg+xml"),
            "legal_notice_url": "https://www.ccas-beaune.fr/mentions-legales",
            "personal_data_url": "",
            "accessibility_url": "",
        },
    )
    assert response.status_code == 302
    identity = SiteIdentity.load()
    assert (identity.name, identity.logo_content_type) == ("CCAS de Beaune", "image/svg+xml")
    assert client.get(add_url).status_code == 403  # one identity only
    body = client.get(reverse("core:legal_notice")).content.decode()
    assert "CCAS de Beaune" in body and 'href="https://www.ccas-beaune.fr/mentions-legales"' in body
