"""The DQI process map of the processes this platform covers, each bound to the live indicators
of its domain (codes of `justedroit indicators`). Targets only where a source gives one
(INDICATORS.md: historical COG targets); the pilots are named later, by the direction."""

from django.db import migrations

COG = "Cible COG historique (docs INDICATORS.md)"

# code, name, kind, purpose, inputs, outputs, risks [(risk, control)], indicators [(code, direction, target, source)]
PROCESSES = [
    (
        "qualite",
        "Piloter la qualité et la maîtrise des risques",
        "management",
        "Mesurer la qualité de la liquidation, décider et suivre les actions qualité.",
        ["Actes de traitement des agents", "Résultats des contrôles et de la vérification"],
        ["Indices de qualité (IQL)", "Actions qualité", "Revues annuelles des processus"],
        [
            ("Échantillon non représentatif des actes", "Plans tirés au hasard, graine et probabilités conservées"),
            ("Erreurs détectées sans suite", "Actions qualité avec responsable, échéance et bilan de clôture"),
        ],
        [
            ("quality_iql", "up", None, ""),
            ("quality_iql6", "up", None, ""),
            ("quality_processing_acts", "up", None, ""),
        ],
    ),
    (
        "controles",
        "Contrôler les situations déclarées",
        "management",
        "Vérifier les déclarations des allocataires et régulariser les droits.",
        ["Plan de contrôle", "Échanges de données (impôts, Pôle emploi)", "Ciblage"],
        ["Contrôles clos", "Rappels et indus", "Signalements de fraude"],
        [
            ("Contrôle sans incidence retenue à tort", "Clôture comptée seulement avec un rappel ou un indu"),
            ("Ciblage discriminant", "Audit d'équité du ciblage"),
        ],
        [
            ("controls_total", "up", None, ""),
            ("controls_financial_impact", "up", None, ""),
            ("controls_overpayment_share", "down", None, ""),
        ],
    ),
    (
        "fraude",
        "Lutter contre la fraude",
        "management",
        "Qualifier les fraudes, décider des sanctions et prévenir.",
        ["Signalements des contrôles", "Dossiers de fraude"],
        ["Qualifications et sanctions", "Courriers de prévention"],
        [("Sanction sans procédure contradictoire", "Décision du directeur après avis, courrier motivé")],
        [
            ("fraud_cases", "up", None, ""),
            ("fraud_amount", "up", None, ""),
            ("fraud_prevention_letters", "up", None, ""),
        ],
    ),
    (
        "accueil",
        "Accueillir les allocataires",
        "operational",
        "Recevoir sur rendez-vous ou sans, orienter et traiter la demande au premier contact.",
        ["Rendez-vous pris en ligne ou par téléphone", "Visites spontanées"],
        ["Visites tenues", "Demandes traitées ou orientées"],
        [
            ("Attente excessive à l'accueil", "Rendez-vous, suivi du temps d'attente"),
            ("Rendez-vous non honorés", "Rappel par SMS"),
        ],
        [
            ("reception_visitors", "down", None, ""),
            ("reception_appointment_share", "up", None, ""),
            ("reception_wait_20min_share", "up", None, ""),
            ("reception_no_show_rate", "down", None, ""),
        ],
    ),
    (
        "telephone",
        "Répondre aux appels",
        "operational",
        "Décrocher et répondre aux appels des allocataires.",
        ["Appels présentés"],
        ["Appels décrochés", "Rappels"],
        [("Appels perdus aux pics de charge", "Suivi du taux de décroché et de l'abandon")],
        [
            ("calls_received", "down", None, ""),
            ("call_answer_rate", "up", "90", COG),
            ("call_abandon_rate", "down", None, ""),
        ],
    ),
    (
        "courriels",
        "Répondre aux courriels",
        "operational",
        "Répondre aux courriels des allocataires dans le délai cible.",
        ["Courriels reçus"],
        ["Réponses"],
        [("Stock de courriels vieillissant", "Suivi du stock et de son âge")],
        [
            ("emails_handled", "up", None, ""),
            ("email_within_target", "up", None, ""),
            ("email_backlog_age", "down", None, ""),
        ],
    ),
    (
        "documents",
        "Traiter les pièces",
        "operational",
        "Numériser, qualifier et traiter les pièces reçues.",
        ["Pièces papier et dématérialisées"],
        ["Pièces traitées", "Faits enregistrés"],
        [
            ("Pièce traitée hors délai", "Suivi des pièces traitées en 15 jours"),
            ("Pièce malveillante", "Mise en quarantaine"),
        ],
        [
            ("documents_within_15_days", "up", "85", COG),
            ("documents_auto_rate", "up", None, ""),
            ("documents_backlog_age", "down", None, ""),
        ],
    ),
    (
        "droits",
        "Liquider et payer les droits",
        "operational",
        "Calculer et payer les prestations dues, à bon droit.",
        ["Demandes", "Faits déclarés et enregistrés"],
        ["Droits calculés", "Paiements"],
        [
            ("Montant erroné (fait mal saisi, ressource oubliée)", "Vérification et supervision des actes"),
        ],
        [
            ("paid_total", "up", None, ""),
            ("households_paid", "up", None, ""),
            ("online_procedure_rate", "up", None, ""),
        ],
    ),
    (
        "acces_aux_droits",
        "Favoriser l'accès aux droits",
        "operational",
        "Repérer les non-recourants et les accompagner jusqu'à l'ouverture du droit.",
        ["Foyers repérés", "Partenaires"],
        ["Droits ouverts", "Rendez-vous des droits"],
        [("Repérage sans contact", "Suivi de la conversion des contactés")],
        [
            ("outreach_rights_opened", "up", None, ""),
            ("outreach_conversion_contacted", "up", None, ""),
            ("outreach_meeting_attendance", "up", None, ""),
        ],
    ),
    (
        "cra",
        "Instruire les recours amiables (CRA)",
        "operational",
        "Préparer les décisions de la commission de recours amiable.",
        ["Recours des allocataires"],
        ["Décisions de la commission"],
        [("Recours traité hors délai", "Suivi des recours en attente")],
        [],
    ),
    (
        "recouvrement",
        "Recouvrer les indus",
        "support",
        "Notifier et recouvrer les indus, à l'amiable puis au contentieux.",
        ["Indus constatés"],
        ["Recouvrements", "Plans de remboursement"],
        [("Indu prescrit faute de relance", "Relances et retenues programmées")],
        [
            ("recovery_notified", "up", None, ""),
            ("recovery_recovered_same_year", "up", None, ""),
            ("recovery_amicable_share", "up", None, ""),
        ],
    ),
]


def seed(apps, schema_editor):
    Process = apps.get_model("quality", "Process")
    for order, (code, name, kind, purpose, inputs, outputs, risks, indicators) in enumerate(
        PROCESSES
    ):
        process = Process.objects.create(
            code=code,
            name=name,
            kind=kind,
            purpose=purpose,
            inputs=inputs,
            outputs=outputs,
            order=order,
        )
        for risk, control in risks:
            process.risks.create(risk=risk, control=control)
        for indicator, direction, target, source in indicators:
            process.indicators.create(
                code=indicator, direction=direction, target=target, target_source=source
            )


def unseed(apps, schema_editor):
    apps.get_model("quality", "ProcessRisk").objects.all().delete()
    apps.get_model("quality", "ProcessIndicator").objects.all().delete()
    apps.get_model("quality", "Process").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("quality", "0003_dqi_process_map")]
    operations = [migrations.RunPython(seed, unseed)]
