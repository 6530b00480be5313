from django.urls import path

from justedroit.exchanges import views

app_name = "exchanges"
urlpatterns = [path("", views.exchange_files, name="files")]
