"""A controller's work on a control file: assignment (on site: to a sworn controller of the
household's area), the visit and its report, the findings notified to the allocataire and their
answer (contradictory procedure), and the closing with its outcome."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from justedroit.controls import parameters
from justedroit.controls.models import (
    Control,
    ControlKind,
    ControlResponse,
    ControlStatus,
    EventKind,
    Finding,
    ResponseChannel,
    SwornController,
    Visit,
    VisitReport,
)
from justedroit.controls.services.common import (
    Established,
    NotComputable,
    Settlement,
    event_record,
    locked,
    settle_many,
)
from justedroit.core import clock
from justedroit.core.models import User
from justedroit.core.roles import Role


def _sworn(user: User | None) -> SwornController | None:
    if user is None or not user.is_active or user.role != Role.CONTROLLER:
        return None
    return SwornController.objects.filter(user=user, active=True).first()


def control_assign(
    *, control: Control, controller: User | None, acting_user: User | None
) -> Control:
    """Give the control to a controller. On site, only a sworn controller may have it; without a
    name, the sworn controller of the household's area with the fewest open visits is chosen."""
    with transaction.atomic():
        control = locked(control)
        if control.kind == ControlKind.AUTOMATED:
            raise ValidationError("Un contrôle automatisé n'est attribué à personne.")
        if controller is None:
            controller = _area_controller(control)
        elif control.kind == ControlKind.ON_SITE and _sworn(controller) is None:
            raise ValidationError("Un contrôle sur place est confié à un contrôleur assermenté.")
        elif controller.role != Role.CONTROLLER or not controller.is_active:
            raise ValidationError("Un contrôle est confié à un contrôleur.")
        control.controller = controller
        control.save(update_fields=["controller"])
        event_record(
            control,
            EventKind.ASSIGNED,
            acting_user,
            note=controller.get_full_name() or controller.username,
            detail={"controller": controller.pk},
        )
    return control


def _area_controller(control: Control) -> User:
    commune = control.household.commune
    sworn = list(
        SwornController.objects.filter(
            active=True, user__is_active=True, areas__communes=commune
        ).distinct()
    )
    if not sworn:
        raise ValidationError(f"Aucun contrôleur assermenté ne couvre la commune {commune}.")
    load = dict(
        Control.objects.filter(
            kind=ControlKind.ON_SITE, controller_id__in=[s.user_id for s in sworn]
        )
        .exclude(status=ControlStatus.CLOSED)
        .values("controller_id")
        .annotate(open=Count("id"))
        .values_list("controller_id", "open")
    )
    chosen = min(sworn, key=lambda s: (load.get(s.user_id, 0), s.user_id))
    return chosen.user


def visit_schedule(
    *, control: Control, scheduled_for: dt.datetime, place: str, acting_user: User
) -> Visit:
    """Announce the visit: date, time and place, by the controller who has the control."""
    with transaction.atomic():
        control = locked(control)
        if control.kind != ControlKind.ON_SITE:
            raise ValidationError("Seul un contrôle sur place donne lieu à une visite.")
        if control.controller is None:
            raise ValidationError("Attribuez d'abord le contrôle à un contrôleur assermenté.")
        if scheduled_for <= clock.now():
            raise ValidationError("La visite se programme dans le futur.")
        if not place.strip():
            raise ValidationError("Indiquez le lieu de la visite.")
        visit = Visit.objects.create(
            control=control,
            controller=control.controller,
            scheduled_for=scheduled_for,
            place=place.strip()[:200],
            scheduled_at=clock.now(),
        )
        control.status = ControlStatus.VISIT_SCHEDULED
        control.save(update_fields=["status"])
        event_record(
            control,
            EventKind.VISIT_SCHEDULED,
            acting_user,
            note=f"Visite le {visit.scheduled_for.astimezone(clock.PARIS):%d/%m/%Y à %H:%M}, "
            f"{visit.place}.",
            detail={"visit": visit.pk},
        )
    return visit


def visit_report_record(
    *,
    control: Control,
    visited_on: dt.date,
    allocataire_present: bool,
    composition: str,
    composition_found: str,
    resources: str,
    resources_found: str,
    housing: str,
    housing_found: str,
    observations: str,
    acting_user: User,
) -> VisitReport:
    """The sworn controller's report of the visit."""
    for finding in (composition, resources, housing):
        if finding not in Finding.values:
            raise ValidationError("Indiquez pour chaque rubrique si le constat est conforme.")
    for finding, found in (
        (composition, composition_found),
        (resources, resources_found),
        (housing, housing_found),
    ):
        if finding == Finding.DIFFERS and not found.strip():
            raise ValidationError("Décrivez ce qui diffère de la déclaration.")
    if not observations.strip():
        raise ValidationError("Les observations sont obligatoires.")
    if visited_on > clock.today():
        raise ValidationError("La date de visite est dans le futur.")
    with transaction.atomic():
        control = locked(control)
        if control.kind != ControlKind.ON_SITE:
            raise ValidationError("Seul un contrôle sur place a un rapport de visite.")
        if _sworn(acting_user) is None or control.controller_id != acting_user.pk:
            raise ValidationError(
                "Le rapport est rédigé par le contrôleur assermenté à qui le contrôle est confié."
            )
        report = VisitReport.objects.create(
            control=control,
            visited_on=visited_on,
            allocataire_present=allocataire_present,
            composition=composition,
            composition_found=composition_found.strip(),
            resources=resources,
            resources_found=resources_found.strip(),
            housing=housing,
            housing_found=housing_found.strip(),
            observations=observations.strip(),
            recorded_at=clock.now(),
            controller=acting_user,
        )
        control.status = ControlStatus.VISIT_DONE
        control.save(update_fields=["status"])
        event_record(
            control,
            EventKind.VISIT_REPORTED,
            acting_user,
            detail={
                "report": report.pk,
                "composition": composition,
                "resources": resources,
                "housing": housing,
            },
        )
    return report


