"""Versions of the annual report, the free text of its sections and its « Temps forts »."""

import datetime as dt
import html
import io

import pypdf
import pytest
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from matplotlib.figure import Figure

from justedroit.core import clock
from justedroit.core.models import AuditAction, AuditEvent
from justedroit.core.roles import Role
from justedroit.registry.models import Benefit, Claim, ClaimStatus
from justedroit.reporting import document, renderers, selectors, services
from justedroit.reporting.models import NewsItem, ReportVersion, SectionText
from justedroit.reporting.perms import REPORT_EDITORS, REPORT_READERS
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db
REPORT = reverse("reporting:report")


def _version(user) -> ReportVersion:
    return services.report_version_create(
        document=document.document(selectors.indicator_report(2022, recompute=True)),
        acting_user=user,
    )


def test_a_rebuild_keeps_a_new_version_and_shows_what_changed(client, make_user):
    director = make_user(Role.DIRECTOR)
    client.force_login(director)
    assert client.post(REPORT + "?annee=2022", {"form": "version"}).status_code == 302
    first = ReportVersion.objects.get()
    assert first.number == 1 and first.figures["households"]["value"] == 0
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(first.pk)).exists()
    client.post(REPORT + "?annee=2022", {"form": "text", "section": "controle", "text": "Bilan."})
    # A late correction: a claim of 2022 recorded after the first version.
    Claim.objects.create(
        household=HouseholdFactory(),
        benefit=Benefit.AF,
        start_month=dt.date(2022, 1, 1),
        status=ClaimStatus.GRANTED,
        recorded_at=clock.now(),
    )
    client.post(REPORT + "?annee=2022", {"form": "version"})
    second = ReportVersion.objects.get(number=2)
    assert second.figures["households"]["value"] == 1
    # The section texts go on with the new version.
    assert second.texts.get().text == "Bilan."
    page = client.get(reverse("reporting:report_version", args=[2022, 2])).content.decode()
    assert "Ce qui a changé depuis la version 1" in page
    assert '<th scope="row">Foyers allocataires</th><td>valeur de l&#x27;année</td>' in page
    assert client.get(reverse("reporting:report_version", args=[2022, 3])).status_code == 404


def test_section_text_is_kept_with_the_last_version_and_audited(client, make_user):
    director = make_user(Role.DIRECTOR)
    client.force_login(director)
    early = {"form": "text", "section": "controle", "text": "Trop tôt"}
    refused = client.post(REPORT + "?annee=2022", early)
    assert refused.status_code == 400
    assert "Enregistrez d'abord une version" in refused.content.decode()
    assert not SectionText.objects.exists()
    assert client.post(REPORT + "?annee=2022", {"form": "autre"}).status_code == 400
    first = _version(director)
    client.force_login(director)
    sent = {"form": "text", "section": "acces-aux-droits", "text": "Une année de partenariats."}
    assert client.post(REPORT + "?annee=2022", sent).status_code == 302
    kept = SectionText.objects.get(version=first)
    assert kept.edited_by == director and kept.text == "Une année de partenariats."
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, detail__section="acces-aux-droits"
    ).exists()
    page = client.get(REPORT, {"annee": "2022"}).content.decode()
    assert "<p>Une année de partenariats.</p>" in page
    assert "Texte de u-director, modifié le" in page
    _version(director)
    with pytest.raises(ValidationError, match="dernière version"):
        services.section_text_set(
            version=first, section="controle", text="Trop tard", acting_user=director
        )
    with pytest.raises(ValidationError, match="Section inconnue"):
        services.section_text_set(
            version=ReportVersion.objects.last(), section="x", text="?", acting_user=director
        )


def test_news_items_are_shown_in_the_report(client, make_user):
    client.force_login(make_user(Role.DIRECTOR))
    news = {
        "form": "news",
        "published_on": "2022-05-05",
        "title": "Inauguration de la Plateforme de service",
        "text": "Cinq mois après son installation…",
    }
    assert client.post(REPORT + "?annee=2022", news).status_code == 302
    page = client.get(REPORT, {"annee": "2022"}).content.decode()
    assert "<h3>Inauguration de la Plateforme de service</h3>" in page
    assert '<time datetime="2022-05-05">05/05/2022</time>' in page
    refused = client.post(REPORT + "?annee=2022", news | {"title": "  "})
    assert refused.status_code == 400 and "Ce champ est obligatoire" in refused.content.decode()
    assert NewsItem.objects.count() == 1


