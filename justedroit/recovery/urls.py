from django.urls import path

from justedroit.recovery import views

app_name = "recovery"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("balance/", views.balance, name="balance"),
    path("foyers/<str:number>/", views.household_debts, name="household_debts"),
    path("foyers/<str:number>/courriers/<int:pk>/", views.letter, name="letter"),
]
