"""Models, one module per topic; import them from `sites_app.models`."""

from .accounts import Endpoint, GandiAccount
from .audit import AuditEvent
from .health import WorkerHeartbeat
from .teams import Invitation, Membership, Role, Team

__all__ = [
    "AuditEvent",
    "Endpoint",
    "GandiAccount",
    "Invitation",
    "Membership",
    "Role",
    "Team",
    "WorkerHeartbeat",
]
