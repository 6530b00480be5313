from django.urls import path

from justedroit.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.household_search, name="household_search"),
    path("consultation/", views.consultation, name="consultation"),
    path("<str:number>/", views.household_detail, name="household_detail"),
]
