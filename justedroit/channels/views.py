from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from justedroit.channels import perms, selectors, storage
from justedroit.channels.forms import (
    AssignForm,
    CallbackWorklistForm,
    DocumentWorklistForm,
    PaperDocumentForm,
    ProcessForm,
    QuarantineDiscardForm,
    ReplyForm,
    TaskAssignForm,
    TaskKind,
    ThreadWorklistForm,
    TriageLinkForm,
    TriageRejectForm,
)
from justedroit.channels.models import (
    Outcome,
    QuarantineStatus,
    Team,
    ThreadStatus,
)
from justedroit.channels.services import calls, documents, email_import, emails
from justedroit.channels.services.common import contact_consult
from justedroit.core import clock
from justedroit.core import selectors as core_selectors
from justedroit.core import services as core_services
from justedroit.core.audit import display_record
from justedroit.core.french import day_and_time
from justedroit.core.web import (
    consultation_reason,
    requires,
    submit_action,
    submit_form,
    year_param,
)
from justedroit.core.worklists import Column, worklist
from justedroit.registry import selectors as registry


@require_http_methods(["GET", "POST"])
@requires(perms.can_view_contact_queues, post=perms.can_complete_callback)
def home(request):
    """The three worklists of the contact channels, each with its filters, sort and page."""
    if request.method == "POST":
        callback = selectors.callback_by_pk(request.POST.get("callback"))
        if callback is None:
            raise Http404
        submit_action(
            request,
            lambda: calls.callback_request_complete(
                callback=callback, acting_user=request.user, note=request.POST.get("note", "")
            ),
            said=lambda _: (
                f"Rappel au {callback.phone}"
                + (f" (foyer {callback.household.number})" if callback.household else "")
                + " noté comme effectué."
            ),
        )
        return redirect(reverse("channels:home") + "#rappels")
    user = request.user
    assign = {
        "can_take": perms.can_take_tasks(user),
        "agents": (
            core_selectors.active_agents(perms.QUEUE_WORKERS)
            if perms.can_assign_tasks_to_others(user)
            else None
        ),
    }
    lists = [
        worklist(
            request,
            selectors.waiting_threads(),
            form_class=ThreadWorklistForm,
            slug="courriels",
            title="Courriels en attente de réponse",
            caption="Fils de courriels en attente de réponse",
            columns=THREAD_COLUMNS,
            row_template="channels/_thread_row.html",
            empty="Aucun courriel en attente.",
            extra={**assign, "kind": TaskKind.THREAD},
        ),
        worklist(
            request,
            selectors.manual_queue(),
            form_class=DocumentWorklistForm,
            slug="documents",
            title="Documents à traiter",
            caption="Documents à traiter par un gestionnaire",
            columns=DOCUMENT_COLUMNS,
            row_template="channels/_document_row.html",
            empty="Aucun document en attente.",
            extra={
                **assign,
                "kind": TaskKind.DOCUMENT,
                "can_open": perms.can_view_document(user),
            },
        ),
        worklist(
            request,
            selectors.callback_queue(),
            form_class=CallbackWorklistForm,
            slug="rappels",
            title="Demandes de rappel",
            caption="Personnes à rappeler",
            columns=CALLBACK_COLUMNS,
            row_template="channels/_callback_row.html",
            empty="Aucune demande de rappel.",
            extra={
                **assign,
                "kind": TaskKind.CALLBACK,
                "can_complete": perms.can_complete_callback(user),
            },
        ),
    ]
    shown = [row.household.number for wl in lists for row in wl.rows if row.household]
    if shown:
        display_record(
            actor=user,
            page="Files de travail des canaux (courriels, documents, rappels)",
            households=shown,
        )
    return render(
        request,
        "channels/home.html",
        {"worklists": lists, "can_scan": perms.can_register_paper_document(user)},
    )


THREAD_COLUMNS = [
    Column("Reçu le", sort="recu"),
    Column("Foyer"),
    Column("Objet"),
    Column("Motif"),
    Column("Équipe", sort="equipe"),
    Column("Attribution"),
]
DOCUMENT_COLUMNS = [
    Column("Reçu le", sort="recu"),
    Column("Foyer"),
    Column("Type", sort="type"),
    Column("Canal"),
    Column("Attribution"),
]
CALLBACK_COLUMNS = [
    Column("Demandé le", sort="demande"),
    Column("Foyer"),
    Column("Numéro"),
    Column("Motif"),
    Column("Attribution"),
    Column("Action"),
]
# Each kind of task: how to find it, who may act on it (and so be given it), its list's anchor.
_TASKS = {
    TaskKind.THREAD: (selectors.thread_by_pk, perms.can_answer_email, "courriels"),
    TaskKind.DOCUMENT: (selectors.document_by_pk, perms.can_process_document, "documents"),
    TaskKind.CALLBACK: (selectors.callback_by_pk, perms.can_complete_callback, "rappels"),
}


