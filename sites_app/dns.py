"""TXT look-ups for vhost ownership proofs, with dnspython.

settings.DNS_RESOLVERS lists name servers as "host" or "host:port"; empty means the
system resolver. Answers are never cached here: the user wants to know what DNS says now.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dns.exception
import dns.nameserver
import dns.rdatatype
import dns.resolver
from django.conf import settings


@dataclass(frozen=True)
class TxtAnswer:
    """What DNS returned for one name: the TXT strings, or why there were none."""

    values: list[str] = field(default_factory=list)
    problem: str = ""

    def describe(self) -> str:
        if self.values:
            return "; ".join(f'"{value}"' for value in self.values)
        return self.problem or "no TXT record"


def _nameserver(entry: str) -> dns.nameserver.Do53Nameserver:
    host, port = entry, 53
    if entry.count(":") == 1:  # "host:port"; a bare IPv6 address has several colons
        host, port_text = entry.rsplit(":", 1)
        port = int(port_text)
    elif entry.startswith("[") and "]:" in entry:
        host, port_text = entry[1:].split("]:", 1)
        port = int(port_text)
    return dns.nameserver.Do53Nameserver(host, port)


def resolver() -> dns.resolver.Resolver:
    configured = [entry.strip() for entry in settings.DNS_RESOLVERS if entry.strip()]
    if not configured:
        made = dns.resolver.Resolver(configure=True)
    else:
        made = dns.resolver.Resolver(configure=False)
        made.nameservers = [_nameserver(entry) for entry in configured]
    made.lifetime = settings.DNS_TIMEOUT
    made.timeout = settings.DNS_TIMEOUT
    made.cache = None
    return made


def lookup_txt(name: str) -> TxtAnswer:
    """The TXT strings published at name, or a plain reason why none were found."""
    try:
        answer = resolver().resolve(name.rstrip(".") + ".", dns.rdatatype.TXT)
    except dns.resolver.NXDOMAIN:
        return TxtAnswer(problem="the name does not exist in DNS (NXDOMAIN)")
    except dns.resolver.NoAnswer:
        return TxtAnswer(problem="the name exists but has no TXT record")
    except dns.resolver.NoNameservers:
        return TxtAnswer(problem="no name server answered properly (SERVFAIL)")
    except dns.exception.Timeout:
        return TxtAnswer(problem="DNS did not answer in time")
    except (dns.exception.DNSException, OSError, ValueError) as exc:
        return TxtAnswer(problem=f"DNS look-up failed: {exc.__class__.__name__}")
    values = []
    for record in answer:
        values.append(b"".join(record.strings).decode("utf-8", errors="replace"))
    return TxtAnswer(values=values)
