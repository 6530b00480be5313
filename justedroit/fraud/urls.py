from django.urls import path

from justedroit.fraud import views

app_name = "fraud"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("direction/", views.director, name="director"),
    path("direction/<int:pk>/", views.decision, name="decision"),
    path("<int:pk>/", views.file, name="file"),
    path("<int:pk>/lettre/<str:kind>/", views.letter, name="letter"),
]
