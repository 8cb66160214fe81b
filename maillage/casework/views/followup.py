"""Follow-up of a person: notes (by visibility) and tasks, documents (upload, download through an
authorised and logged view only), and the coordinator's caseload (« mes suivis »)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from maillage.casework.forms.followup import DocumentForm, FollowUpTaskForm, NoteForm
from maillage.casework.selectors import followup as selectors
from maillage.casework.services import followup as services
from maillage.casework.views._common import grant_for, person_context
from maillage.core import access, audit
from maillage.core.access import Part
from maillage.core.exceptions import ApplicationError
from maillage.core.forms import add_validation_errors
from maillage.people.models import Person


def _run(form, call) -> bool:
    try:
        call()
    except ValidationError as exc:
        add_validation_errors(form, exc)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
    else:
        return True
    return False


def _is_referral_task(task) -> bool:
    from maillage.register.services.orientation import is_referral_task

    return is_referral_task(task)


def _referral_task_url(request, person, tasks) -> str:
    """An open level-3 task of the register (« Mise en relation avec le CLIC… ») becomes a referral:
    the referral form, its service search filled with the CLIC (or DAC) serving the person, for those
    who orient persons."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from maillage.register.services.orientation import territory_partner_of

    if not any(task.done_at is None and _is_referral_task(task) for task in tasks):
        return ""
    if not access.can_refer_person(request.user, request.organisation, person):
        return ""
    partner = territory_partner_of(person)
    query = partner.name if partner is not None else "CLIC"
    return reverse("referrals:create", args=[person.pk]) + "?" + urlencode({"q": query})


def _notes_page(request, grant, note_form=None, task_form=None, status=200):
    person = grant.person
    common = person_context(request, person)
    notes = list(selectors.note_list(grant=grant))
    tasks = list(selectors.followup_task_list(organisation=request.organisation, person=person))
    now = timezone.now()
    context = {
        **common,
        "notes": notes,
        "correctable": {
            note.pk
            for note in notes
            if services.note_correction_allowed(
                request.user, request.organisation, note, now=now, can_follow=common["can_follow"]
            )
        },
        "tasks": tasks,
        "referral_task_url": _referral_task_url(request, person, tasks),
        "referral_tasks": {task.pk for task in tasks if task.done_at is None and _is_referral_task(task)},
        "note_form": note_form or NoteForm(),
        "task_form": task_form
        or FollowUpTaskForm(organisation=request.organisation, initial={"assignee": request.user}),
    }
    return render(request, "casework/followup/note_list.html", context, status=status)


@require_http_methods(["GET", "POST"])
def note_list(request, pk):
    """The notes the user may read; a coordinator or care-team member writes one (POST)."""
    action = "follow" if request.method == "POST" else "view"
    grant = grant_for(request, pk, Part.NOTES, action)
    person = grant.person
    if request.method == "GET":
        grant.record(request, "Notes de suivi")
        return _notes_page(request, grant)
    form = NoteForm(request.POST)
    if form.is_valid() and _run(
        form,
        lambda: services.note_create(
            actor=request.user, organisation=request.organisation, person=person, **form.cleaned_data
        ),
    ):
        messages.success(request, "Note enregistrée.")
        return redirect("casework:note_list", pk=person.pk)
    return _notes_page(request, grant, note_form=form)


@require_http_methods(["GET", "POST"])
def note_edit(request, pk, note_pk):
    """The author corrects their note within 24 hours; the text replaced is kept (decisions.md)."""
    grant = grant_for(request, pk, Part.NOTES, "follow")
    person = grant.person
    notes = selectors.note_list(grant=grant)
    note = notes.filter(pk=note_pk).first()
    if note is None or not services.note_correction_allowed(request.user, request.organisation, note):
        raise Http404("Note introuvable.")
    form = NoteForm(request.POST or None, initial={"body": note.body, "visibility": note.visibility})
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(
            form,
            lambda: services.note_correct(
                actor=request.user, organisation=request.organisation, note=note, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, "Note corrigée. Le texte précédent est conservé.")
        return redirect("casework:note_list", pk=person.pk)
    if request.method == "GET":
        grant.record(request, "Correction d'une note", note)
    context = {**person_context(request, person), "note": note, "form": form}
    return render(request, "casework/followup/note_edit.html", context, status=400 if form.errors else 200)


@require_http_methods(["POST"])
def task_create(request, pk):
    grant = grant_for(request, pk, Part.NOTES, "assess")
    person = grant.person
    form = FollowUpTaskForm(request.POST, organisation=request.organisation)
    if form.is_valid() and _run(
        form,
        lambda: services.followup_task_create(
            actor=request.user,
            organisation=request.organisation,
            person=person,
            title=form.cleaned_data["title"],
            due_on=form.cleaned_data["due_on"],
            assignee=form.cleaned_data["assignee"],
        ),
    ):
        task = form.cleaned_data
        who = "vous" if task["assignee"] == request.user else task["assignee"].get_full_name()
        messages.success(request, f"Tâche programmée pour {who}, pour le {task['due_on']:%d/%m/%Y}.")
        return redirect("casework:note_list", pk=person.pk)
    # Corrections on a page of their own: the whole task form, with the box that confirms a past date.
    context = {**person_context(request, person), "form": form}
    return render(request, "casework/followup/task_form.html", context, status=400)


@require_http_methods(["POST"])
def task_complete(request, pk, task_pk):
    grant = grant_for(request, pk, Part.NOTES)
    person = grant.person
    task = selectors.followup_task_list(organisation=request.organisation, person=person).filter(pk=task_pk).first()
    if task is None or not access.can_change_followup_task(request.user, request.organisation, task):
        raise Http404("Tâche introuvable.")
    services.followup_task_complete(actor=request.user, organisation=request.organisation, task=task)
    messages.success(request, f"Tâche « {task.title} » faite.")
    return redirect("casework:note_list", pk=person.pk)


@require_http_methods(["GET", "POST"])
def document_list(request, pk):
    action = "follow" if request.method == "POST" else "view"
    grant = grant_for(request, pk, Part.DOCUMENTS, action)
    person = grant.person
    form = DocumentForm(request.POST or None, request.FILES or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(
            form,
            lambda: services.document_upload(
                actor=request.user,
                organisation=request.organisation,
                person=person,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                retain_until=form.cleaned_data["retain_until"],
            ),
        )
    ):
        messages.success(request, "Document déposé.")
        return redirect("casework:document_list", pk=person.pk)
    if request.method == "GET":
        grant.record(request, "Documents")
    context = {
        **person_context(request, person),
        "documents": selectors.document_list(grant=grant),
        "form": form,
    }
    return render(request, "casework/followup/document_list.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET"])
def document_download(request, pk, document_pk):
    """The only way to a stored document: authorised by the person's file, and logged."""
    grant = grant_for(request, pk, Part.DOCUMENTS)
    document = selectors.document_list(grant=grant).filter(pk=document_pk).first()
    if document is None:
        raise Http404("Document introuvable.")
    grant.record(request, f"Téléchargement du document « {document.title} »", document)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET"])
def caseload(request):
    """« Mes suivis »: the coordinator's persons with next reviews, open tasks and last contact."""
    persons = list(selectors.caseload(actor=request.user, organisation=request.organisation))
    if persons:  # a list of persons is an opening of their data
        audit.record_search(request, Person, what=f"Mes suivis : {audit.shown_count(len(persons))}", access_path="")
    return render(request, "casework/followup/caseload.html", {"persons": persons})
