"""Who uses Juste Droit. Permissions are functions of the role (see each app's perms.py)."""

from django.db import models


class Role(models.TextChoices):
    RECEPTION = "reception", "Accueil"
    CASE_WORKER = "case_worker", "Gestionnaire-conseil"
    CONTROLLER = "controller", "Contrôleur"
    RECOVERY_AGENT = "recovery_agent", "Agent de recouvrement"
    CRA_SECRETARY = "cra_secretary", "Secrétariat CRA"
    CRA_MEMBER = "cra_member", "Membre de la CRA"
    LEGAL = "legal", "Service juridique (contentieux)"
    VERIFIER = "verifier", "Vérificateur (direction comptable)"
    ACCOUNTANT = "accountant", "Agent comptable"
    MANAGER = "manager", "Manager / superviseur"
    PROCESS_PILOT = "process_pilot", "Pilote de processus"
    DIRECTOR = "director", "Direction"
    ADMINISTRATOR = "administrator", "Administrateur"
    DATA_PROTECTION_OFFICER = "dpo", "Délégué à la protection des données"
    CLAIMANT = "claimant", "Allocataire"
    PARTNER_EFS = "partner_efs", "Partenaire Espace France Services"
    PARTNER_RELAY = "partner_relay", "Partenaire point relais Caf"


AGENT_ROLES = frozenset(
    {
        Role.RECEPTION,
        Role.CASE_WORKER,
        Role.CONTROLLER,
        Role.RECOVERY_AGENT,
        Role.CRA_SECRETARY,
        Role.CRA_MEMBER,
        Role.LEGAL,
        Role.VERIFIER,
        Role.ACCOUNTANT,
        Role.MANAGER,
        Role.PROCESS_PILOT,
        Role.DIRECTOR,
        Role.ADMINISTRATOR,
        Role.DATA_PROTECTION_OFFICER,
    }
)
PARTNER_ROLES = frozenset({Role.PARTNER_EFS, Role.PARTNER_RELAY})
