"""Models, one module per topic; import them from `sites_app.models`."""

from .accounts import Endpoint, GandiAccount
from .audit import AuditEvent
from .health import WorkerHeartbeat
from .operations import Operation, OperationKind, OperationStatus
from .sites import Ownership, OwnershipRecord, PendingRequest, Site, SiteState, VirtualHost
from .sync import SiteSync
from .teams import Invitation, Membership, Role, Team
from .tokens import ApiToken

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Endpoint",
    "GandiAccount",
    "Invitation",
    "Membership",
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
    "WorkerHeartbeat",
]
