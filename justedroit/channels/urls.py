from django.urls import path

from justedroit.channels import views

app_name = "channels"
urlpatterns = [
    path("", views.home, name="home"),
    path("statistiques/", views.statistics, name="statistics"),
    path("courriels/<int:pk>/", views.email_thread, name="email_thread"),
    path("documents/papier/", views.document_paper, name="document_paper"),
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("documents/<int:pk>/fichier/", views.document_file, name="document_file"),
]
