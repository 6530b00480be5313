from django.urls import path

from justedroit.outreach import views

app_name = "outreach"
urlpatterns = [
    path("mandats/nouveau/", views.mandate_record, name="mandate_record"),
    path("sms-recus/", views.sms_inbound, name="sms_inbound"),
    path("orientations/", views.referrals, name="referrals"),
    path("campagnes/<int:campaign_id>/", views.campaign, name="campaign"),
]
