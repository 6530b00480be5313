from django.urls import path

from justedroit.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.indicators, name="indicators"),
    path("export.csv", views.indicators_csv, name="indicators_csv"),
    path("rapport/", views.report, name="report"),
    path("rapport/rapport.pdf", views.report_pdf, name="report_pdf"),
    path("rapport/rapport.json", views.report_json, name="report_json"),
    path("rapport/incoherences/", views.inconsistencies, name="inconsistencies"),
    path("rapport/<int:year>/versions/<int:number>/", views.report_version, name="report_version"),
    path("tableaux-de-bord/", views.dashboard_list, name="dashboards"),
    path("tableaux-de-bord/<slug:slug>/", views.dashboard, name="dashboard"),
]
