"""Need-to-know: which kinds of a household's personal data each agent role sees, and why.

This table is the single source: each app's `perms.py` asks `needs(user, kind)`, and
`docs/need-to-know.md` is generated from it (a test keeps the two equal). A role not named sees no
household's data.
"""

from dataclasses import dataclass

from django.db import models

from justedroit.core.roles import Role


class DataKind(models.TextChoices):
    IDENTITY = "identity", "Identité"
    FULL_NIR = "full_nir", "NIR complet"
    CLAIMS = "claims", "Demandes"
    CONTACTS = "contacts", "Contacts"
    RESOURCES = "resources", "Ressources"
    PAYMENTS = "payments", "Paiements"
    EXPLANATIONS = "explanations", "Explications"
    DOCUMENTS = "documents", "Pièces"


DESCRIPTIONS = {
    DataKind.IDENTITY: "noms, dates de naissance, composition du foyer, commune ; NIR masqué",
    DataKind.FULL_NIR: "les 15 caractères du NIR",
    DataKind.CLAIMS: "prestations demandées et leur statut",
    DataKind.CONTACTS: "visites, rendez-vous, appels, courriels et pièces reçues (date et objet)",
    DataKind.RESOURCES: "revenus, loyer, activité, situation familiale (faits enregistrés)",
    DataKind.PAYMENTS: "paiements, rappels et indus",
    DataKind.EXPLANATIONS: "détail du calcul des droits d'un mois",
    DataKind.DOCUMENTS: "contenu des pièces reçues (bulletins de salaire, RIB, pièces d'identité)",
}


@dataclass(frozen=True)
class Need:
    kinds: frozenset[DataKind]
    why: str  # French: the work that requires these kinds, and nothing more


K = DataKind
_FRONT_LINE = frozenset({K.IDENTITY, K.CLAIMS, K.CONTACTS})
_FILE_WORK = _FRONT_LINE | {K.RESOURCES, K.PAYMENTS, K.EXPLANATIONS, K.DOCUMENTS}

NEEDS: dict[Role, Need] = {
    Role.RECEPTION: Need(
        _FRONT_LINE,
        "Identifie la personne, remet un ticket, prend un rendez-vous et dit où en est une "
        "demande ; oriente vers un gestionnaire pour tout ce qui touche aux montants et aux "
        "pièces. Le NIR masqué suffit à rapprocher la carte Vitale ou la pièce présentée.",
    ),
    Role.CASE_WORKER: Need(
        _FILE_WORK | {K.FULL_NIR},
        "Instruit les demandes et les changements de situation : enregistre les faits, traite "
        "les pièces, recalcule et explique les droits. Le NIR complet sert aux échanges avec les "
        "partenaires (impôts, France Travail, assurance maladie).",
    ),
    Role.CONTROLLER: Need(
        _FILE_WORK | {K.FULL_NIR},
        "Contrôle les déclarations sur pièces, sur place et par échanges de données : rapproche "
        "ressources, paiements et pièces ; le NIR complet identifie la personne auprès des "
        "partenaires interrogés.",
    ),
    Role.RECOVERY_AGENT: Need(
        _FILE_WORK | {K.FULL_NIR},
        "Recouvre les indus : origine et montant de la dette (paiements, explication), "
        "ressources pour le barème des retenues et les plans de remboursement, RIB ; le NIR "
        "complet identifie le débiteur dans les procédures auprès des tiers.",
    ),
    Role.CRA_SECRETARY: Need(
        _FILE_WORK,
        "Prépare le dossier de la Commission de recours amiable : la décision contestée, son "
        "calcul, les faits et les pièces. Le numéro allocataire identifie le dossier ; le NIR "
        "masqué suffit.",
    ),
    Role.CRA_MEMBER: Need(
        frozenset(),
        "Membre de la commission de recours amiable (administrateur de la Caf) : aucun dossier "
        "en général ; seulement, en lecture, les dossiers inscrits à l'ordre du jour des séances "
        "où il est convoqué (dette, ressources et charges, proposition du rapporteur).",
    ),
    Role.LEGAL: Need(
        frozenset(),
        "Défend la Caf devant les tribunaux : aucun dossier en général ; seulement les affaires "
        "contentieuses (décision contestée, dette, jugements) qu'il suit.",
    ),
    Role.VERIFIER: Need(
        _FILE_WORK | {K.FULL_NIR},
        "Vérifie pour la direction comptable un échantillon de dossiers liquidés : rapproche "
        "paiements, calcul, faits et pièces, et contrôle l'exactitude de l'immatriculation "
        "(NIR complet).",
    ),
    Role.ACCOUNTANT: Need(
        frozenset(),
        "Tient la comptabilité des créances d'indus : balances par année et par prestation, "
        "rapprochées des paiements et des indus notifiés ; aucun dossier individuel.",
    ),
    Role.MANAGER: Need(
        _FILE_WORK,
        "Supervise un échantillon des dossiers traités par son équipe et répond aux "
        "réclamations : voit ce que voit le gestionnaire, sauf le NIR complet, inutile à la "
        "supervision.",
    ),
    Role.ADMINISTRATOR: Need(
        _FRONT_LINE,
        "Paramètre l'outil et diagnostique les anomalies signalées (foyer introuvable, demande "
        "bloquée, contact mal classé) : l'identité, l'état des demandes et l'historique des "
        "contacts suffisent, sans ressources, paiements ni pièces.",
    ),
    Role.PROCESS_PILOT: Need(
        frozenset(),
        "Pilote un processus sur des indicateurs agrégés : aucun dossier individuel.",
    ),
    Role.DIRECTOR: Need(
        frozenset(),
        "Dirige à partir des indicateurs agrégés : aucun dossier individuel, sauf les dossiers "
        "de fraude soumis à sa décision (il prononce les sanctions, art. L114-17 CSS, et dépose "
        "les plaintes) : faits, indus et procédure de ces seuls dossiers.",
    ),
    Role.DATA_PROTECTION_OFFICER: Need(
        frozenset(),
        "Contrôle les accès dans le journal d'audit (numéros allocataires, agents, motifs) et "
        "répond aux demandes d'exercice des droits ; n'ouvre pas les dossiers : il exporte, à "
        "la demande d'une personne, tout ce qui la concerne (export RGPD, inscrit au journal).",
    ),
}


