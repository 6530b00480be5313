"""The annual report's versions (the figures as they were when it was built), the free text each
section carries in a version, the « Temps forts » news items the report includes, and the
targets the direction sets on the indicators (shown on the dashboards).

Versions and texts are written once (`Immutable`: the ORM and the database's triggers refuse
UPDATE and DELETE): a text changed is a new row, the last one counts, the earlier ones stay as
the history. A target is changed in place, each change audited with the value it replaced."""

from django.db import models
from django.db.models import Q

from justedroit.core.models import Immutable, User

TEXT_MAX = 5_000
SOURCE_MAX = 300
ALT_MAX = 300


class ReportVersion(Immutable):
    immutable_message = "Une version du rapport ne se modifie pas : construisez-en une nouvelle."

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


class SectionText(Immutable):
    """The free text of a section in a version, each edit a new row (the last one is shown); a
    new version starts with the previous version's texts."""

    immutable_message = "Un texte enregistré ne se modifie pas : enregistrez-en un nouveau."

    version = models.ForeignKey(ReportVersion, on_delete=models.PROTECT, related_name="texts")
    section = models.CharField("section", max_length=60)
    text = models.TextField("texte", max_length=TEXT_MAX)
    edited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    edited_at = models.DateTimeField("modifié le")

    class Meta:
        ordering = ["version", "section", "edited_at", "pk"]

    def __str__(self) -> str:
        return f"{self.version}, section {self.section}"


class NewsItem(models.Model):
    """A « Temps forts » item: what the communication team tells of the year, with an optional
    image (JPEG or PNG, kept by `channels.storage` outside the web root) and its description."""

    published_on = models.DateField("date")
    title = models.CharField("titre", max_length=200)
    text = models.TextField("texte", max_length=TEXT_MAX)
    image = models.CharField("image (nom de stockage)", max_length=64, blank=True)
    image_type = models.CharField("type de l'image", max_length=20, blank=True)
    image_alt = models.CharField("description de l'image", max_length=ALT_MAX, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("créé le")

    class Meta:
        ordering = ["-published_on", "-pk"]
        constraints = [
            # An image always has its type and its text alternative.
            models.CheckConstraint(
                condition=Q(image="", image_type="", image_alt="")
                | (~Q(image="") & ~Q(image_type="") & ~Q(image_alt="")),
                name="news_image_described",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Target(models.Model):
    """A target on an indicator of the registry for a year, set by the direction (an empty value:
    no target). Its source says where it comes from, or « hypothèse »; every change is in the
    audit trail with the value it replaced."""

    code = models.CharField("code de l'indicateur", max_length=60)
    year = models.PositiveSmallIntegerField("année")
    value = models.DecimalField("cible", max_digits=14, decimal_places=2, null=True, blank=True)
    source = models.CharField("source", max_length=SOURCE_MAX)
    # Empty for the targets the platform was delivered with (their source says where from).
    set_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    set_at = models.DateTimeField("fixée le")

    class Meta:
        verbose_name = "cible d'indicateur"
        ordering = ["code", "year"]
        constraints = [
            models.UniqueConstraint(fields=["code", "year"], name="reporting_target_once"),
            models.CheckConstraint(condition=~Q(source=""), name="reporting_target_has_source"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.year} : {self.value}"
