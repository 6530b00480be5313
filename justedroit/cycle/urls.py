from django.urls import path

from justedroit.cycle import views

app_name = "cycle"
urlpatterns = [
    path("foyers/<str:number>/lettres/", views.letters, name="letters"),
    path("foyers/<str:number>/lettres/<int:pk>/", views.letter, name="letter"),
]
