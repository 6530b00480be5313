from django.urls import path

from justedroit.entitlements import views

app_name = "entitlements"
urlpatterns = [
    path("<str:number>/", views.household_rights, name="household_rights"),
    path("<str:number>/<str:month>/", views.explanation, name="explanation"),
]
