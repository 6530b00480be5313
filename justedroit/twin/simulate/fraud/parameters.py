"""The twin's fraud team and its controllers' suspicion: how often a control that establishes a
deliberate concealment gathers the elements of intent, how the fraud team, the allocataires and
the director go through the procedure, and how many prevention letters the Caf sends, each with
its source or « hypothèse » and its reasoning.

None of these is a published total: the fraud cases and their amount emerge from the truth's
deliberate concealments (justedroit/twin/simulate/truth/parameters.py, `change_declared`
« deliberate » and `hidden_deliberate`, calibrated elsewhere) that the twin's controllers find,
times the chances below; the prejudice is what the engine recomputes for the fraudulent period.
"""

from dataclasses import dataclass

from justedroit.fraud.parameters import PREVENTION_LETTERS_PER_YEAR
from justedroit.twin.simulate.parameters import HYPOTHESIS, parameter

REPORT_2022 = (
    "Caf de la Vienne, rapport d'activité 2022 (« Le contrôle des allocataires pour un paiement "
    "juste et vérifié » : 506 lettres de mise en garde en 2022)"
)


@dataclass(frozen=True)
class FraudParameters:
    reveals_intent: dict[str, float] = parameter(
        {"on_site": 0.8, "documents": 0.6},
        "hypothèse (aucune part publiée) : sur place, le contrôleur recueille les déclarations "
        "de l'allocataire et du voisinage, voit le conjoint ou le logement vide, et rapproche ce "
        "qu'il constate des déclarations trimestrielles signées « isolé(e) » ou « en France » : "
        "l'intention apparaît le plus souvent ; sur pièces, les relevés bancaires montrent les "
        "ressources ou l'adresse mais moins souvent ce qui prouve que le changement était connu et "
        "tu. Un contrôle automatisé ne soupçonne jamais : il règle un écart sans qu'une personne "
        "ait rien examiné, ou le renvoie à un contrôle sur pièces, et c'est ce contrôle qui décide",
        "chance qu'un contrôle (sur place, sur pièces) qui établit une dissimulation délibérée "
        "réunisse des éléments d'intention et conclue à une suspicion de fraude",
    )
    intent_proven: float = parameter(
        0.85,
        "hypothèse : le service fraude retient la fraude quand un élément intentionnel est "
        "établi avec sa preuve (art. L114-17 CSS, fraude = intention) ; une part des dossiers "
        "soupçonnés n'en réunit pas assez (aveu rétracté, pièces ambiguës) et reste une faute",
        "part des dossiers ouverts sur une dissimulation délibérée dont l'intention est prouvée "
        "(qualifiés « fraude » ; les autres « faute »)",
    )
    investigation_months: int = parameter(
        1,
        "hypothèse (le référent fraude instruit le dossier à partir du rapport de contrôle ; "
        "l'élément intentionnel est le plus souvent déjà au dossier)",
        "mois entre l'ouverture du dossier et sa qualification",
    )
    observations_share: float = parameter(
        0.5,
        HYPOTHESIS,
        "allocataires qui présentent des observations (en ligne) dans le mois suivant l'avis",
    )
    warning_share: dict[str, float] = parameter(
        {"fraud": 0.2, "fault": 0.6},
        "hypothèse (l'avertissement, possible depuis le 16/12/2020, sert surtout aux fautes sans "
        "intention et aux petites fraudes ; la pénalité reste la règle pour une fraude)",
        "part des dossiers, selon la qualification, où le directeur adresse un avertissement "
        "plutôt que de poursuivre la pénalité devant la commission",
    )
    penalty_paid_share: float = parameter(
        0.7,
        "hypothèse (les autres ne paient pas : à l'échéance, le cycle de la Caf en fait une dette "
        "recouvrée par retenues sur prestations, L114-17 I CSS)",
        "pénalités réglées dans les deux mois de la décision (enregistrées le mois suivant)",
    )
    prevention_letters_per_year: int = parameter(
        PREVENTION_LETTERS_PER_YEAR,
        REPORT_2022
        + " ; c'est le volume que la Caf a choisi d'envoyer, non une conséquence de la règle : "
        "il sert de capacité au cycle de la Caf (étape `prevention_letters`, un douzième par "
        "mois, à l'échelle du jumeau), les règles de prévention désignent les foyers et la Caf "
        "écrit aux premiers dans la limite ; si les règles en désignent moins, le jumeau en "
        "envoie moins",
        "lettres de mise en garde que la Caf peut envoyer par an, à l'échelle 1",
    )


PARAMETERS = FraudParameters()
