from django.urls import path

from justedroit.reception import views

app_name = "reception"
urlpatterns = [
    path("", views.sites, name="sites"),
    path("lieux/<slug:slug>/", views.site_day, name="site_day"),
    path("rendez-vous/", views.book, name="book"),
    path("rendez-vous/a-renseigner/", views.unmarked, name="unmarked"),
    path("accuses-sms/", views.sms_receipts, name="sms_receipts"),
]
