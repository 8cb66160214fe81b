from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from maillage.casework.forms.requests import ContactForm
from maillage.casework.services.requests import contact_create
from maillage.core import access
from maillage.core.exceptions import ApplicationError
from maillage.core.forms import add_validation_errors


@require_http_methods(["GET", "POST"])
def contact_new(request, pk):
    """Log a contact with the person from their file; it appears in the timeline."""
    grant = access.person_grant_for(request, pk, access.Part.CONTACTS)
    person = grant.person
    if not access.can_log_contact(request.user, request.organisation, person):
        raise Http404("Page introuvable.")
    if request.method == "GET":
        grant.record(request, "Formulaire : noter un contact")
    form = ContactForm(request.POST or None, initial={"kind": "phone_out"})
    if request.method == "POST" and form.is_valid():
        try:
            contact_create(actor=request.user, organisation=request.organisation, person=person, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Le contact est enregistré.")
            return redirect("people:detail", pk=person.pk)
    return render(request, "casework/contact_form.html", {"person": person, "form": form})
