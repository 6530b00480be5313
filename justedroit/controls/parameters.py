"""The control's dated parameters and legal texts (see docs/controles.md). Where the law or the
Cnaf's practice gives no figure, the value is a documented hypothesis."""

from decimal import Decimal

# Automated controls: a difference between a partner's amount and the amount paid on counts only
# when it is both ≥ 10 % of the larger of the two and ≥ 50 € for the month. Hypothesis: the Cnaf
# publishes no tolerance; these keep rounding, a few euros of bonus and timing noise out.
TOLERANCE_SHARE = Decimal("0.10")
TOLERANCE_EUROS = Decimal("50")
# How far back a discrepancy is settled: 2 years from each payment (art. L553-1 CSS; L821-7 CCH).
PRESCRIPTION_MONTHS = 24
# Referral to a controller (since 2021-01, the first month the platform controls): an automated
# control does not settle silently a discrepancy that looks like an omission a person must
# examine — resources under-declared by at least OMISSION_EUROS in all over the months compared,
# either on OMISSION_MONTHS months or more for one person and resource, or within
# REPEAT_MONTHS of an indu that an earlier automated control settled. It goes to a control on
# documents, where a controller establishes the facts and may suspect a fraud (docs/controles.md).
# Hypothesis: the Cnaf publishes no referral threshold; its fraud qualification looks at
# repeated omissions and at the amounts at stake, so a repeated under-declaration of 1 000 € or
# more (20 times the 50 € tolerance, below a month of net minimum wage) goes to a person, a
# one-off or small gap is settled as before.
OMISSION_EUROS = Decimal("1000")
OMISSION_MONTHS = 3
REPEAT_MONTHS = 12

# Controls on documents (art. L583-3 CSS): one month to send the documents (hypothesis: the
# Caf's usual letter), a reminder 7 days before the deadline (hypothesis), then payment suspended.
DOCUMENT_DELAY_DAYS = 30
REMINDER_DAYS_BEFORE = 7
# Contradictory procedure: the allocataire has 15 days to answer the findings before the decision
# (hypothesis; the charte du contrôle guarantees the right to answer, not a fixed delay).
RESPONSE_DELAY_DAYS = 15

SUSPENSION_NOTICE = (
    "Faute de réception des pièces demandées dans le délai fixé, le versement de vos prestations "
    "est suspendu (article L583-3 du code de la sécurité sociale et article L114-9 du même code "
    "pour le contrôle de l'exactitude des déclarations). Il reprendra dès réception des pièces : "
    "transmettez-les depuis votre espace « Mon dossier » ou par courrier. Vous pouvez contester "
    "cette décision devant la commission de recours amiable dans un délai de deux mois "
    "(article R142-1 du code de la sécurité sociale)."
)
REQUEST_NOTICE = (
    "Pour vérifier l'exactitude de vos déclarations (articles L114-9 et L583-3 du code de la "
    "sécurité sociale), merci de nous transmettre les pièces ci-dessous avant le {deadline}. "
    "Sans réponse à cette date, le versement de vos prestations sera suspendu."
)
FINDINGS_NOTICE = (
    "Procédure contradictoire : voici les constats du contrôle. Vous pouvez présenter vos "
    "observations et fournir toute pièce avant le {deadline} ; elles seront jointes au dossier "
    "avant toute décision. Une erreur commise de bonne foi et régularisée n'est pas sanctionnée "
    "(droit à l'erreur, article L123-1 du code des relations entre le public et "
    "l'administration) ; un éventuel indu reste dû."
)


def above_tolerance(paid_on: Decimal, exchanged: Decimal) -> bool:
    difference = abs(exchanged - paid_on)
    return difference >= TOLERANCE_EUROS and difference >= TOLERANCE_SHARE * max(
        abs(paid_on), abs(exchanged)
    )
