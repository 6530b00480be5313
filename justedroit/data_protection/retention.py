"""Retention of personal data: one rule per kind of data the platform holds, with the date it runs
from, how long it lasts, and why; grouped by processing activity (traitement).

This table is the single source: the purge command (`justedroit data_protection purge`) applies
it, the register of processing activities (art. 30 RGPD, a page for the DPO) is drawn from it, and
`docs/conservation.md` is generated from it (a test keeps the two equal). It names tables by their
model label only, so that it imports no model and can print the document on its own.
"""

from dataclasses import dataclass

TO_CONFIRM = "à valider par le DPO"


@dataclass(frozen=True)
class Processing:
    """A processing activity of the register (art. 30.1 RGPD). French texts."""

    key: str
    name: str
    purpose: str
    lawful_basis: str  # art. 6 (and 9 where relevant) RGPD, with the text that gives the mission
    data_subjects: str
    recipients: str


@dataclass(frozen=True)
class Rule:
    """How long one kind of data is kept. `months` counts from `runs_from` (0: deleted as soon
    as the date is past); `condition` says which rows the rule reaches at all."""

    key: str
    label: str
    processing: str
    tables: tuple[str, ...]  # model labels; tables below them go with them
    holds: str
    runs_from: str
    months: int
    basis: str  # why this duration
    condition: str = ""
    confirmed: bool = True  # False: the duration is a proposal, to be confirmed by the DPO

    @property
    def duration(self) -> str:
        if self.months == 0:
            return "jusqu'à la date de départ"
        years, months = divmod(self.months, 12)
        if months == 0:
            return f"{years} an{'s' if years > 1 else ''}"
        if years == 0:
            return f"{months} mois"
        return f"{years} an{'s' if years > 1 else ''} et {months} mois"


CONTROLLER = "Caisse d'allocations familiales de la Vienne (directeur ou directrice)"
SECURITY_MEASURES = (
    "comptes nominatifs, second facteur ou fournisseur d'identité de la Caf pour les agents ; "
    "accès selon le besoin d'en connaître de chaque rôle (docs/need-to-know.md) ; journal "
    "d'audit inaltérable de toute consultation, recherche, modification et exportation ; NIR "
    "masqué hors des rôles qui en ont besoin ; pièces stockées hors de la racine web et analysées "
    "par un antivirus ; politique de sécurité du contenu stricte ; effacements aux durées de ce "
    "tableau par une commande journalisée."
)
NO_TRANSFER = "Aucun transfert hors de l'Union européenne."

PROCESSINGS: tuple[Processing, ...] = (
    Processing(
        key="benefits",
        name="Gestion des prestations",
        purpose=(
            "Instruire les demandes, calculer et payer les prestations familiales et sociales, "
            "recalculer les droits (rappels et indus), contrôler les déclarations et recouvrer "
            "les sommes indûment versées."
        ),
        lawful_basis=(
            "Mission d'intérêt public et obligation légale (art. 6.1.c et e RGPD) : Code de la "
            "sécurité sociale, livres V et VIII (prestations familiales, aides au logement), "
            "L114-9 et suivants (contrôle), L553-1 et L553-2 (prescription et recouvrement des "
            "indus) ; Code de l'action sociale et des familles, L262-1 et suivants (RSA) ; NIR "
            "traité en application du décret n° 2019-341 du 19 avril 2019."
        ),
        data_subjects="Allocataires, conjoints, enfants et autres personnes à charge.",
        recipients=(
            "Agents habilités de la Caf selon leur rôle ; partenaires de l'échange de données "
            "prévus par la loi (administration fiscale, France Travail, assurance maladie, "
            "conseil départemental pour le RSA) ; Commission de recours amiable ; agence "
            "comptable."
        ),
    ),
    Processing(
        key="contacts",
        name="Accueil et relation avec les allocataires",
        purpose=(
            "Recevoir les allocataires sur place et à distance (rendez-vous, accueil sur flux), "
            "répondre aux appels, rappels et courriels, recevoir les pièces, et mesurer la "
            "qualité de service."
        ),
        lawful_basis=(
            "Mission d'intérêt public (art. 6.1.e RGPD) : le service des prestations et "
            "l'information des allocataires confiés aux Caf par le Code de la sécurité sociale ; "
            "Code des relations entre le public et l'administration, L112-8 et suivants "
            "(saisine par voie électronique). Références précises à valider par le DPO."
        ),
        data_subjects=(
            "Allocataires et personnes qui contactent la Caf ; mandataires ; agents de la Caf."
        ),
        recipients=(
            "Agents habilités de la Caf ; partenaires mandatés par l'allocataire (Espaces "
            "France Services, points relais) pour les rendez-vous qu'ils prennent ; prestataire "
            "d'envoi de SMS (sous-traitant)."
        ),
    ),
    Processing(
        key="security",
        name="Sécurité du système d'information",
        purpose=(
            "Tracer les accès et les actions sur les dossiers, authentifier les utilisateurs et "
            "les partenaires, détecter et instruire les usages abusifs, prouver les effacements "
            "et les exports."
        ),
        lawful_basis=(
            "Obligation légale de sécurité (art. 5.1.f et 32 RGPD) ; recommandation CNIL "
            "n° 2021-122 du 14 octobre 2021 relative à la journalisation."
        ),
        data_subjects="Agents, allocataires titulaires d'un compte, comptes des partenaires.",
        recipients=(
            "Délégué à la protection des données ; administrateurs ; responsable de la sécurité "
            "des systèmes d'information."
        ),
    ),
)

