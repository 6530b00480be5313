from django.urls import path

from justedroit.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.indicators, name="indicators"),
    path("export.csv", views.indicators_csv, name="indicators_csv"),
]