@pytest.mark.parametrize("role", list(Role))
def test_who_reads_and_who_writes_the_report(client, make_user, role):
    version = _version(make_user(Role.ADMINISTRATOR, "admin-maker"))
    client.force_login(make_user(role))
    page = client.get(reverse("reporting:report_version", args=[2022, version.number]))
    assert page.status_code == (200 if role in REPORT_READERS else 403)
    before = ReportVersion.objects.count(), NewsItem.objects.count()
    posted = client.post(REPORT + "?annee=2022", {"form": "version"})
    if role in REPORT_EDITORS:
        assert posted.status_code == 302
    else:
        assert posted.status_code == 403
        assert (ReportVersion.objects.count(), NewsItem.objects.count()) == before


@pytest.fixture
def document_dir(settings, tmp_path):
    settings.CHANNELS_DOCUMENT_DIR = tmp_path / "documents"
    settings.CHANNELS_CLAMAV_SOCKET = ""
    settings.CHANNELS_VIRUS_SCANNER = "noop"  # tests only; production uses ClamAV
    return settings.CHANNELS_DOCUMENT_DIR


def _png() -> bytes:
    out = io.BytesIO()
    Figure(figsize=(1, 1), dpi=20).savefig(out, format="png")
    return out.getvalue()


NEWS = {
    "form": "news",
    "published_on": "2022-05-05",
    "title": "Inauguration de la Plateforme de service",
    "text": "Cinq mois après son installation…",
}


def test_a_news_item_shows_its_image_in_the_page_and_the_pdf(client, make_user, document_dir):
    client.force_login(make_user(Role.DIRECTOR))
    png = _png()
    sent = NEWS | {
        "image": SimpleUploadedFile("photo.jpg", png),  # its name says JPEG: its content rules
        "image_alt": "Les agents devant la Plateforme",
    }
    assert client.post(REPORT + "?annee=2022", sent).status_code == 302
    item = NewsItem.objects.get()
    assert item.image_type == "image/png"
    assert (document_dir / item.image).read_bytes() == png
    page = client.get(REPORT, {"annee": "2022"}).content.decode()
    assert '<img class="news-image" src="data:image/png;base64,' in page
    assert 'alt="Les agents devant la Plateforme"' in page
    pdf = renderers.pdf(document.document(selectors.indicator_report(2022)))
    assert sum(len(page.images) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1


@pytest.mark.parametrize(
    "content, alt, message",
    [
        (lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "Un PDF", "JPEG ou PNG."),
        (lambda: b"GIF89a" + b"\0" * 64, "Un GIF", "ni un PDF, ni une image JPEG ou PNG"),
        (lambda: _png() + b"\0" * services.IMAGE_MAX_BYTES, "Grande", "L'image dépasse 2 Mo."),
        (_png, "", "Description de l'image : obligatoire."),
    ],
    ids=["pdf", "gif", "too-big", "no-description"],
)
def test_a_wrong_image_is_refused_in_french_and_nothing_is_kept(
    client, make_user, document_dir, content, alt, message
):
    client.force_login(make_user(Role.DIRECTOR))
    sent = NEWS | {"image": SimpleUploadedFile("image.png", content()), "image_alt": alt}
    refused = client.post(REPORT + "?annee=2022", sent)
    assert refused.status_code == 400
    assert message in html.unescape(refused.content.decode())
    assert NewsItem.objects.count() == 0
    assert not document_dir.exists() or not any(document_dir.iterdir())


def test_a_corrected_text_is_a_new_row_the_last_shown_and_carried_over(make_user):
    director = make_user(Role.DIRECTOR)
    first = _version(director)
    for text in ("Premier jet.", "Texte relu."):
        services.section_text_set(
            version=first, section="controle", text=text, acting_user=director
        )
    assert list(first.texts.values_list("text", flat=True)) == ["Premier jet.", "Texte relu."]
    assert selectors.current_texts(first)["controle"].text == "Texte relu."
    second = _version(director)
    assert list(second.texts.values_list("text", flat=True)) == ["Texte relu."]


def test_the_pdf_is_drawn_once_for_a_report_and_again_when_its_text_changes(make_user, monkeypatch):
    drawn = []
    monkeypatch.setattr(renderers, "html_to_pdf", lambda page: drawn.append(page) or b"%PDF")
    caches["renders"].clear()
    version = _version(make_user(Role.DIRECTOR))
    report = document.document(selectors.indicator_report(2022))
    renderers.pdf(report)
    renderers.pdf(report)
    assert len(drawn) == 1
    services.section_text_set(
        version=version, section="controle", text="Une année.", acting_user=version.built_by
    )
    renderers.pdf(report)
    assert len(drawn) == 2 and "Une année." in drawn[1]
