from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from justedroit.channels import perms, selectors, storage
from justedroit.channels.forms import AssignForm, PaperDocumentForm, ProcessForm, ReplyForm
from justedroit.channels.models import EmailThread
from justedroit.channels.services import calls, documents, emails
from justedroit.channels.services.common import contact_consult
from justedroit.core import clock
from justedroit.core.audit import display_record
from justedroit.core.web import consultation_reason, requires, year_param
from justedroit.registry import selectors as registry


@require_http_methods(["GET", "POST"])
@requires(perms.can_view_contact_queues, post=perms.can_complete_callback)
def home(request):
    if request.method == "POST":
        callback = selectors.callback_by_pk(request.POST.get("callback"))
        if callback is None:
            raise Http404
        try:
            calls.callback_request_complete(
                callback=callback, acting_user=request.user, note=request.POST.get("note", "")
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Rappel noté comme effectué.")
        return redirect("channels:home")
    threads = list(selectors.waiting_threads()[:50])
    documents = list(selectors.manual_queue()[:50])
    callbacks = list(selectors.callback_queue()[:50])
    if threads or documents or callbacks:
        display_record(
            actor=request.user,
            page="Files de travail des canaux (courriels, documents, rappels)",
            households=[
                row.household.number for row in (*threads, *documents, *callbacks) if row.household
            ],
        )
    return render(
        request,
        "channels/home.html",
        {
            "threads": threads,
            "documents": documents,
            "callbacks": callbacks,
            "can_complete": perms.can_complete_callback(request.user),
            "can_scan": perms.can_register_paper_document(request.user),
            "can_open_documents": perms.can_view_document(request.user),
        },
    )


@require_GET
@requires(perms.can_view_channel_statistics)
def statistics(request):
    year = year_param(request, default=clock.today().year)
    return render(
        request,
        "channels/statistics.html",
        {
            "year": year,
            "calls": selectors.call_totals(year),
            "by_hour": selectors.call_breakdown(year, "hour"),
            "by_weekday": selectors.call_breakdown(year, "weekday"),
            "by_queue": selectors.call_breakdown(year, "queue"),
            "emails": selectors.email_totals(year),
            "documents": selectors.document_totals(year),
            "online": selectors.online_rates(year),
        },
    )


@require_http_methods(["GET", "POST"])
@requires(perms.can_view_contact_queues)
def email_thread(request, pk):
    thread = get_object_or_404(EmailThread.objects.select_related("household"), pk=pk)
    can_answer = perms.can_answer_email(request.user)
    reply_form = ReplyForm(request.POST if "reply" in request.POST else None)
    assign_form = AssignForm(
        request.POST if "assign" in request.POST else None, initial={"team": thread.team}
    )
    if request.method == "POST":
        if not can_answer:
            return render(request, "403.html", status=403)
        if "reply" in request.POST and reply_form.is_valid():
            try:
                emails.email_reply(
                    thread=thread, body=reply_form.cleaned_data["body"], acting_user=request.user
                )
            except ValidationError as error:
                reply_form.add_error(None, error)
            else:
                messages.success(
                    request, "La réponse est en file d'envoi : son statut s'affiche ci-dessous."
                )
                return redirect("channels:email_thread", pk=pk)
        if "assign" in request.POST and assign_form.is_valid():
            number = assign_form.cleaned_data["household_number"]
            household = registry.household_by_number(number) if number else None
            if number and household is None:
                assign_form.add_error("household_number", "Foyer inconnu.")
            else:
                emails.thread_assign(
                    thread=thread,
                    household=household,
                    team=assign_form.cleaned_data["team"],
                    acting_user=request.user,
                )
                messages.success(request, "Le fil est affecté.")
                return redirect("channels:email_thread", pk=pk)
    contact_consult(
        household=thread.household, obj=thread, acting_user=request.user, reason="lecture d'un fil"
    )
    return render(
        request,
        "channels/email_thread.html",
        {
            "thread": thread,
            "thread_messages": thread.messages.order_by("at"),
            "reply_form": reply_form if can_answer else None,
            "assign_form": assign_form if can_answer else None,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@requires(perms.can_view_document, post=perms.can_process_document)
def document_detail(request, pk):
    document = selectors.document_by_pk(pk)
    if document is None:
        raise Http404
    form = None
    if perms.can_process_document(request.user) and document.processed_at is None:
        form = ProcessForm(request.POST or None)
    if request.method == "POST":
        if form is None:
            messages.error(request, "Ce document est déjà traité.")
        elif form.is_valid():
            try:
                documents.document_process(
                    document=document,
                    outcome=form.cleaned_data["outcome"],
                    note=form.cleaned_data["note"],
                    acting_user=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Le document est traité.")
                return redirect("channels:document_detail", pk=pk)
    contact_consult(
        household=document.household,
        obj=document,
        acting_user=request.user,
        reason=consultation_reason(request, document.household.number),
        page="Document reçu",
    )
    return render(
        request,
        "channels/document.html",
        {"document": document, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@requires(perms.can_view_document)
def document_file(request, pk):
    """The file itself, streamed after the permission check; never served by the web server."""
    document = selectors.document_by_pk(pk)
    if document is None or not document.stored_name:
        raise Http404
    try:
        content = storage.path_of(document.stored_name).read_bytes()  # ≤ the upload size limit
    except (OSError, ValidationError):
        raise Http404 from None
    contact_consult(
        household=document.household,
        obj=document,
        acting_user=request.user,
        reason=consultation_reason(request, document.household.number),
        page="Fichier d'un document",
    )
    response = HttpResponse(content, content_type=document.content_type)
    response["Content-Disposition"] = f'inline; filename="document-{document.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
@requires(perms.can_register_paper_document)
def document_paper(request):
    form = PaperDocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        household = registry.household_by_number(form.cleaned_data["household_number"])
        if household is None:
            form.add_error("household_number", "Foyer inconnu.")
        else:
            upload = form.cleaned_data["file"]
            try:
                document = documents.document_register_paper(
                    household=household,
                    kind=form.cleaned_data["kind"],
                    filename=upload.name,
                    content=_read(upload),
                    acting_user=request.user,
                )
            except ValidationError as error:
                form.add_error("file", error)
            else:
                messages.success(request, "Le document papier est enregistré.")
                if perms.can_view_document(request.user):
                    return redirect("channels:document_detail", pk=document.pk)
                return redirect("channels:document_paper")
    return render(
        request,
        "channels/document_paper.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


def _read(upload) -> bytes:
    """At most one byte beyond the limit: the service then refuses a file that is too big."""
    return upload.read(storage.max_bytes() + 1)