def needs(user, kind: DataKind) -> bool:
    """Whether the user's work needs this kind of data about any household."""
    need = NEEDS.get(getattr(user, "role", ""))
    return bool(user.is_active and user.is_agent and need is not None and kind in need.kinds)


def markdown() -> str:
    """The table of `docs/need-to-know.md` (French, for agents, managers and the DPO)."""
    kinds = list(DataKind)
    lines = [
        "# Besoin d'en connaître : ce que chaque rôle voit d'un dossier",
        "",
        "Chaque rôle d'agent ne voit d'un foyer que ce que son travail exige. Ce tableau est "
        "généré à partir du code (`justedroit/core/need_to_know.py`) ; un test vérifie qu'il "
        "n'a pas divergé et qu'aucune page ne montre à un rôle une donnée qui n'y figure pas.",
        "",
        "Régénérer après une modification : `.venv/bin/python -m justedroit.core.need_to_know "
        "> docs/need-to-know.md`.",
        "",
        "## Données d'un dossier",
        "",
        *[f"- **{kind.label}** : {DESCRIPTIONS[kind]}." for kind in kinds],
        "",
        "## Qui voit quoi",
        "",
        "| Rôle | " + " | ".join(kind.label for kind in kinds) + " |",
        "|---|" + "---|" * len(kinds),
    ]
    for role, need in NEEDS.items():
        marks = ["oui" if kind in need.kinds else "—" for kind in kinds]
        lines.append(f"| {role.label} | " + " | ".join(marks) + " |")
    lines += ["", "## Pourquoi", ""]
    lines += [f"- **{role.label}** : {need.why}" for role, need in NEEDS.items()]
    lines += [
        "",
        "## Règles communes",
        "",
        "- Toute page qui affiche des données d'un foyer (dossier, recherche, écran du jour, files "
        "de travail, documents) inscrit au journal d'audit l'agent, l'heure, la page et les "
        "numéros allocataires affichés ; le délégué à la protection des données les retrouve par "
        "numéro allocataire.",
        "- Le motif d'une consultation se choisit dans un formulaire envoyé par POST ; il ne peut "
        "pas être imposé par un lien.",
        "- La recherche par NIR passe par un formulaire POST : le NIR saisi ne figure ni dans "
        "l'adresse de la page, ni dans les journaux du serveur, ni dans le journal d'audit, qui "
        "garde les numéros allocataires trouvés et une empreinte du NIR calculée avec la clé "
        "secrète de l'instance.",
        "- Le NIR masqué laisse voir le sexe, l'année et le mois de naissance et la clé "
        "(`2 90 05 •• ••• ••• 42`).",
        "- L'allocataire voit son propre dossier dans « Mon dossier » ; les partenaires ne voient "
        "aucun dossier en dehors des rendez-vous qu'ils prennent pour un allocataire.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(), end="")
