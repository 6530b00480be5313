"""The annual report's versions (the figures as they were when it was built), the free text each
section carries in a version, and the « Temps forts » news items the report includes."""

from django.db import models
from django.db.models import Q

from justedroit.core.models import User

TEXT_MAX = 5_000


class ReportVersion(models.Model):
    year = models.PositiveSmallIntegerField("année")
    number = models.PositiveIntegerField("version")
    built_at = models.DateTimeField("construite le")
    built_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # {code: {label, unit, value, previous, published}} as `Document.as_json()` gives them.
    figures = models.JSONField("chiffres")

    class Meta:
        ordering = ["year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="report_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="report_version_from_one"),
        ]

    def __str__(self) -> str:
        return f"Rapport {self.year}, version {self.number}"


class SectionText(models.Model):
    """The free text of a section in a version; a new version starts with the previous texts."""

    version = models.ForeignKey(ReportVersion, on_delete=models.PROTECT, related_name="texts")
    section = models.CharField("section", max_length=60)
    text = models.TextField("texte", max_length=TEXT_MAX)
    edited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    edited_at = models.DateTimeField("modifié le")

    class Meta:
        ordering = ["version", "section"]
        constraints = [
            models.UniqueConstraint(fields=["version", "section"], name="section_text_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.version}, section {self.section}"


class NewsItem(models.Model):
    """A « Temps forts » item: what the communication team tells of the year (text only)."""

    published_on = models.DateField("date")
    title = models.CharField("titre", max_length=200)
    text = models.TextField("texte", max_length=TEXT_MAX)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("créé le")

    class Meta:
        ordering = ["-published_on", "-pk"]

    def __str__(self) -> str:
        return self.title
