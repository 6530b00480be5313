"""Web layer: navigation links shown to a user: one entry per space their permissions open."""

from django.urls import reverse

from justedroit.appeals.perms import (
    can_view_court_cases,
    can_view_cra_cases,
    can_view_own_appeals,
    can_view_session,
)
from justedroit.channels.perms import can_view_channel_statistics, can_view_contact_queues
from justedroit.controls.perms import can_view_control_plan, can_view_controls
from justedroit.core import perms
from justedroit.data_protection.perms import (
    can_export_subject_data,
    can_view_processing_register,
)
from justedroit.exchanges.perms import can_view_exchange_files
from justedroit.fraud.perms import can_decide_sanctions, can_view_fraud_files
from justedroit.outreach.perms import (
    can_grant_mandate,
    can_record_mandate,
    can_run_partner_network,
)
from justedroit.quality.perms import (
    can_supervise,
    can_view_agents_quality,
    can_view_own_quality,
    can_view_process_map,
    can_view_verification,
)
from justedroit.reception.perms import (
    can_book_for_claimant,
    can_book_own_appointment,
    can_plan_reception,
    can_serve_reception,
)
from justedroit.recovery.perms import (
    can_view_debt_balance,
    can_view_own_debts,
    can_view_recovery_worklist,
)
from justedroit.registry.perms import can_search_households
from justedroit.reporting.perms import can_view_dashboards, can_view_indicators


def links(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    candidates = [
        (perms.can_use_agent_space, "core:agent_home", "Accueil agent"),
        (can_search_households, "registry:household_search", "Foyers"),
        (can_serve_reception, "reception:sites", "Accueil et rendez-vous"),
        (can_plan_reception, "reception:planning", "Planning de l'accueil"),
        (can_view_contact_queues, "channels:home", "Courriels, appels, documents"),
        (can_view_channel_statistics, "channels:statistics", "Statistiques des canaux"),
        (can_view_controls, "controls:worklist", "Contrôles"),
        (can_view_control_plan, "controls:plan", "Plan de contrôle"),
        (can_view_fraud_files, "fraud:worklist", "Fraude"),
        (can_decide_sanctions, "fraud:director", "Fraude : décisions"),
        (can_view_indicators, "reporting:indicators", "Indicateurs"),
        (can_view_dashboards, "reporting:dashboards", "Tableaux de bord"),
        (can_view_verification, "quality:plans", "Vérification qualité"),
        (can_view_agents_quality, "quality:agents_results", "Qualité par agent"),
        (can_supervise, "quality:supervision", "Supervision et actions qualité"),
        (can_view_own_quality, "quality:my_results", "Mes résultats qualité"),
        (can_view_process_map, "quality:process_map", "Processus (DQI)"),
        (can_view_exchange_files, "exchanges:files", "Échanges partenaires"),
        (can_view_recovery_worklist, "recovery:worklist", "Recouvrement"),
        (can_view_debt_balance, "recovery:balance", "Balance des dettes"),
        (can_view_cra_cases, "appeals:worklist", "Recours amiables (CRA)"),
        (can_view_session, "appeals:sessions", "Séances de la CRA"),
        (can_view_court_cases, "appeals:courts", "Contentieux"),
        (perms.can_view_audit_trail, "core:audit_trail", "Journal d'audit"),
        (can_export_subject_data, "data_protection:subject_export", "Export RGPD"),
        (can_view_processing_register, "data_protection:processing_register", "Registre RGPD"),
        (perms.can_manage_failed_sends, "core:failed_sends", "Envois en échec"),
        (perms.can_manage_api_tokens, "core:api_tokens", "Jetons d'API"),
        (can_record_mandate, "outreach:mandate_record", "Mandats aux partenaires"),
        (can_run_partner_network, "outreach:meetings", "Réunions des partenaires"),
        (can_run_partner_network, "outreach:actions", "Actions collectives"),
        (perms.can_use_claimant_space, "portal:claimant_home", "Mon dossier"),
        (perms.can_use_claimant_space, "portal:payments", "Mes paiements"),
        (can_grant_mandate, "portal:outreach_rights", "Mes droits"),
        (
            perms.can_use_claimant_space,
            "portal:channels_declaration",
            "Déclarer mes ressources (RSA, prime d'activité)",
        ),
        (can_book_own_appointment, "portal:reception_appointments", "Mes rendez-vous"),
        (can_book_own_appointment, "portal:reception_book", "Prendre rendez-vous"),
        (perms.can_use_claimant_space, "portal:channels_contact", "Écrire à la Caf"),
        (perms.can_use_claimant_space, "portal:channels_documents", "Transmettre un document"),
        (perms.can_use_claimant_space, "portal:controls_requests", "Pièces et contrôles"),
        (can_view_own_debts, "portal:recovery_debts", "Ce que je dois"),
        (can_view_own_appeals, "portal:appeals", "Mes recours"),
        (perms.can_use_claimant_space, "portal:fraud_notices", "Procédures de sanction"),
        (can_grant_mandate, "portal:outreach_mandates", "Mes mandats aux partenaires"),
        (perms.can_use_partner_space, "portal:partner_home", "Espace partenaire"),
        (can_book_for_claimant, "portal:partner_book", "Réserver un rendez-vous"),
    ]
    return {
        "nav_links": [
            (reverse(name), label) for allowed, name, label in candidates if allowed(user)
        ]
    }