RULES: tuple[Rule, ...] = (
    Rule(
        key="household_file",
        label="Dossier allocataire",
        processing="benefits",
        tables=(
            "registry.Household",
            "registry.Membership",
            "registry.Person",
            "registry.Claim",
            "registry.Fact",
            "registry.ContactPoint",
            "registry.HouseholdAccount",
            "registry.ProcessingAct",
            "registry.ProcessingActFact",
            "entitlements.Entitlement",
            "entitlements.Payment",
            "entitlements.Adjustment",
        ),
        holds=(
            "identité et NIR des membres, composition du foyer, demandes, faits (ressources, "
            "logement, activité), droits calculés, paiements, rappels et indus, coordonnées "
            "déclarées, mandats, démarches, et tout ce qui se rattache encore au foyer "
            "(rendez-vous, appels, courriels, pièces)"
        ),
        runs_from="dernière activité du dossier (fin de droit, paiement, fait, contact)",
        months=24,
        basis=(
            "Prescription biennale de l'action en paiement des prestations et du recouvrement des "
            "indus (CSS, L553-1). Un foyer n'est jamais effacé tant qu'une demande est ouverte ni "
            "dans les 5 ans qui suivent son dernier indu : en cas de fraude ou de fausse "
            "déclaration le recouvrement se prescrit par 5 ans (C. civ., art. 2224 ; Cass. ass. "
            "plén., 17 mai 2023, n° 20-20.559), et l'outil ne sait pas encore si un indu est "
            "soldé."
        ),
        condition=(
            "foyer sans demande ouverte, sans indu depuis 5 ans et sans aucune activité depuis "
            "2 ans ; une personne n'est effacée qu'avec son dernier foyer ; le compte « Mon "
            "dossier » est désactivé et anonymisé"
        ),
    ),
    Rule(
        key="documents",
        label="Pièces justificatives",
        processing="benefits",
        tables=("channels.Document",),
        holds="pièces reçues (bulletins de salaire, RIB, pièces d'identité…) et leur fichier",
        runs_from="traitement de la pièce",
        months=60,
        basis=(
            "Preuve des faits qui fondent les droits tant qu'un indu peut être recouvré, y "
            "compris en cas de fraude : 5 ans (C. civ., art. 2224 ; CSS, L553-1)."
        ),
        condition="pièces traitées seulement ; une pièce en attente est gardée",
        confirmed=False,
    ),
    Rule(
        key="appointments",
        label="Rendez-vous",
        processing="contacts",
        tables=("reception.Appointment", "reception.Notification"),
        holds=(
            "rendez-vous (motif, canal, coordonnées pour les rappels) et SMS ou courriels envoyés"
        ),
        runs_from="fin du rendez-vous",
        months=24,
        basis=(
            "Suivi de la relation et réclamations sur l'accueil, indicateurs de l'année "
            "précédente ; alignée sur la prescription biennale (CSS, L553-1)."
        ),
        confirmed=False,
    ),
    Rule(
        key="tickets",
        label="Tickets d'accueil sur flux",
        processing="contacts",
        tables=("reception.Ticket",),
        holds="passage à l'accueil : motif, foyer s'il s'est identifié, attente, issue",
        runs_from="arrivée",
        months=12,
        basis="Indicateurs d'accueil de l'année écoulée.",
        confirmed=False,
    ),
    Rule(
        key="callbacks",
        label="Demandes de rappel",
        processing="contacts",
        tables=("channels.CallbackRequest",),
        holds="numéro à rappeler, motif, note de l'agent",
        runs_from="rappel effectué",
        months=12,
        basis="Indicateurs de la plateforme téléphonique de l'année écoulée.",
        condition="demandes rappelées seulement",
        confirmed=False,
    ),
    Rule(
        key="calls",
        label="Appels au 3230",
        processing="contacts",
        tables=("channels.Call",),
        holds="numéro appelant, file, attente, durée, foyer s'il s'est identifié",
        runs_from="appel",
        months=12,
        basis="Indicateurs de la plateforme téléphonique de l'année écoulée.",
        condition="un appel à l'origine d'une demande de rappel gardée est gardé avec elle",
        confirmed=False,
    ),
    Rule(
        key="email_threads",
        label="Courriels et pièces jointes",
        processing="contacts",
        tables=("channels.EmailThread", "channels.EmailMessage", "channels.EmailAttachment"),
        holds="échanges de courriels avec la Caf, pièces jointes et leurs fichiers",
        runs_from="dernier message du fil",
        months=24,
        basis=(
            "Un courriel peut prouver la date d'une déclaration ou d'une réclamation : "
            "prescription biennale (CSS, L553-1)."
        ),
        condition="fils clos seulement (répondus ou écartés au tri)",
        confirmed=False,
    ),
    Rule(
        key="quarantine",
        label="Courriels en quarantaine",
        processing="contacts",
        tables=("channels.QuarantinedEmail",),
        holds="message brut qui n'a pas pu être classé, et son fichier",
        runs_from="décision de l'agent (classé ou écarté)",
        months=6,
        basis="Vérifier le classement ou l'écart d'un message ; sans autre usage ensuite.",
        condition="quarantaines traitées seulement ; un message à examiner est gardé",
        confirmed=False,
    ),
    Rule(
        key="controls",
        label="Contrôles",
        processing="benefits",
        tables=(
            "controls.Control",
            "controls.ControlEvent",
            "controls.ControlFact",
            "controls.ControlAdjustment",
            "controls.DocumentRequest",
            "controls.ReceivedDocument",
            "controls.Visit",
            "controls.VisitReport",
            "controls.ControlResponse",
            "fraud.FileDeclined",
        ),
        holds=(
            "dossier de contrôle : origine, historique, pièces demandées et reçues, visite et "
            "rapport, réponse de l'allocataire, conclusion, rappels et indus qui en résultent, "
            "décision motivée de ne pas ouvrir de dossier de fraude sur une suspicion"
        ),
        runs_from="clôture du contrôle",
        months=60,
        basis=(
            "Le contrôle fonde les rappels et les indus et la qualification d'une fraude : il est "
            "gardé tant que leur recouvrement peut être poursuivi, 5 ans en cas de fraude (C. "
            "civ., art. 2224 ; CSS, L553-1 pour les 2 ans hors fraude)."
        ),
        condition="contrôles clos seulement ; le dossier allocataire effacé emporte les siens",
        confirmed=False,
    ),
    Rule(
        key="targeting",
        label="Scores de ciblage des contrôles",
        processing="benefits",
        tables=("controls.TargetingScore", "controls.TargetingDecision"),
        holds=(
            "score d'un foyer par le modèle de ciblage et valeurs des variables qui l'expliquent ; "
            "décision d'écarter un foyer de la liste, avec son motif"
        ),
        runs_from="calcul du score, ou décision pour un foyer écarté",
        months=6,
        basis=(
            "Le score ne fait que conseiller le choix des contrôles d'une campagne ; au-delà, il "
            "n'a plus d'usage. Quand une personne retient le foyer, le score et son explication "
            "sont copiés dans la décision, gardée avec le dossier de contrôle (règle Contrôles). "
            "Les versions du modèle (coefficients, sans donnée personnelle) sont gardées."
        ),
        condition="décisions d'écarter seulement ; une décision de contrôler suit son contrôle",
        confirmed=False,
    ),
    Rule(
        key="fraud",
        label="Dossiers de fraude",
        processing="benefits",
        tables=(
            "fraud.FraudFile",
            "fraud.FraudEvent",
            "fraud.FraudAdjustment",
            "fraud.IntentFinding",
            "fraud.FraudQualification",
            "fraud.FraudSanction",
            "fraud.FraudObservation",
            "fraud.Complaint",
        ),
        holds=(
            "dossier de fraude : faits établis, période, indus, éléments intentionnels et "
            "preuves, qualification et son auteur, procédure de sanction, observations de "
            "l'allocataire, décision, plainte et ses suites"
        ),
        runs_from="clôture du dossier",
        months=60,
        basis=(
            "La qualification de fraude fonde le recouvrement de l'indu par 5 ans (C. civ., art. "
            "2224) et le doublement des pénalités en cas de récidive dans les 3 ans (CSS, "
            "L114-17) ; même durée que le contrôle dont le dossier est issu."
        ),
        condition=(
            "dossiers clos seulement, et dont la plainte éventuelle a connu sa suite "
            "définitive ; le contrôle d'origine effacé emporte le dossier"
        ),
        confirmed=False,
    ),
    Rule(
        key="procedures",
        label="Démarches (canal de dépôt)",
        processing="contacts",
        tables=("channels.Procedure",),
        holds="démarche déposée, canal et date",
        runs_from="dépôt",
        months=36,
        basis="Taux de démarches en ligne des trois dernières années (indicateurs).",
        confirmed=False,
    ),
    Rule(
        key="mandates",
        label="Mandats aux partenaires",
        processing="contacts",
        tables=("outreach.Mandate",),
        holds="mandat donné par l'allocataire à un partenaire, pièce justificative",
        runs_from="expiration du mandat",
        months=24,
        basis=(
            "Preuve du consentement sous lequel un partenaire a agi : prescription biennale "
            "(CSS, L553-1)."
        ),
        confirmed=False,
    ),
    Rule(
        key="campaigns",
        label="Campagnes d'accès aux droits",
        processing="contacts",
        tables=("outreach.Campaign",),
        holds=(
            "foyers repérés par le datamining, montant estimé et explication du moteur, groupe "
            "(contacté ou de comparaison), SMS envoyés, résultat des appels"
        ),
        runs_from="planification de la campagne",
        months=36,
        basis=(
            "Mesure de l'effet des campagnes (droits ouverts dans les 6 mois, comparaison d'une "
            "année sur l'autre) et délai sans nouveau contact : 3 ans."
        ),
        confirmed=False,
    ),
    Rule(
        key="audit_trail",
        label="Journal d'audit",
        processing="security",
        tables=("core.AuditEvent", "core.AuditEventHousehold"),
        holds=(
            "qui a consulté, recherché, modifié, exporté ou effacé quoi, quand, pour quel foyer "
            "et pourquoi ; connexions réussies et refusées"
        ),
        runs_from="événement",
        months=36,
        basis=(
            "Contrôle interne des accès aux dossiers et réponse aux demandes d'accès : jusqu'à "
            "3 ans pour une journalisation de contrôle interne (CNIL, délibération n° 2021-122)."
        ),
        confirmed=False,
    ),
    Rule(
        key="login_attempts",
        label="Tentatives de connexion",
        processing="security",
        tables=("axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog"),
        holds="identifiant saisi, adresse IP, navigateur, date",
        runs_from="tentative",
        months=12,
        basis="Journalisation standard : de 6 mois à 1 an (CNIL, délibération n° 2021-122).",
    ),
    Rule(
        key="sessions",
        label="Sessions de connexion",
        processing="security",
        tables=("sessions.Session",),
        holds="session d'un utilisateur connecté",
        runs_from="expiration de la session",
        months=0,
        basis="Plus aucune utilité après expiration.",
    ),
    Rule(
        key="api_tokens",
        label="Jetons d'API des partenaires",
        processing="security",
        tables=("core.ApiToken",),
        holds="empreinte du jeton, compte du partenaire, dates d'usage et de révocation",
        runs_from="expiration du jeton",
        months=12,
        basis="Instruire un usage abusif signalé après l'expiration : 1 an (CNIL, n° 2021-122).",
    ),
    Rule(
        key="idempotency_keys",
        label="Réponses rejouables de l'API",
        processing="security",
        tables=("core.ApiIdempotencyKey",),
        holds="réponse donnée à une requête d'un partenaire (rendez-vous pris)",
        runs_from="expiration de la clé",
        months=0,
        basis="Ne sert qu'à répondre de même à une requête renvoyée, jusqu'à son expiration.",
    ),
    Rule(
        key="task_results",
        label="File d'envoi (résultats des tâches)",
        processing="security",
        tables=("django_tasks_db.DBTaskResult",),
        holds="tâche d'envoi d'un SMS ou d'un courriel, son résultat ou son erreur",
        runs_from="fin de la tâche",
        months=1,
        basis="Diagnostic des envois ; le statut de chaque message reste sur le message.",
        condition="tâches terminées seulement",
    ),
    Rule(
        key="import_journals",
        label="Journaux d'import",
        processing="security",
        tables=("core.ImportJournal",),
        holds="fichier importé, opérateur, lignes refusées et leur motif",
        runs_from="début de l'import",
        months=12,
        basis="Reprise et diagnostic des imports de l'année écoulée.",
        condition="un import d'origine est gardé tant qu'un doublon plus récent y renvoie",
        confirmed=False,
    ),
)

