from django.urls import path

from justedroit.outreach import network_views, views

app_name = "outreach"
urlpatterns = [
    path("mandats/nouveau/", views.mandate_record, name="mandate_record"),
    path("sms-recus/", views.sms_inbound, name="sms_inbound"),
    path("orientations/", views.referrals, name="referrals"),
    path("campagnes/<int:campaign_id>/", views.campaign, name="campaign"),
    path("reunions/", network_views.meetings, name="meetings"),
    path("reunions/<int:meeting_id>/", network_views.meeting, name="meeting"),
    path("actions-collectives/", network_views.actions, name="actions"),
    path("actions-collectives/<int:action_id>/", network_views.action, name="action"),
]
