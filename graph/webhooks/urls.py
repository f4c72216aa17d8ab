"""Which webhook URLs may be called: http or https, no credentials in the URL, and a host
whose every address is public, unless TIERGRAPH_WEBHOOK_ALLOW_PRIVATE is set. The host is
resolved at registration and again before each attempt, and the attempt connects to the
address that was checked, so a name re-pointed at an inside address (DNS rebinding) is
refused rather than followed."""

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

MAX_URL_CHARS = 2048
Resolver = Callable[..., list[tuple[Any, ...]]]


class UrlRefused(ValueError):
    """A URL that may not be called; the message says why."""


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (`pinned_url`, the host replaced by the address that
    was checked), and the `host` to name in the Host header and TLS (SNI and certificate)."""

    url: str
    host: str
    host_header: str
    address: str
    pinned_url: str


def is_public(address: str) -> bool:
    """True for a globally routable unicast address (not loopback, private, link-local,
    shared, reserved, documentation or multicast); an IPv4-mapped IPv6 address is judged
    by the IPv4 address it carries."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check(url: str, *, allow_private: bool,
          resolve: Resolver = socket.getaddrinfo) -> Target:
    """The target of `url`, or UrlRefused: a scheme other than http(s), credentials in the
    URL, a host that does not resolve, or (unless `allow_private`) any of its addresses
    outside the public ranges."""
    if len(url) > MAX_URL_CHARS:
        raise UrlRefused(f"the URL is longer than {MAX_URL_CHARS} characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UrlRefused(f"only http and https URLs are called, not {parts.scheme or 'none'!r}")
    if parts.username is not None or parts.password is not None:
        raise UrlRefused("credentials in the URL are refused: the secret signs each delivery")
    host = parts.hostname
    if not host:
        raise UrlRefused("the URL names no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UrlRefused("the URL's port is not a number from 0 to 65535") from None
    try:
        found = resolve(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as error:
        raise UrlRefused(f"host {host!r} does not resolve: {error}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    if not addresses:
        raise UrlRefused(f"host {host!r} does not resolve")
    if not allow_private:
        inside = [a for a in addresses if not is_public(a)]
        if inside:
            raise UrlRefused(
                f"host {host!r} resolves to {', '.join(inside)}, outside the public address "
                "ranges (loopback, private, link-local or reserved); such URLs need "
                "TIERGRAPH_WEBHOOK_ALLOW_PRIVATE=true")
    address = addresses[0]
    shown = f"[{address}]" if ":" in address else address
    netloc = f"{shown}:{parts.port}" if parts.port else shown
    host_header = parts.netloc.rpartition("@")[2]
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    return Target(url=url, host=host, host_header=host_header, address=address,
                  pinned_url=pinned)
