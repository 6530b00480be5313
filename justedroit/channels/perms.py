"""Who may do what with the contact channels. Deny by default: a role not named is refused."""

from justedroit.core.need_to_know import DataKind, needs
from justedroit.core.roles import Role

QUEUE_WORKERS = frozenset({Role.RECEPTION, Role.CASE_WORKER, Role.MANAGER, Role.ADMINISTRATOR})
EMAIL_ANSWERERS = frozenset({Role.RECEPTION, Role.CASE_WORKER, Role.MANAGER})
DOCUMENT_PROCESSORS = frozenset({Role.CASE_WORKER, Role.MANAGER})
PAPER_SCANNERS = frozenset({Role.RECEPTION, Role.CASE_WORKER})
STATISTICS_READERS = frozenset(
    {Role.MANAGER, Role.PROCESS_PILOT, Role.DIRECTOR, Role.VERIFIER, Role.ADMINISTRATOR}
)


def _has(user, roles) -> bool:
    return user.is_active and user.role in roles


def can_view_contact_queues(user) -> bool:
    return _has(user, QUEUE_WORKERS)


def can_answer_email(user) -> bool:
    return _has(user, EMAIL_ANSWERERS)


def can_complete_callback(user) -> bool:
    return _has(user, EMAIL_ANSWERERS)


def can_process_document(user) -> bool:
    return can_view_document(user) and _has(user, DOCUMENT_PROCESSORS)


def can_register_paper_document(user) -> bool:
    return _has(user, PAPER_SCANNERS)


def can_view_document(user) -> bool:
    """A document's content (payslip, bank details, identity…): the roles that process files,
    not the front desk, which scans paper documents but has no need to read them."""
    return needs(user, DataKind.DOCUMENTS)


def can_view_channel_statistics(user) -> bool:
    return _has(user, STATISTICS_READERS)


# Triage and quarantine: reading the queues is queue work; deciding (link a thread to a
# household, set it aside, retry or discard a quarantined message) is for those who answer.
def can_triage_email(user) -> bool:
    return _has(user, EMAIL_ANSWERERS)


def can_act_on_email_thread(user) -> bool:
    """Send one of a thread's forms: answer or assign it, or triage it (each checked again)."""
    return can_answer_email(user) or can_triage_email(user)


def can_handle_quarantine(user) -> bool:
    return _has(user, EMAIL_ANSWERERS)


IMPORT_JOURNAL_READERS = frozenset({Role.MANAGER, Role.PROCESS_PILOT, Role.ADMINISTRATOR})


def can_view_import_journal(user) -> bool:
    return _has(user, IMPORT_JOURNAL_READERS)


# Worklists (`core.worklists`): an agent takes the tasks they may act on, or releases theirs; a
# manager assigns them to the agents of the team.
TASK_ASSIGNERS = frozenset({Role.MANAGER})


def can_take_tasks(user) -> bool:
    return can_answer_email(user) or can_process_document(user)


def can_assign_tasks_to_others(user) -> bool:
    return _has(user, TASK_ASSIGNERS)
