from django.urls import path

from justedroit.controls import views

app_name = "controls"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("plan/", views.plan, name="plan"),
    path("ciblage/", views.targeting, name="targeting"),
    path("ciblage/liste/", views.targeting_list, name="targeting_list"),
    path("ciblage/audit/", views.targeting_audit, name="targeting_audit"),
    path("<int:pk>/", views.control, name="control"),
    path("<int:pk>/rapport-de-visite/", views.visit_report, name="visit_report"),
]
