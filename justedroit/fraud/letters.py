"""The fraud domain's letters. Prevention letters (lettres de mise en garde) are written in the
batch's transaction and sent by the task queue (`fraud/tasks.py`, `core/sending.py`) the way the
cycle's letters are: by e-mail, or dropped in the print shop's folder for the post. The notice and
the decision are HTML pages drawn from the file (templates `fraud/letter_*.html`)."""

from justedroit.core import sending
from justedroit.cycle.letters import deliver, print_dir
from justedroit.fraud.models import PreventionLetter, PreventionRule
from justedroit.registry.models import Household

# What the Caf observed, by rule; then what every letter says.
PREVENTION_TEXTS = {
    PreventionRule.NEW_JOB_ON_RSA: (
        "Nos échanges d'informations avec les organismes partenaires indiquent qu'un membre de "
        "votre foyer perçoit un salaire, alors que votre dernière déclaration trimestrielle de "
        "ressources pour le revenu de solidarité active n'en mentionne pas."
    ),
    PreventionRule.LATE_AFTER_INDU: (
        "Un changement de votre situation nous a été déclaré après le paiement des mois qu'il "
        "concernait, et vos droits ont dû être recalculés. Au cours des douze derniers mois, un "
        "trop-perçu avait déjà été constaté à partir des informations de nos partenaires."
    ),
    PreventionRule.BELOW_REFERRAL: (
        "Nos échanges d'informations avec les organismes partenaires ont montré un écart entre "
        "les ressources que vous avez déclarées et celles que ces organismes nous ont "
        "transmises ; vos droits ont été recalculés à partir de leurs montants."
    ),
}
PREVENTION_COMMON = (
    "Tout changement de situation (reprise d'emploi, nouvelles ressources) doit être déclaré "
    "sans attendre : depuis votre espace « Mon dossier », à l'accueil ou par courrier. Une "
    "déclaration faite à temps évite un trop-perçu à rembourser.\n\n"
    "Ce courrier est une simple mise en garde : il n'est pas une décision. Si votre "
    "situation est déjà à jour, vous n'avez rien à faire. Une erreur commise de bonne foi "
    "et régularisée n'est pas sanctionnée (droit à l'erreur, article L123-1 du code des "
    "relations entre le public et l'administration) ; une omission délibérée peut l'être "
    "(article L114-17 du code de la sécurité sociale)."
)


def prevention_text(household: Household, rule: str) -> str:
    return "\n".join(
        [
            "Caf de la Vienne",
            f"Allocataire n° {household.number}",
            "",
            "Objet : pensez à déclarer vos changements de situation",
            "",
            "Madame, Monsieur,",
            "",
            PREVENTION_TEXTS[PreventionRule(rule)],
            "",
            PREVENTION_COMMON,
            "",
            "Nous restons à votre disposition pour vous accompagner.",
        ]
    )


def prevention_transmit(letter: PreventionLetter) -> dict:
    deliver(
        channel=letter.channel,
        recipient=letter.recipient,
        subject="Vos changements de situation — Caf de la Vienne",
        text=letter.text,
        folder=print_dir() / "mises-en-garde" / f"{letter.month:%Y-%m}",
        name=letter.household.number,
    )
    return {}


def prevention_describe(letter: PreventionLetter) -> sending.Description:
    return sending.Description(
        what=f"Lettre de mise en garde {letter.month:%m/%Y} ({letter.get_channel_display()})",
        recipient=letter.recipient or "adresse postale",
        household_number=letter.household.number,
    )
