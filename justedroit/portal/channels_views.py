"""The allocataire's contact pages: write to the Caf, send a document, declare resources. They
compose the channels' services and own no rule."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from justedroit.channels import selectors as channel_selectors
from justedroit.channels import storage
from justedroit.channels.forms import ContactForm, DeclarationForm, DocumentForm
from justedroit.channels.services import documents as document_services
from justedroit.channels.services import emails as email_services
from justedroit.channels.services.documents import DeclarationLine
from justedroit.core import clock, perms
from justedroit.core.web import requires, submit_form
from justedroit.registry import selectors
from justedroit.registry.models import MemberRole


def _household(request):
    account = getattr(request.user, "household_account", None)
    return account.household if account else None


def _no_file(request, template, context):
    """A claimant account not bound to a household: the page explains, nothing is written."""
    return render(request, template, context | {"household": None}, status=200)


@require_http_methods(["GET", "POST"])
@requires(perms.can_use_claimant_space)
def contact(request):
    household = _household(request)
    form = ContactForm(request.POST or None)
    if household is None:
        return _no_file(request, "portal/channels_contact.html", {"form": form})
    if done := submit_form(
        request,
        form,
        lambda data: email_services.contact_message_send(
            household=household,
            user=request.user,
            reason=data["reason"],
            subject=data["subject"],
            body=data["body"],
        ),
        said=lambda _: "Votre message est envoyé. Nous vous répondrons ici.",
        then=lambda _: redirect("portal:channels_contact"),
    ):
        return done
    return render(
        request,
        "portal/channels_contact.html",
        {
            "form": form,
            "household": household,
            "history": channel_selectors.household_messages(household),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@requires(perms.can_use_claimant_space)
def document_upload(request):
    household = _household(request)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if household is None:
        return _no_file(request, "portal/channels_documents.html", {"form": form})
    if done := submit_form(
        request,
        form,
        lambda data: document_services.document_upload(
            household=household,
            kind=data["kind"],
            filename=data["file"].name,
            content=storage.read_bounded(data["file"]),
            acting_user=request.user,
        ),
        said=lambda _: "Votre document est transmis.",
        then=lambda _: redirect("portal:channels_documents"),
        error_field="file",
    ):
        return done
    return render(
        request,
        "portal/channels_documents.html",
        {
            "form": form,
            "household": household,
            "documents": channel_selectors.household_documents(household),
            "max_mb": storage.max_bytes() // (1024 * 1024),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@requires(perms.can_use_claimant_space)
def declaration(request):
    household = _household(request)
    if household is None:
        return _no_file(request, "portal/channels_declaration.html", {"form": None})
    members = [
        m
        for m in selectors.members(household, on=clock.today())
        if m.role in (MemberRole.CLAIMANT, MemberRole.SPOUSE)
    ]
    form = DeclarationForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            first = clock.parse_month(data["first_month"])
            lines = [
                DeclarationLine(
                    data["person"], data["kind"], clock.add_months(first, i), Decimal(amount)
                )
                for i, amount in enumerate((data["amount_1"], data["amount_2"], data["amount_3"]))
            ]
            document = document_services.resources_declaration_submit(
                household=household, lines=lines, acting_user=request.user
            )
        except (ValueError, ValidationError) as error:
            form.add_error(
                None, " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            )
        else:
            messages.success(
                request,
                "Votre déclaration est enregistrée"
                + (
                    " et prise en compte."
                    if document.outcome
                    else " ; un gestionnaire la vérifiera."
                ),
            )
            return redirect("portal:channels_declaration")
    return render(
        request,
        "portal/channels_declaration.html",
        {"form": form, "household": household},
        status=400 if request.method == "POST" else 200,
    )
