from django.urls import path

from justedroit.reception import planning_views, views

app_name = "reception"
urlpatterns = [
    path("", views.sites, name="sites"),
    path("lieux/<slug:slug>/", views.site_day, name="site_day"),
    path("lieux/<slug:slug>/appels/", views.calls, name="calls"),
    path("rendez-vous/", views.book, name="book"),
    path("rendez-vous/a-renseigner/", views.unmarked, name="unmarked"),
    path("accuses-sms/", views.sms_receipts, name="sms_receipts"),
    path("planning/", planning_views.planning, name="planning"),
    path("planning/plages/", planning_views.planning_slots, name="planning_slots"),
    path("planning/absences/", planning_views.planning_absences, name="planning_absences"),
    path("planning/fermetures/", planning_views.planning_closures, name="planning_closures"),
    path(
        "planning/permanences/",
        planning_views.planning_permanences,
        name="planning_permanences",
    ),
    path("planning/horaires/", planning_views.planning_hours, name="planning_hours"),
]
