from django.urls import path

from justedroit.data_protection import views

app_name = "data_protection"
urlpatterns = [
    path("export/", views.subject_export, name="subject_export"),
    path("registre/", views.processing_register, name="processing_register"),
]
