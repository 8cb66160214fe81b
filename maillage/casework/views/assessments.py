"""Assessments of a person: list, new (four kinds), change (a new version after a signature),
sign, read a version, compare two versions. The AGGIR form previews the GIR as one answers (htmx:
the same URL answers a fragment)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from maillage.casework.forms.assessments import FORMS, AggirForm, NeedsAssessmentForm
from maillage.casework.forms.confirm import SignForm
from maillage.casework.models import AssessmentKind
from maillage.casework.selectors import assessments as selectors
from maillage.casework.services import assessments as services
from maillage.casework.views._common import grant_for, person_context
from maillage.core import access, versioning
from maillage.core.access import Part
from maillage.core.exceptions import ApplicationError
from maillage.core.forms import add_validation_errors

KIND_SLUGS = {"besoins": "needs", "aggir": "aggir", "fragilite": "fragility", "aidant": "carer"}
SLUG_OF_KIND = {kind: slug for slug, kind in KIND_SLUGS.items()}


def _form(kind, request, person, data=None, initial=None, version=None):
    form_class = FORMS[kind]
    kwargs = {"initial": initial or {}, "version": version}
    if kind == AssessmentKind.CARER:
        kwargs["person"] = person
    return form_class(data, **kwargs)


def _initial(kind, version):
    if version is None:
        return {}
    answers = dict(version.answers)
    if kind == AssessmentKind.NEEDS:
        answers = NeedsAssessmentForm.initial_from(answers)
    return {**answers, "assessed_on": version.assessed_on, "summary": version.summary}


def _form_page(request, person, kind, form, assessment=None, *, conflict=None):
    if request.htmx and kind == AssessmentKind.AGGIR:
        return render(request, "casework/assessments/includes/_aggir_preview.html", {"preview": form.preview()})
    context = {
        **person_context(request, person),
        "form": form,
        "kind": kind,
        "kind_label": AssessmentKind(kind).label,
        "kind_slug": SLUG_OF_KIND[kind],
        "assessment": assessment,
        "preview": form.preview() if isinstance(form, AggirForm) else None,
        "conflict": conflict,
    }
    return render(request, "casework/assessments/assessment_form.html", context)


@require_http_methods(["GET"])
def assessment_list(request, pk):
    grant = grant_for(request, pk, Part.ASSESSMENTS, "view")
    person = grant.person
    grant.record(request, "Évaluations")
    context = {
        **person_context(request, person),
        "assessments": selectors.assessment_list(grant=grant),
        "kinds": [(slug, AssessmentKind(kind).label) for slug, kind in KIND_SLUGS.items()],
    }
    return render(request, "casework/assessments/assessment_list.html", context)


@require_http_methods(["GET", "POST"])
def assessment_create(request, pk, kind):
    grant = grant_for(request, pk, Part.ASSESSMENTS, "assess")
    person = grant.person
    if kind not in KIND_SLUGS:
        raise Http404("Type d'évaluation inconnu.")
    kind = KIND_SLUGS[kind]
    if request.method == "GET":
        grant.record(request, f"Formulaire : nouvelle évaluation — {AssessmentKind(kind).label}")
    form = _form(kind, request, person, request.POST or None, initial={"assessed_on": _today()})
    if request.method == "POST" and not request.htmx and form.is_valid():
        try:
            version = services.assessment_create(
                actor=request.user,
                organisation=request.organisation,
                person=person,
                kind=kind,
                answers=form.answers(),
                assessed_on=form.cleaned_data["assessed_on"],
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Évaluation enregistrée (brouillon). Relisez-la puis signez-la.")
            return redirect("casework:assessment_detail", pk=person.pk, assessment_pk=version.assessment_id)
    return _form_page(request, person, kind, form)


@require_http_methods(["GET", "POST"])
def assessment_edit(request, pk, assessment_pk):
    grant = grant_for(request, pk, Part.ASSESSMENTS, "assess")
    person = grant.person
    assessment = selectors.assessment_get(grant=grant, pk=assessment_pk)
    latest = assessment.latest_version
    if request.method == "GET":
        grant.record(request, "Formulaire : modifier l'évaluation", assessment)
    form = _form(
        assessment.kind,
        request,
        person,
        request.POST or None,
        initial=_initial(assessment.kind, latest),
        version=assessment.version,
    )
    conflict = None
    if request.method == "POST" and not request.htmx and form.is_valid():
        try:
            version = services.assessment_update(
                actor=request.user,
                organisation=request.organisation,
                assessment=assessment,
                answers=form.answers(),
                assessed_on=form.cleaned_data["assessed_on"],
                summary=form.cleaned_data["summary"],
                version=form.expected_version(),
            )
        except versioning.StaleVersionError as exc:
            conflict = form.show_conflict(exc, saved=_initial(assessment.kind, assessment.latest_version))
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Version {version.number} enregistrée (brouillon).")
            return redirect("casework:assessment_detail", pk=person.pk, assessment_pk=assessment.pk)
    return _form_page(request, person, assessment.kind, form, assessment, conflict=conflict)


@require_http_methods(["GET"])
def assessment_detail(request, pk, assessment_pk, number=None):
    grant = grant_for(request, pk, Part.ASSESSMENTS, "view")
    person = grant.person
    assessment = selectors.assessment_get(grant=grant, pk=assessment_pk)
    versions = list(assessment.versions.select_related("author", "signed_by").order_by("-number"))
    version = versions[0] if number is None else selectors.assessment_version_get(assessment=assessment, number=number)
    grant.record(request, f"Évaluation, version {version.number}", assessment)
    context = {
        **person_context(request, person),
        "assessment": assessment,
        "version": version,
        "versions": versions,
        "rows": services.version_rows(version),
        "results": services.result_rows(version),
        "is_latest": version.number == versions[0].number,
        "can_sign": (
            not version.is_signed
            and version.author_id == request.user.pk
            and access.can_assess_person(request.user, request.organisation, person)
        ),
    }
    return render(request, "casework/assessments/assessment_detail.html", context)


SIGN_REFUSED = "Cochez la case de confirmation pour signer."


@require_http_methods(["GET", "POST"])
def assessment_sign(request, pk, assessment_pk):
    """Sign the latest version, after a confirmation page (a signed version can no longer change):
    GET shows what signing means, POST signs only with the box ticked and the number read."""
    grant = grant_for(request, pk, Part.ASSESSMENTS, "assess")
    person = grant.person
    assessment = selectors.assessment_get(grant=grant, pk=assessment_pk)
    version = assessment.latest_version
    detail = redirect("casework:assessment_detail", pk=person.pk, assessment_pk=assessment.pk)
    if version.is_signed or version.author_id != request.user.pk:
        messages.error(
            request,
            "Cette version est déjà signée : elle ne peut plus être modifiée."
            if version.is_signed
            else "Seul·e l'auteur·rice de cette version peut la signer.",
        )
        return detail
    form = SignForm(
        request.POST if request.method == "POST" else None,
        initial={"number": version.number},
        label=f"Je confirme la signature de la version {version.number}",
        refused=SIGN_REFUSED,
    )
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["number"] != version.number:
            messages.error(
                request, "Une nouvelle version a été enregistrée entre-temps : relisez-la avant de la signer."
            )
            return detail
        try:
            version = services.assessment_sign(actor=request.user, organisation=request.organisation, version=version)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            text = f"Version {version.number} signée : elle ne peut plus être modifiée."
            if version.gir:
                text += f" Le GIR de la personne est maintenant {version.gir}."
            messages.success(request, text)
        return detail
    if request.method == "GET":
        grant.record(request, f"Signature de l'évaluation, version {version.number}", assessment)
    consequences = [
        f"Version {version.number} du {version.assessed_on:%d/%m/%Y} : une fois signée, elle ne peut plus être "
        "modifiée. Pour changer une réponse, il faudra écrire une nouvelle version.",
    ]
    if assessment.kind == AssessmentKind.AGGIR and version.gir:
        consequences.append(f"Le GIR de la personne deviendra {version.gir}.")
    context = {
        **person_context(request, person),
        "form": form,
        "heading": f"Signer : {assessment.get_kind_display()}",
        "consequences": consequences,
        "button_label": f"Signer la version {version.number}",
        "button_kind": "primary",
        "back_url": detail.url,
        "back_label": "Retour à l'évaluation",
    }
    return render(request, "casework/confirm.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET"])
def assessment_compare(request, pk, assessment_pk):
    grant = grant_for(request, pk, Part.ASSESSMENTS, "view")
    person = grant.person
    assessment = selectors.assessment_get(grant=grant, pk=assessment_pk)
    numbers = list(assessment.versions.order_by("number").values_list("number", flat=True))
    try:
        first = int(request.GET.get("de", numbers[0]))
        second = int(request.GET.get("a", numbers[-1]))
    except ValueError:
        first, second = numbers[0], numbers[-1]
    a = selectors.assessment_version_get(assessment=assessment, number=first)
    b = selectors.assessment_version_get(assessment=assessment, number=second)
    grant.record(request, f"Comparaison des versions {a.number} et {b.number}", assessment)
    context = {
        **person_context(request, person),
        "assessment": assessment,
        "first": a,
        "second": b,
        "numbers": numbers,
        "rows": services.versions_compare(a, b),
    }
    return render(request, "casework/assessments/assessment_compare.html", context)


def _today():
    from django.utils import timezone

    return timezone.localdate()
