from django.db import models


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

    class Meta:
        verbose_name = "construction du jumeau"

    def __str__(self) -> str:
        return f"jumeau graine {self.seed} échelle {self.scale}"
