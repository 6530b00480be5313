from django.urls import path

from justedroit.portal import (
    appeals_views,
    channels_views,
    controls_views,
    fraud_views,
    money_views,
    outreach_views,
    reception_views,
    recovery_views,
    views,
)

app_name = "portal"
urlpatterns = [
    path("mon-dossier/", views.claimant_home, name="claimant_home"),
    path("mon-dossier/paiements/", money_views.payments, name="payments"),
    path(
        "mon-dossier/paiements/<str:month>/",
        money_views.payment_explanation,
        name="payment_explanation",
    ),
    path("partenaire/", views.partner_home, name="partner_home"),
    path("partenaire/foyer/", outreach_views.partner_household, name="outreach_partner_household"),
    path("partenaire/support/", outreach_views.partner_material, name="outreach_partner_material"),
    path(
        "partenaire/support/<int:version>/",
        outreach_views.partner_material_file,
        name="outreach_partner_material_file",
    ),
    path("mon-dossier/contact/", channels_views.contact, name="channels_contact"),
    path("mon-dossier/documents/", channels_views.document_upload, name="channels_documents"),
    path("mon-dossier/declaration/", channels_views.declaration, name="channels_declaration"),
    path(
        "mon-dossier/rendez-vous/",
        reception_views.reception_appointments,
        name="reception_appointments",
    ),
    path("mon-dossier/rendez-vous/prendre/", reception_views.reception_book, name="reception_book"),
    path(
        "mon-dossier/rendez-vous/confirmer/",
        reception_views.reception_confirm,
        name="reception_confirm",
    ),
    path(
        "mon-dossier/rendez-vous/<int:pk>/",
        reception_views.reception_appointment,
        name="reception_appointment",
    ),
    path(
        "mon-dossier/rendez-vous/<int:pk>/agenda.ics",
        reception_views.reception_ics,
        name="reception_ics",
    ),
    path(
        "mon-dossier/rendez-vous/<int:pk>/deplacer/",
        reception_views.reception_move,
        name="reception_move",
    ),
    path("partenaire/rendez-vous/", reception_views.partner_book, name="partner_book"),
    path(
        "partenaire/rendez-vous/confirmer/",
        reception_views.partner_confirm,
        name="partner_confirm",
    ),
    path("mon-dossier/controles/", controls_views.control_requests, name="controls_requests"),
    path("mon-dossier/sanctions/", fraud_views.fraud_notices, name="fraud_notices"),
    path(
        "mon-dossier/partenaires/",
        outreach_views.outreach_mandates,
        name="outreach_mandates",
    ),
    path("mon-dossier/mes-droits/", outreach_views.outreach_rights, name="outreach_rights"),
    path("mon-dossier/dettes/", recovery_views.recovery_debts, name="recovery_debts"),
    path("mon-dossier/recours/", appeals_views.appeals, name="appeals"),
]
