from django.db import models

# The truth lives in its own package (import-linter protects it); Django finds it through here.
from justedroit.twin.truth.models import TruePeriod, TrueProcessing

__all__ = ["TruePeriod", "TrueProcessing", "TwinBuild", "TwinSimulation"]


class TwinBuild(models.Model):
    """One build of the synthetic Caf: its parameters and what it produced."""

    seed = models.PositiveIntegerField("graine")
    scale = models.DecimalField("échelle", max_digits=6, decimal_places=4)
    built_at = models.DateTimeField("construit le")
    households = models.PositiveIntegerField("foyers")
    persons = models.PositiveIntegerField("personnes")
    claims = models.PositiveIntegerField("demandes")
    facts = models.PositiveIntegerField("faits")
    seconds = models.DecimalField("durée (s)", max_digits=8, decimal_places=2)
    rights = models.JSONField("droits vérifiés par le moteur", default=dict)

    class Meta:
        verbose_name = "construction du jumeau"

    def __str__(self) -> str:
        return f"jumeau graine {self.seed} échelle {self.scale}"


class TwinSimulation(models.Model):
    """One simulator's run over a period (`twin simulate`): what it created."""

    simulator = models.CharField("simulateur", max_length=30)
    first_month = models.DateField("premier mois")
    last_month = models.DateField("dernier mois")
    simulated_at = models.DateTimeField("simulé le")
    counts = models.JSONField("volumes créés", default=dict)
    seconds = models.DecimalField("durée (s)", max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = "simulation du jumeau"
        constraints = [
            models.UniqueConstraint(
                fields=["simulator", "first_month", "last_month"],
                name="twin_simulation_once_per_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.simulator} {self.first_month:%Y-%m}..{self.last_month:%Y-%m}"
