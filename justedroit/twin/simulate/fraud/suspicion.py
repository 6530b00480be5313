"""The twin's controller's suspicion: a control on documents or on site that establishes facts
the household hid deliberately (in the truth: a drawn change whose behaviour is « caché
délibérément ») closes on a suspected fraud when it also gathered elements of intent — a chance
per kind of control, drawn once per control (`parameters.reveals_intent`). The control's own
logic is untouched: this decides only the flag `Settlement.suspected_fraud`.

Automated controls never suspect: `controls_close` refuses them, they are settled by the data
exchange without a person; what they cannot settle they refer to a control on documents, and that
control's controller decides here.
"""

import datetime as dt
import random
from dataclasses import dataclass

from justedroit.controls.models import Control, ControlKind
from justedroit.controls.services import Established
from justedroit.registry.models import FactKind, Residence
from justedroit.twin.simulate.fraud.parameters import PARAMETERS as P
from justedroit.twin.truth.models import Behaviour, TrueKind, TruePeriod

# What a control establishes → the truth it reveals.
TRUE_KIND = {
    FactKind.PARTNER_RESOURCES: TrueKind.PARTNER,
    FactKind.SALARY: TrueKind.SALARY,
    FactKind.UNEMPLOYMENT_BENEFIT: TrueKind.UNEMPLOYMENT_BENEFIT,
    FactKind.PENSION: TrueKind.PENSION,
}


@dataclass(frozen=True)
class Finding:
    """A fact a control established, as the truth is matched against it."""

    kind: str
    person_id: int | None
    first_month: dt.date
    until: dt.date | None  # excluded; None: still true
    code: str = ""

    @classmethod
    def of(cls, item: Established) -> "Finding":
        person_id = item.person.pk if item.person is not None else None
        return cls(item.kind, person_id, item.first_month, item.until, item.code)


def _true_kind(finding: Finding) -> str | None:
    if finding.kind == FactKind.RESIDENCE:
        return TrueKind.ABROAD if finding.code == Residence.ABROAD else None
    return TRUE_KIND.get(finding.kind)


def concealed(household_id: int, found: list[Finding]) -> list[tuple[Finding, TruePeriod]]:
    """The findings whose truth is a change the household hid deliberately (the same person and
    kind, over months that overlap), each with that change."""
    hidden = list(
        TruePeriod.objects.filter(household_id=household_id, behaviour=Behaviour.DELIBERATE)
    )
    matched = []
    for finding in found:
        kind = _true_kind(finding)
        change = next(
            (
                t
                for t in hidden
                if t.kind == kind
                and t.person_id == finding.person_id
                and (finding.until is None or t.month_from < finding.until)
                and (t.month_until is None or t.month_until > finding.first_month)
            ),
            None,
        )
        if change is not None:
            matched.append((finding, change))
    return matched


def chance(control_id: int, what: str) -> float:
    """A draw in [0, 1) stable for a control and what is drawn (reruns give the same twin)."""
    return random.Random(f"fraude-{what}-{control_id}").random()


def controller_suspects(control: Control, established: list[Established]) -> bool:
    """Whether the twin's controller closes `control` on a suspected fraud."""
    if control.kind not in (ControlKind.DOCUMENTS, ControlKind.ON_SITE):
        return False
    if not concealed(control.household_id, [Finding.of(e) for e in established]):
        return False
    return chance(control.pk, "intention") < P.reveals_intent[control.kind]
