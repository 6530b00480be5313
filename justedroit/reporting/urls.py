from django.urls import path

from justedroit.reporting import views

app_name = "reporting"
urlpatterns = [path("", views.indicators, name="indicators")]
