"""Writes of the control domain. Each service is atomic, writes the control's history and its
audit rows in the same transaction; bad input raises ValidationError with a French message."""

from justedroit.controls.services.automated import automated_controls_run
from justedroit.controls.services.common import Established, Settlement, control_open
from justedroit.controls.services.documents import (
    control_deadlines_apply,
    document_receive,
    document_request_send,
)
from justedroit.controls.services.files import (
    control_assign,
    control_close,
    control_response_record,
    controls_close,
    findings_notify,
    visit_report_record,
    visit_schedule,
)
from justedroit.controls.services.targeting import (
    random_sample_draw,
    targeting_decide,
    targeting_model_train,
    targeting_scores_compute,
)

__all__ = [
    "Established",
    "Settlement",
    "automated_controls_run",
    "control_assign",
    "control_close",
    "control_deadlines_apply",
    "control_open",
    "control_response_record",
    "controls_close",
    "document_receive",
    "document_request_send",
    "findings_notify",
    "random_sample_draw",
    "targeting_decide",
    "targeting_model_train",
    "targeting_scores_compute",
    "visit_report_record",
    "visit_schedule",
]
