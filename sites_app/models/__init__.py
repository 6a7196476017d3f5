"""Models, one module per topic; import them from `sites_app.models`."""

from .accounts import Endpoint, GandiAccount
from .audit import AuditEvent
from .health import WorkerHeartbeat
from .notifications import ExpiryNotice, Notification, NotificationEvent, NotificationPreference
from .operations import Operation, OperationKind, OperationStatus
from .sites import Ownership, OwnershipRecord, PendingRequest, Site, SiteState, VirtualHost
from .sync import SiteSync
from .teams import Invitation, Membership, Role, Team
from .tokens import ApiToken
from .webhooks import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

__all__ = [
    "ApiToken",
    "AuditEvent",
    "DeliveryStatus",
    "Endpoint",
    "ExpiryNotice",
    "GandiAccount",
    "Invitation",
    "Membership",
    "Notification",
    "NotificationEvent",
    "NotificationPreference",
    "Operation",
    "OperationKind",
    "OperationStatus",
    "Ownership",
    "OwnershipRecord",
    "PendingRequest",
    "Role",
    "Site",
    "SiteState",
    "SiteSync",
    "Team",
    "VirtualHost",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "WorkerHeartbeat",
]
