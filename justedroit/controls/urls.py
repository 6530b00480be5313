from django.urls import path

from justedroit.controls import views

app_name = "controls"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("plan/", views.plan, name="plan"),
    path("<int:pk>/", views.control, name="control"),
    path("<int:pk>/rapport-de-visite/", views.visit_report, name="visit_report"),
]
