"""Where outgoing notifications may go: the server-side request forgery (SSRF) guard.

A webhook URL is chosen by a user, then posted to by our functions from inside our network.
So a URL is checked when it is saved and again, after resolving its host, at every delivery
(a name can resolve elsewhere later), and the delivery connects to the address that was
checked, never to a second lookup's answer.

Refused everywhere: link-local addresses (169.254.0.0/16, fe80::/10 — the cloud metadata
services live there), other metadata endpoints, multicast, unspecified and reserved
addresses, and URLs with credentials. Outside local/test mode also: loopback and private
networks (10/8, 172.16/12, 192.168/16, fc00::/7, 100.64/10 ...), and plain http.
Local and test mode allow http and loopback/private addresses, so a receiver on the same
machine can be used while developing.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from shared.config import get_settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Metadata services outside link-local space (AWS's IPv6 one, Alibaba's).
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("fd00:ec2::254", "100.100.100.200")
)
MAX_URL_LENGTH = 2048


class UnsafeUrl(ValueError):
    """A URL notifications must not be sent to; the message says why, for the owner."""


class HostNotFound(UnsafeUrl):
    pass


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str  # as written, for the Host header and TLS (SNI, certificate name)
    port: int
    path: str  # path and query
    address: IPAddress  # the checked address to connect to


def _problem(address: IPAddress, *, local: bool) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _problem(address.ipv4_mapped, local=local)
    if address.is_link_local or address in METADATA_ADDRESSES:
        return "a link-local or cloud metadata address"
    internal = "a private, loopback or otherwise non-public address"
    if address.is_loopback:  # before "reserved": Python counts ::1 as reserved
        return None if local else internal
    if address.is_multicast or address.is_unspecified or address.is_reserved:
        return "a reserved, multicast or unspecified address"
    if not local and (address.is_private or not address.is_global):
        return internal
    return None


def _parts(url: str, *, local: bool) -> tuple[str, str, int, str]:
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeUrl(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrl("The URL is not valid.") from exc
    allowed = ("https", "http") if local else ("https",)
    if parts.scheme not in allowed:
        raise UnsafeUrl("The URL must start with https://.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeUrl("The URL must not contain a user name or password.")
    host = parts.hostname
    if not host:
        raise UnsafeUrl("The URL has no host.")
    if any(c.isspace() for c in url) or parts.fragment:
        raise UnsafeUrl("The URL must not contain spaces or a #fragment.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise HostNotFound(f"The host {host!r} could not be found.") from exc
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def _checked(addresses: list[IPAddress], host: str, *, local: bool) -> IPAddress:
    for address in addresses:
        if problem := _problem(address, local=local):
            raise UnsafeUrl(f"The host {host!r} points to {problem}.")
    return addresses[0]


def validate(url: str) -> str:
    """Check a URL when its owner saves it. An unresolvable name is refused in production;
    in local/test mode it is kept (machines without DNS), and checked again when used."""
    local = get_settings().is_local
    _, host, port, _ = _parts(url, local=local)
    literal = _literal(host)
    if literal is not None:
        _checked([literal], host, local=local)
        return url
    try:
        addresses = _resolve(host, port)
    except HostNotFound:
        if local:
            return url
        raise
    _checked(addresses, host, local=local)
    return url


def destination(url: str) -> Destination:
    """Resolve and check a URL just before posting to it: the address to connect to."""
    local = get_settings().is_local
    scheme, host, port, path = _parts(url, local=local)
    literal = _literal(host)
    address = _checked([literal] if literal else _resolve(host, port), host, local=local)
    return Destination(scheme, host, port, path, address)
