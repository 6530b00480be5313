from justedroit.channels.models.calls import (
    Call,
    CallbackRequest,
    CallbackStatus,
    CallOutcome,
    CallQueue,
)
from justedroit.channels.models.common import ContactReason, Team, team_for
from justedroit.channels.models.documents import (
    Document,
    DocumentChannel,
    DocumentKind,
    Outcome,
    Routing,
    ScanResult,
)
from justedroit.channels.models.emails import (
    Direction,
    EmailAttachment,
    EmailMessage,
    EmailSource,
    EmailThread,
    Identification,
    QuarantinedEmail,
    QuarantineStatus,
    ThreadStatus,
)
from justedroit.channels.models.procedures import Procedure, ProcedureChannel, ProcedureKind

__all__ = [
    "Call",
    "CallOutcome",
    "CallQueue",
    "CallbackRequest",
    "CallbackStatus",
    "ContactReason",
    "Direction",
    "Document",
    "DocumentChannel",
    "DocumentKind",
    "EmailAttachment",
    "EmailMessage",
    "EmailSource",
    "EmailThread",
    "Identification",
    "Outcome",
    "Procedure",
    "ProcedureChannel",
    "ProcedureKind",
    "QuarantineStatus",
    "QuarantinedEmail",
    "Routing",
    "ScanResult",
    "Team",
    "ThreadStatus",
    "team_for",
]
