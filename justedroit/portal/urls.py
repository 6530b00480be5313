from django.urls import path

from justedroit.portal import views

app_name = "portal"
urlpatterns = [
    path("mon-dossier/", views.claimant_home, name="claimant_home"),
    path("partenaire/", views.partner_home, name="partner_home"),
]
