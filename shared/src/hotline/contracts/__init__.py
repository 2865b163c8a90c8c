"""Hotline's public event contracts: what subscribers on Kafka can rely on.

Every event is a pydantic model registered under its CloudEvents type
(`hotline.ticket.opened.v1`, ...) and the topic it travels on. JSON Schemas and
the AsyncAPI document under `contracts/` at the repository root are generated
from these models (`hotline contracts generate`); a test fails when they drift.
Changes are additive; a breaking change is a new `.v2` type.
"""

from hotline.contracts.base import EventBody
from hotline.contracts.registry import REGISTRY, ContractType, contract_for, register
from hotline.contracts.tickets import (
    Actor,
    Attachment,
    CommentAdded,
    CustomerResponded,
    FirstResponseGiven,
    PriorityChanged,
    RfoDelivered,
    TicketChange,
    TicketClosed,
    TicketOpened,
    TicketReopened,
    TicketResolved,
    WaitingOnCustomer,
    WorkaroundProvided,
    ticket_id_for,
)
from hotline.contracts.submissions import (
    SubmissionDuplicate,
    SubmissionIgnored,
    SubmissionRejected,
)
from hotline.contracts.sla import (
    AvailabilityReported,
    DeadlineApproaching,
    DeadlineBreached,
    DeadlineEvent,
    DeadlineMet,
    DeadlineReopened,
    DeadlineRetracted,
    OutageCorrected,
    OutageRecorded,
)
from hotline.contracts.notifications import NotificationFailed, NotificationSent
from hotline.contracts.reviews import ReviewOpened, ReviewRecorded, WorkLogEntry, WorkLogged
from hotline.contracts.billing import (
    ChargeBooked,
    CreditBooked,
    InvoiceIssued,
    NoCharge,
    QuoteCreated,
    QuoteDecided,
)
from hotline.contracts.audit import ChainAnchored
from hotline.contracts.scheduling import (
    AgreementRecorded,
    OffHoursAccepted,
    OffHoursDeclined,
    OffHoursRequested,
    OffHoursSlot,
    OffHoursWorkLogged,
)
from hotline.contracts.maintenance import (
    MaintenanceCancelled,
    MaintenanceChangeAnnounced,
    MaintenanceCompleted,
    MaintenanceRescheduled,
    MaintenanceScheduled,
    MaintenanceStarted,
    MaintenanceWindowEvent,
)

__all__ = [
    "AgreementRecorded",
    "OffHoursAccepted",
    "OffHoursDeclined",
    "OffHoursRequested",
    "OffHoursSlot",
    "OffHoursWorkLogged",
    "REGISTRY",
    "ChargeBooked",
    "CreditBooked",
    "InvoiceIssued",
    "NoCharge",
    "QuoteCreated",
    "QuoteDecided",
    "ReviewOpened",
    "ReviewRecorded",
    "WorkLogEntry",
    "WorkLogged",
    "Actor",
    "Attachment",
    "AvailabilityReported",
    "ChainAnchored",
    "ContractType",
    "CommentAdded",
    "CustomerResponded",
    "DeadlineApproaching",
    "DeadlineBreached",
    "DeadlineEvent",
    "DeadlineMet",
    "DeadlineReopened",
    "DeadlineRetracted",
    "EventBody",
    "FirstResponseGiven",
    "MaintenanceCancelled",
    "MaintenanceChangeAnnounced",
    "MaintenanceCompleted",
    "MaintenanceRescheduled",
    "MaintenanceScheduled",
    "MaintenanceStarted",
    "MaintenanceWindowEvent",
    "NotificationFailed",
    "NotificationSent",
    "OutageCorrected",
    "OutageRecorded",
    "PriorityChanged",
    "RfoDelivered",
    "SubmissionDuplicate",
    "SubmissionIgnored",
    "SubmissionRejected",
    "TicketChange",
    "TicketClosed",
    "TicketOpened",
    "TicketReopened",
    "TicketResolved",
    "WaitingOnCustomer",
    "WorkaroundProvided",
    "contract_for",
    "register",
    "ticket_id_for",
]
