from django.urls import path

from justedroit.channels import views

app_name = "channels"
urlpatterns = [
    path("", views.home, name="home"),
    path("taches/attribuer/", views.task_assign, name="task_assign"),
    path("statistiques/", views.statistics, name="statistics"),
    path("courriels/<int:pk>/", views.email_thread, name="email_thread"),
    path("courriels/a-trier/", views.triage, name="triage"),
    path("courriels/pieces-jointes/<int:pk>/", views.email_attachment, name="email_attachment"),
    path("courriels/quarantaine/", views.quarantine, name="quarantine"),
    path("courriels/quarantaine/<int:pk>/", views.quarantine_detail, name="quarantine_detail"),
    path("imports/", views.imports_journal, name="imports_journal"),
    path("documents/papier/", views.document_paper, name="document_paper"),
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("documents/<int:pk>/fichier/", views.document_file, name="document_file"),
]