RULES_BY_KEY = {rule.key: rule for rule in RULES}
PROCESSINGS_BY_KEY = {processing.key: processing for processing in PROCESSINGS}


def rules_of(processing: Processing) -> list[Rule]:
    return [rule for rule in RULES if rule.processing == processing.key]


def markdown() -> str:
    """`docs/conservation.md` (French, for the DPO, the direction and auditors)."""
    lines = [
        "# Durées de conservation des données personnelles",
        "",
        "Une règle par nature de données : ce qu'elle contient, la date d'où court la durée, la "
        "durée et sa justification. Ce tableau est généré à partir du code "
        "(`justedroit/data_protection/retention.py`) ; un test vérifie qu'il n'a pas divergé. "
        "La commande `justedroit data_protection purge` l'applique (sans `--wet-run`, elle "
        "compte ce qu'elle effacerait sans rien effacer) ; le registre des traitements, page du "
        "délégué à la protection des données, en est tiré.",
        "",
        "Régénérer après une modification : `.venv/bin/python -m "
        "justedroit.data_protection.retention > docs/conservation.md`.",
        "",
        f"Une durée marquée « {TO_CONFIRM} » est une proposition : aucun texte ne la fixe, elle "
        "découle de la finalité.",
        "",
    ]
    for processing in PROCESSINGS:
        lines += [
            f"## {processing.name}",
            "",
            processing.purpose,
            "",
            f"Base légale : {processing.lawful_basis}",
            "",
            "| Données | Contenu | Court à partir de | Durée | Justification |",
            "|---|---|---|---|---|",
        ]
        for rule in rules_of(processing):
            duration = rule.duration + ("" if rule.confirmed else f" ({TO_CONFIRM})")
            reach = f" Règle : {rule.condition}." if rule.condition else ""
            lines.append(
                f"| {rule.label} (`{rule.key}`) | {rule.holds} | {rule.runs_from} | {duration} "
                f"| {rule.basis}{reach} |"
            )
        lines.append("")
    lines += [
        "## Règles communes",
        "",
        "- Les tables inaltérables (faits, droits, paiements, rappels et indus, journal d'audit) "
        "ne s'effacent que dans un effacement légal (`core.services.erasure_allowed`) : la base "
        "refuse toute suppression en dehors. Chaque effacement inscrit au journal d'audit son "
        "motif, le nombre de lignes effacées par table et les numéros allocataires effacés, "
        "dans la même transaction.",
        "- Les droits, paiements, rappels et indus d'un foyer ne s'effacent qu'avec son dossier "
        "entier : effacer un paiement d'un dossier vivant ferait recalculer un rappel.",
        "- Ce qui dépend d'une ligne effacée s'efface avec elle (notifications d'un rendez-vous, "
        "messages et pièces jointes d'un fil) ; les fichiers des pièces, pièces jointes et "
        "quarantaines sont supprimés du disque après la validation de la transaction.",
        "- Les comptes des agents relèvent de la gestion des habilitations, hors de ce tableau.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(), end="")
