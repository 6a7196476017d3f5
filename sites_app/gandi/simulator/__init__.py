"""A standalone stand-in for Gandi's Site API (XML-RPC v3) on loopback.

No Django here: ``python -m sites_app.gandi.simulator --help`` runs it alone, and
``manage.py gandi_simulator`` is a thin wrapper. This package is the server, so it is the one
place besides the client allowed to import xmlrpc. See /work/shared/gandi-site-api.md.
"""

from .app import Simulator, new_api_key
from .catalog import PARKING_DOMAIN
from .injection import FaultSettings

__all__ = ["PARKING_DOMAIN", "FaultSettings", "Simulator", "new_api_key"]