def findings_notify(*, control: Control, findings: str, acting_user: User) -> Control:
    """Tell the allocataire what the control found and open the time to answer."""
    if not findings.strip():
        raise ValidationError("Rédigez les constats notifiés à l'allocataire.")
    with transaction.atomic():
        control = locked(control)
        if control.kind == ControlKind.AUTOMATED:
            raise ValidationError("Un contrôle automatisé se règle sans procédure contradictoire.")
        deadline = clock.today() + dt.timedelta(days=parameters.RESPONSE_DELAY_DAYS)
        control.status, control.deadline = ControlStatus.AWAITING_RESPONSE, deadline
        control.save(update_fields=["status", "deadline"])
        event_record(
            control,
            EventKind.FINDINGS_NOTIFIED,
            acting_user,
            note=findings.strip()
            + "\n\n"
            + parameters.FINDINGS_NOTICE.format(deadline=f"{deadline:%d/%m/%Y}"),
            detail={"deadline": deadline.isoformat()},
        )
    return control


def control_response_record(
    *, control: Control, text: str, channel: str, acting_user: User
) -> ControlResponse:
    """The allocataire's observations, sent from « Mon dossier » or recorded by an agent (letter,
    interview). Accepted while the control is open."""
    if not text.strip():
        raise ValidationError("Écrivez vos observations.")
    if channel not in ResponseChannel.values:
        raise ValidationError("Canal inconnu.")
    with transaction.atomic():
        control = locked(control)
        response = ControlResponse.objects.create(
            control=control,
            received_at=clock.now(),
            channel=channel,
            text=text.strip()[:5000],
            recorded_by=acting_user,
        )
        event_record(
            control,
            EventKind.RESPONSE_RECEIVED,
            acting_user,
            note=response.text,
            detail={"response": response.pk, "channel": channel},
        )
    return response


def control_close(
    *,
    control: Control,
    established: list[Established],
    suspected_fraud: bool,
    note: str,
    acting_user: User,
) -> Control:
    """The controller closes the control: the facts it established are recorded (source
    « contrôle »), the months they bear on recomputed, and the outcome recorded with its € impact.
    Findings that change anything (facts, suspected fraud) must have been notified to the
    allocataire, and their time to answer passed or their answer received."""
    closing = Settlement(control, established, suspected_fraud, note)
    return controls_close(closings=[closing], acting_user=acting_user)[0]


def controls_close(*, closings: list[Settlement], acting_user: User) -> list[Control]:
    """`control_close` of many controls in one transaction, each checked as `control_close`
    checks one (the first refused raises ValidationError and nothing is closed), with one
    recomputation for all their households (`settle_many`): a controllers' month at once.
    A control whose household the engine cannot recompute (a fact missing from the file) stays
    open with nothing recorded, and the others close: one file does not stop a controller's
    month. Returns the controls closed."""
    if acting_user.role != Role.CONTROLLER or not acting_user.is_active:
        raise ValidationError("Un contrôle est clos par un contrôleur.")
    with transaction.atomic():
        checked = []
        for closing in closings:
            control = locked(closing.control)
            if control.kind == ControlKind.AUTOMATED:
                raise ValidationError("Un contrôle automatisé se clôt de lui-même.")
            if (closing.established or closing.suspected_fraud) and not _contradictory_done(
                control
            ):
                raise ValidationError(
                    "Procédure contradictoire : notifiez les constats à l'allocataire et "
                    "attendez ses observations ou la fin du délai de réponse avant de clore."
                )
            checked.append(
                Settlement(
                    control, closing.established, closing.suspected_fraud, closing.note.strip()
                )
            )
        return _settle_computable(checked, acting_user)


def _settle_computable(checked: list[Settlement], acting_user: User) -> list[Control]:
    """`settle_many` of the controls whose households the engine can recompute, each attempt in
    a savepoint; a single control the engine cannot recompute raises its French message."""
    left_open: set[int] = set()
    while True:
        batch = [s for s in checked if s.control.household_id not in left_open]
        try:
            with transaction.atomic():
                return settle_many(batch, acting_user=acting_user)
        except NotComputable as error:
            if len(checked) == 1:
                raise
            left_open |= error.household_ids


def _contradictory_done(control: Control) -> bool:
    notified = control.events.filter(kind=EventKind.FINDINGS_NOTIFIED).order_by("-at").first()
    if notified is None:
        return False
    answered = control.events.filter(kind=EventKind.RESPONSE_RECEIVED, at__gte=notified.at)
    return answered.exists() or (control.deadline is not None and control.deadline < clock.today())
