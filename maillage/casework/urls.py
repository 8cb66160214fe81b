from django.urls import path

from maillage.casework.views import assessments, care_team, contacts, followup, plans, reception, timeline

app_name = "casework"

P = "personnes/<int:pk>/"

urlpatterns = [
    # Assessments (casework/views/assessments.py)
    path(f"{P}evaluations/", assessments.assessment_list, name="assessment_list"),
    path(f"{P}evaluations/nouvelle/<slug:kind>/", assessments.assessment_create, name="assessment_create"),
    path(f"{P}evaluations/<int:assessment_pk>/", assessments.assessment_detail, name="assessment_detail"),
    path(
        f"{P}evaluations/<int:assessment_pk>/versions/<int:number>/",
        assessments.assessment_detail,
        name="assessment_version",
    ),
    path(f"{P}evaluations/<int:assessment_pk>/modifier/", assessments.assessment_edit, name="assessment_edit"),
    path(f"{P}evaluations/<int:assessment_pk>/signer/", assessments.assessment_sign, name="assessment_sign"),
    path(f"{P}evaluations/<int:assessment_pk>/comparer/", assessments.assessment_compare, name="assessment_compare"),
    # Care plans and life projects (casework/views/plans.py)
    path(f"{P}plans/", plans.plan_list, name="plan_list"),
    path(f"{P}plans/nouveau/", plans.plan_create, name="plan_create"),
    path(f"{P}plans/<int:plan_pk>/", plans.plan_detail, name="plan_detail"),
    path(f"{P}plans/<int:plan_pk>/modifier/", plans.plan_edit, name="plan_edit"),
    path(f"{P}plans/<int:plan_pk>/objectifs/", plans.plan_goal_add, name="plan_goal_add"),
    path(f"{P}plans/<int:plan_pk>/actions/nouvelle/", plans.plan_action_edit, name="plan_action_create"),
    path(f"{P}plans/<int:plan_pk>/actions/<int:action_pk>/", plans.plan_action_edit, name="plan_action_edit"),
    path(f"{P}plans/<int:plan_pk>/actions/services/", plans.plan_action_services, name="plan_action_services"),
    path(f"{P}plans/<int:plan_pk>/revision/", plans.plan_review, name="plan_review"),
    path(f"{P}plans/<int:plan_pk>/pdf/<slug:audience>/", plans.plan_pdf, name="plan_pdf"),
    # Follow-up (casework/views/followup.py)
    path(f"{P}notes/", followup.note_list, name="note_list"),
    path(f"{P}notes/<int:note_pk>/corriger/", followup.note_edit, name="note_edit"),
    path(f"{P}notes/taches/", followup.task_create, name="task_create"),
    path(f"{P}notes/taches/<int:task_pk>/faite/", followup.task_complete, name="task_complete"),
    path(f"{P}documents/", followup.document_list, name="document_list"),
    path(f"{P}documents/<int:document_pk>/", followup.document_download, name="document_download"),
    path("mes-suivis/", followup.caseload, name="caseload"),
]

urlpatterns += [
    # Reception, requests and the person's timeline (casework/views/reception.py, timeline.py)
    path("accueil/", reception.reception, name="reception"),
    path("accueil/personnes/", reception.reception_persons, name="reception_persons"),
    path("accueil/annuaire/", reception.reception_services, name="reception_services"),
    path("demandes/", reception.request_list, name="request_list"),
    path("demandes/<int:pk>/", reception.request_detail, name="request_detail"),
    path(f"{P}chronologie/", timeline.timeline, name="timeline"),
    path(f"{P}equipe/", care_team.care_team, name="care_team"),
    path(f"{P}contacts/nouveau/", contacts.contact_new, name="contact_create"),
    path(f"{P}equipe/<int:member_pk>/retirer/", care_team.care_team_member_remove, name="care_team_remove"),
]
