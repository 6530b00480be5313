"""Writes of the annual report: a new version with the figures of the moment, a section's free
text, a « Temps forts » item; and the targets of the dashboards. Each in one transaction with
its audit row."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from justedroit.channels import storage
from justedroit.core import clock
from justedroit.core.audit import audit_record
from justedroit.core.indicators import registered
from justedroit.core.models import AuditAction, User
from justedroit.reporting.document import SECTIONS, Document
from justedroit.reporting.models import (
    ALT_MAX,
    SOURCE_MAX,
    TEXT_MAX,
    NewsItem,
    ReportVersion,
    SectionText,
    Target,
)
from justedroit.reporting.selectors import current_texts

SECTION_SLUGS = frozenset(section.slug for section in SECTIONS)


def _figures(document: Document) -> dict:
    return {
        row["code"]: {k: row[k] for k in ("label", "unit", "value", "previous", "published")}
        for section in document.as_json()["sections"]
        for part in section["parts"]
        for row in part["indicators"]
    }


def report_version_create(*, document: Document, acting_user: User) -> ReportVersion:
    """Keep the document's figures as the year's next version; the section texts of the version
    before are carried over, to be edited in the new one."""
    with transaction.atomic():
        last = (
            ReportVersion.objects.select_for_update()
            .filter(year=document.year)
            .order_by("-number")
            .first()
        )
        version = ReportVersion.objects.create(
            year=document.year,
            number=(last.number + 1) if last else 1,
            built_at=clock.now(),
            built_by=acting_user,
            figures=_figures(document),
        )
        if last is not None:
            SectionText.objects.bulk_create(
                SectionText(
                    version=version,
                    section=text.section,
                    text=text.text,
                    edited_by=text.edited_by,
                    edited_at=text.edited_at,
                )
                for text in current_texts(last).values()
            )
        audit_record(actor=acting_user, action=AuditAction.CREATE, obj=version)
    return version


def _text(value: str, *, field: str, max_length: int) -> str:
    value = value.strip()
    if not value:
        raise ValidationError(f"{field} : obligatoire.")
    if len(value) > max_length:
        raise ValidationError(f"{field} : {max_length} caractères au plus.")
    return value


def section_text_set(
    *, version: ReportVersion, section: str, text: str, acting_user: User
) -> SectionText:
    """Set a section's free text in the year's last version (an empty text shows nothing)."""
    if section not in SECTION_SLUGS:
        raise ValidationError("Section inconnue.")
    text = text.strip()
    if len(text) > TEXT_MAX:
        raise ValidationError(f"Texte : {TEXT_MAX} caractères au plus.")
    with transaction.atomic():
        newest = ReportVersion.objects.select_for_update().filter(year=version.year).last()
        if newest is None or newest.pk != version.pk:
            raise ValidationError(
                "Seule la dernière version du rapport peut être modifiée : rechargez la page."
            )
        kept = SectionText.objects.create(
            version=version,
            section=section,
            text=text,
            edited_by=acting_user,
            edited_at=clock.now(),
        )
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            obj=version,
            detail={"section": section, "texte": text},
        )
    return kept


# A « Temps forts » image: a photograph or an illustration, small enough for the PDF.
IMAGE_TYPES = {"image/jpeg": "jpeg", "image/png": "png"}
IMAGE_MAX_BYTES = 2 * 1024 * 1024


def _checked_image(content: bytes) -> storage.CheckedFile:
    """The image's real type from its content, scanned; a French message when it is too big or
    not a JPEG or PNG image."""
    if len(content) > IMAGE_MAX_BYTES:
        raise ValidationError(f"L'image dépasse {IMAGE_MAX_BYTES // (1024 * 1024)} Mo.")
    checked = storage.check_upload(content)
    if checked.content_type not in IMAGE_TYPES:
        raise ValidationError("L'image doit être au format JPEG ou PNG.")
    storage.virus_scanner().scan(checked.content)
    return checked


def news_item_create(
    *,
    published_on: dt.date,
    title: str,
    text: str,
    acting_user: User,
    image: bytes | None = None,
    image_alt: str = "",
) -> NewsItem:
    """A « Temps forts » item; with an image, its description (the text alternative) too. The
    image is stored first and removed again if the item is not written."""
    title = _text(title, field="Titre", max_length=200)
    text = _text(text, field="Texte", max_length=TEXT_MAX)
    checked = None
    if image:
        image_alt = _text(image_alt, field="Description de l'image", max_length=ALT_MAX)
        checked = _checked_image(image)
    elif image_alt.strip():
        raise ValidationError("Description de l'image : joignez l'image qu'elle décrit.")
    name = storage.store(checked.content) if checked else ""
    try:
        with transaction.atomic():
            item = NewsItem.objects.create(
                published_on=published_on,
                title=title,
                text=text,
                image=name,
                image_type=checked.content_type if checked else "",
                image_alt=image_alt.strip() if checked else "",
                created_by=acting_user,
                created_at=clock.now(),
            )
            audit_record(actor=acting_user, action=AuditAction.CREATE, obj=item)
    except BaseException:
        if name:
            storage.remove(name)
        raise
    return item


def target_set(
    *, code: str, year: int, value: Decimal | None, source: str, acting_user: User
) -> Target:
    """Set (or, with no value, withdraw) the target of an indicator for a year; the audit row
    keeps the target it replaced."""
    if code not in {i.code for i in registered()}:
        raise ValidationError("Indicateur inconnu.")
    source = _text(source, field="Source", max_length=SOURCE_MAX)
    with transaction.atomic():
        before = Target.objects.select_for_update().filter(code=code, year=year).first()
        target, _ = Target.objects.update_or_create(
            code=code,
            year=year,
            defaults={
                "value": value,
                "source": source,
                "set_by": acting_user,
                "set_at": clock.now(),
            },
        )
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE if before else AuditAction.CREATE,
            obj=target,
            detail={
                "indicateur": code,
                "année": year,
                "cible": _plain(value),
                "source": source,
                "cible précédente": _plain(before.value) if before else None,
                "source précédente": before.source if before else None,
            },
        )
    return target


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
