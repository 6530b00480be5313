import datetime as dt
import socket
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from justedroit.channels import storage
from justedroit.channels.models import Document, Outcome, Procedure, Routing
from justedroit.channels.services import documents
from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.registry.models import Fact

from .conftest import PDF, PNG


def test_online_upload_is_sniffed_stored_outside_the_web_root_and_queued(household, document_dir):
    document = documents.document_upload(
        household=household, kind="payslip", filename="fiche.exe", content=PDF, acting_user=None
    )
    assert (document.content_type, document.routing, document.channel) == (
        "application/pdf",
        Routing.MANUAL,
        "online",
    )
    stored = document_dir / document.stored_name
    assert stored.read_bytes() == PDF
    assert document.stored_name != "fiche.exe" and len(document.stored_name) == 32


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00 not a pdf", "ni un PDF"),
        (b"", "vide"),
        (PNG + b"\0" * 2048, "taille maximale"),
    ],
)
def test_a_bad_upload_stores_nothing(household, document_dir, settings, content, message):
    settings.CHANNELS_DOCUMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match=message):
        documents.document_upload(
            household=household,
            kind="payslip",
            filename="ok.pdf",
            content=content,
            acting_user=None,
        )
    assert not Document.objects.exists()
    assert not document_dir.exists() or not any(document_dir.iterdir())


def _fake_clamd(path, answer: bytes):
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)

    def serve():
        conn, _ = server.accept()
        with conn:
            data = b""
            while not data.endswith(b"\0\0\0\0"):
                data += conn.recv(65536)
            conn.sendall(answer)
        server.close()

    threading.Thread(target=serve, daemon=True).start()


def test_clamav_adapter_refuses_an_infected_file(household, settings, tmp_path):
    path = tmp_path / "clamd.sock"
    _fake_clamd(path, b"stream: Eicar-Test-Signature FOUND\0")
    settings.CHANNELS_CLAMAV_SOCKET = str(path)
    with pytest.raises(storage.VirusFound):
        documents.document_upload(
            household=household, kind="payslip", filename="a.pdf", content=PDF, acting_user=None
        )
    assert not Document.objects.exists()
    clean = tmp_path / "clean.sock"
    _fake_clamd(clean, b"stream: OK\0")
    settings.CHANNELS_CLAMAV_SOCKET = str(clean)
    assert (
        documents.document_upload(
            household=household, kind="payslip", filename="a.pdf", content=PDF, acting_user=None
        ).scan_result
        == "clean"
    )


def test_without_clamav_uploads_are_closed_outside_development(household, settings):
    settings.DEBUG, settings.CHANNELS_VIRUS_SCANNER = False, ""
    with pytest.raises(ValidationError, match="pas configurée"):
        documents.document_upload(
            household=household, kind="payslip", filename="a.pdf", content=PDF, acting_user=None
        )
    assert not Document.objects.exists()


def _lines(household, month, amounts):
    person = household.memberships.get().person_id
    return [
        documents.DeclarationLine(person, "salary", month.replace(month=month.month + i), amount)
        for i, amount in enumerate(amounts)
    ]


def test_a_structured_declaration_becomes_facts_automatically(household, claimant):
    document = documents.resources_declaration_submit(
        household=household,
        lines=_lines(household, dt.date(2022, 10, 1), [Decimal("1200"), Decimal("1250"), 0]),
        acting_user=claimant,
    )
    assert (document.routing, document.outcome) == (Routing.AUTOMATIC, Outcome.INTEGRATED)
    facts = Fact.objects.filter(household=household).order_by("valid_from")
    assert [(f.valid_from.month, f.amount, f.source) for f in facts] == [
        (10, Decimal("1200.00"), "declaration"),
        (11, Decimal("1250.00"), "declaration"),
        (12, Decimal("0.00"), "declaration"),
    ]
    assert Procedure.objects.get().channel == "online"


def test_a_declaration_no_rule_can_integrate_goes_to_the_manual_queue(household, claimant):
    month = dt.date(2022, 10, 1)
    lines = _lines(household, month, [Decimal("1200")]) * 2  # same month twice: overlap
    document = documents.resources_declaration_submit(
        household=household, lines=lines, acting_user=claimant
    )
    assert (document.routing, document.outcome) == (Routing.MANUAL, "")
    assert "chevauche" in document.note
    assert not Fact.objects.exists()


def test_case_worker_processes_the_manual_queue(household, make_user):
    document = documents.document_upload(
        household=household, kind="rent_receipt", filename="q.pdf", content=PDF, acting_user=None
    )
    worker = make_user(Role.CASE_WORKER)
    with pytest.raises(ValidationError, match="pourquoi"):
        documents.document_process(document=document, outcome="rejected", acting_user=worker)
    done = documents.document_process(document=document, outcome="accepted", acting_user=worker)
    assert done.outcome == Outcome.ACCEPTED and done.processed_by == worker
    with pytest.raises(ValidationError, match="déjà traité"):
        documents.document_process(document=document, outcome="accepted", acting_user=worker)


def test_processing_a_document_from_its_page_says_which_and_how(client, household, make_user):
    document = documents.document_upload(
        household=household, kind="rent_receipt", filename="q.pdf", content=PDF, acting_user=None
    )
    client.force_login(make_user(Role.CASE_WORKER))
    url = reverse("channels:document_detail", args=[document.pk])
    response = client.post(url, {"outcome": "accepted"}, follow=True)
    said = (
        f"Document « {document.get_kind_display()} » du foyer {household.number} : pris en compte."
    )
    assert said in response.content.decode()


def test_file_is_streamed_only_with_permission_and_audited(client, household, make_user):
    document = documents.document_upload(
        household=household, kind="payslip", filename="a.pdf", content=PDF, acting_user=None
    )
    url = f"/agents/canaux/documents/{document.pk}/fichier/"
    client.force_login(make_user(Role.DIRECTOR))
    assert client.get(url).status_code == 403
    client.force_login(make_user(Role.CASE_WORKER))
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="view", object_id=str(document.pk)).exists()


def test_portal_upload_refuses_a_file_lying_about_its_type(client, claimant, household):
    client.force_login(claimant)
    fake = SimpleUploadedFile("photo.png", b"GIF89a not allowed", content_type="image/png")
    response = client.post("/mon-dossier/documents/", {"kind": "payslip", "file": fake})
    assert response.status_code == 400
    assert "ni un PDF" in response.content.decode()
    assert not Document.objects.exists()
    good = SimpleUploadedFile("scan.png", PNG, content_type="image/png")
    assert (
        client.post("/mon-dossier/documents/", {"kind": "payslip", "file": good}).status_code == 302
    )
    assert Document.objects.get().content_type == "image/png"


def test_portal_declaration_integrates_into_the_registry(client, claimant, household):
    client.force_login(claimant)
    person = household.memberships.get().person_id
    response = client.post(
        "/mon-dossier/declaration/",
        {
            "first_month": "2022-09",
            "person": person,
            "kind": "salary",
            "amount_1": "900",
            "amount_2": "950",
            "amount_3": "1000",
        },
    )
    assert response.status_code == 302
    assert Fact.objects.filter(household=household, source="declaration").count() == 3