@require_POST
@requires(perms.can_take_tasks)
def task_assign(request):
    """Take a task of a worklist, release it, or (a manager) give it to an agent."""
    form = TaskAssignForm(request.POST)
    if not form.is_valid():
        raise Http404
    find, eligible, anchor = _TASKS[form.cleaned_data["kind"]]
    task = find(form.cleaned_data["task"])
    if task is None:
        raise Http404
    if not eligible(request.user):
        raise PermissionDenied
    username = form.cleaned_data["agent"]
    agent = core_selectors.user_by_username(username) if username else None

    def assign():
        if username and agent is None:
            raise ValidationError(f"Aucun agent n'a l'identifiant « {username} ».")
        core_services.task_assign(
            task=task,
            agent=agent,
            acting_user=request.user,
            eligible=eligible,
            may_reassign=perms.can_assign_tasks_to_others(request.user),
            household_number=task.household.number if task.household else "",
        )

    submit_action(
        request,
        assign,
        said=lambda _: (
            "La tâche est libérée."
            if agent is None
            else "La tâche vous est attribuée."
            if agent == request.user
            else f"La tâche est attribuée à {agent.get_full_name() or agent.username}."
        ),
    )
    return redirect(reverse("channels:home") + f"#{anchor}")


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
@requires(perms.can_view_contact_queues, post=perms.can_act_on_email_thread)
def email_thread(request, pk):
    thread = selectors.thread_by_pk(pk)
    if thread is None:
        raise Http404
    can_answer = perms.can_answer_email(request.user)
    in_triage = thread.household_id is None and thread.status != ThreadStatus.REJECTED
    can_triage = in_triage and perms.can_triage_email(request.user)
    posted = request.POST if request.method == "POST" else {}
    forms = {
        "reply": ReplyForm(posted if "reply" in posted else None),
        "assign": AssignForm(posted if "assign" in posted else None, initial={"team": thread.team}),
        "link": TriageLinkForm(posted if "link" in posted else None),
        "reject": TriageRejectForm(posted if "reject" in posted else None),
    }
    if request.method == "POST":
        action = next((name for name in forms if name in posted), None)
        allowed = can_triage if action in ("link", "reject") else can_answer
        if action is None:
            raise BadRequest("Action inconnue.")
        if not allowed:
            raise PermissionDenied
        done = _thread_action(request, thread, action, forms[action])
        if done:
            messages.success(request, done)
            return redirect("channels:email_thread", pk=pk)
    contact_consult(
        household=thread.household, obj=thread, acting_user=request.user, reason="lecture d'un fil"
    )
    return render(
        request,
        "channels/email_thread.html",
        {
            "thread": thread,
            "thread_messages": selectors.thread_messages(thread),
            "in_triage": in_triage,
            "reply_form": forms["reply"] if can_answer and not in_triage else None,
            "assign_form": forms["assign"] if can_answer else None,
            "link_form": forms["link"] if can_triage else None,
            "reject_form": forms["reject"] if can_triage else None,
        },
        status=400 if request.method == "POST" else 200,
    )


def _thread_action(request, thread, action: str, form) -> str:
    """Run the posted action; its success message, or "" with the errors on the form."""
    if not form.is_valid():
        return ""
    data = form.cleaned_data
    try:
        if action == "reply":
            reply = emails.email_reply(thread=thread, body=data["body"], acting_user=request.user)
            if reply.recipient:
                return (
                    "La réponse est en file d'envoi vers l'adresse connue du foyer : son statut "
                    "s'affiche ci-dessous."
                )
            return (
                "La réponse est enregistrée : sans adresse connue, le foyer la lit dans Mon compte."
            )
        if action == "assign":
            emails.thread_assign(thread=thread, team=data["team"], acting_user=request.user)
            return (
                f"Le fil « {thread.subject} »"
                + (f" du foyer {thread.household.number}" if thread.household else "")
                + f" est affecté à l'équipe « {Team(data['team']).label} »."
            )
        if action == "reject":
            emails.thread_reject(thread=thread, note=data["note"], acting_user=request.user)
            return "Le fil est écarté : il sort de la file de tri."
        household = registry.household_by_number(data["household_number"])
        if household is None:
            form.add_error("household_number", "Foyer inconnu.")
            return ""
        emails.thread_link(
            thread=thread,
            household=household,
            sender_verified=data["sender_verified"],
            note=data["note"],
            acting_user=request.user,
        )
        return f"Le fil est rattaché au foyer {household.number}."
    except ValidationError as error:
        form.add_error(None, error)
        return ""


