from django.urls import path

from justedroit.appeals import views

app_name = "appeals"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("<int:pk>/", views.case, name="case"),
    path("<int:pk>/lettre/", views.decision_letter, name="decision_letter"),
    path("seances/", views.sessions, name="sessions"),
    path("seances/<int:pk>/", views.session, name="session"),
    path("seances/<int:pk>/proces-verbal/", views.minutes, name="minutes"),
    path("contentieux/", views.courts, name="courts"),
    path("contentieux/<int:pk>/", views.court_case, name="court_case"),
]