@require_GET
@requires(perms.can_view_contact_queues)
def triage(request):
    return render(request, "channels/triage.html", {"threads": selectors.triage_threads()[:200]})


@require_GET
@requires(perms.can_view_document)
def email_attachment(request, pk):
    """An e-mail's attachment, streamed after the permission check, as a download."""
    found = selectors.attachment(pk)
    if found is None:
        raise Http404
    try:
        content = storage.path_of(found.stored_name).read_bytes()  # ≤ the upload size limit
    except (OSError, ValidationError):
        raise Http404 from None
    contact_consult(
        household=found.message.thread.household,
        obj=found,
        acting_user=request.user,
        reason="ouverture d'une pièce jointe de courriel",
    )
    response = HttpResponse(content, content_type=found.content_type)
    response["Content-Disposition"] = f'attachment; filename="piece-jointe-{found.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@requires(perms.can_view_contact_queues)
def quarantine(request):
    return render(
        request,
        "channels/quarantine.html",
        {
            "pending": selectors.quarantined()[:200],
            "handled": list(selectors.quarantined(QuarantineStatus.RELEASED)[:50])
            + list(selectors.quarantined(QuarantineStatus.DISCARDED)[:50]),
        },
    )


@require_http_methods(["GET", "POST"])
@requires(perms.can_view_contact_queues, post=perms.can_handle_quarantine)
def quarantine_detail(request, pk):
    item = selectors.quarantined_by_pk(pk)
    if item is None:
        raise Http404
    can_handle = perms.can_handle_quarantine(request.user)
    form = QuarantineDiscardForm(request.POST if "discard" in request.POST else None)
    if "discard" in request.POST:
        if done := submit_form(
            request,
            form,
            lambda data: email_import.quarantine_discard(
                item=item, note=data["note"], acting_user=request.user
            ),
            said=lambda _: f"{_quarantined(item)} est écarté : il sort de la quarantaine.",
            then=lambda _: redirect("channels:quarantine"),
        ):
            return done
    elif request.method == "POST":
        without = "without_attachments" in request.POST
        try:
            message = email_import.quarantine_retry(
                item=item, acting_user=request.user, without_refused_attachments=without
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"{_quarantined(item)} est classé"
                + (" sans ses pièces jointes refusées" if without else "")
                + (
                    f" dans le dossier du foyer {message.thread.household.number}."
                    if message.thread.household
                    else " : il attend d'être rattaché à un foyer (file de tri)."
                ),
            )
            return redirect("channels:email_thread", pk=message.thread_id)
    contact_consult(
        household=None,
        obj=item,
        acting_user=request.user,
        reason="examen d'un courriel en quarantaine",
    )
    return render(
        request,
        "channels/quarantine_detail.html",
        {
            "item": item,
            "preview": selectors.quarantine_preview(item),
            "form": form if can_handle and item.status == QuarantineStatus.PENDING else None,
        },
        status=400 if request.method == "POST" else 200,
    )


def _quarantined(item) -> str:
    """Which message: its announced subject and sender, and when it arrived."""
    return (
        f"Le courriel « {item.subject or 'sans objet'} » de {item.sender or 'expéditeur inconnu'}"
        f", reçu le {day_and_time(item.received_at)},"
    )


@require_GET
@requires(perms.can_view_import_journal)
def imports_journal(request):
    return render(request, "channels/imports.html", {"journals": core_selectors.import_journals()})


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
        elif done := submit_form(
            request,
            form,
            lambda data: documents.document_process(
                document=document,
                outcome=data["outcome"],
                note=data["note"],
                acting_user=request.user,
            ),
            said=lambda _: (
                f"Document « {document.get_kind_display()} » du foyer "
                f"{document.household.number} : "
                + (
                    "pris en compte."
                    if form.cleaned_data["outcome"] == Outcome.ACCEPTED
                    else "refusé."
                )
            ),
            then=lambda _: redirect("channels:document_detail", pk=pk),
        ):
            return done
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
                    content=storage.read_bounded(upload),
                    acting_user=request.user,
                )
            except ValidationError as error:
                form.add_error("file", error)
            else:
                messages.success(
                    request,
                    f"Document papier « {document.get_kind_display()} » enregistré pour le "
                    f"foyer {household.number}.",
                )
                if perms.can_view_document(request.user):
                    return redirect("channels:document_detail", pk=document.pk)
                return redirect("channels:document_paper")
    return render(
        request,
        "channels/document_paper.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )
