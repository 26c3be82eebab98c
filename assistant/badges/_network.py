"""Guarded HTTP fetches for hosted assertions, issuer profiles, DID documents and status lists.

Off unless the caller allows the network. When allowed: https/http only, no private, loopback,
link-local or reserved addresses, a size cap, a time limit, and redirects followed only within
the same host.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from typing import Any
from urllib.parse import urljoin, urlsplit

MAX_BYTES = 2 * 1024 * 1024
TIMEOUT_S = 10.0
MAX_REDIRECTS = 3


class NetworkDisabled(Exception):
    """A fetch was needed but the network is not allowed."""


class FetchError(Exception):
    """A fetch was attempted and did not return a usable document."""


def _check_host(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise FetchError(f"refusing to fetch {url!r}: only http(s) URLs are fetched")
    host = parts.hostname
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
    except OSError as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise FetchError(f"refusing to fetch {url!r}: {host} resolves to a non-public address ({address})")
    return host


def fetch_bytes(url: str, *, allow_network: bool) -> bytes:
    """Fetch a URL with the guards above.

    Args:
        url: http(s) URL.
        allow_network: the caller's permission; without it nothing is fetched.

    Returns:
        The body, at most ``MAX_BYTES`` long.

    Raises:
        NetworkDisabled: the network is not allowed.
        FetchError: the URL is refused, unreachable, too large or not 200.
    """
    if not allow_network:
        raise NetworkDisabled(f"fetching {url} needs the network (pass --allow-network)")
    import httpx  # imported lazily: offline runs never need it

    host = _check_host(url)
    current = url
    with httpx.Client(timeout=TIMEOUT_S, follow_redirects=False, headers={"Accept": "application/ld+json, application/json"}) as client:
        for _ in range(MAX_REDIRECTS + 1):
            try:
                with client.stream("GET", current) as response:
                    if response.is_redirect:
                        target = urljoin(current, response.headers.get("location", ""))
                        if urlsplit(target).hostname != host:
                            raise FetchError(f"{current} redirects to another host ({target}); not followed")
                        _check_host(target)
                        current = target
                        continue
                    if response.status_code != 200:
                        raise FetchError(f"{current} answered HTTP {response.status_code}")
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body.extend(chunk)
                        if len(body) > MAX_BYTES:
                            raise FetchError(f"{current} is larger than {MAX_BYTES} bytes")
                    return bytes(body)
            except httpx.HTTPError as exc:
                raise FetchError(f"cannot fetch {current}: {exc}") from exc
    raise FetchError(f"{url} redirects too many times")


def fetch_json(url: str, *, allow_network: bool) -> Any:
    """Fetch a URL and parse it as JSON (same guards as :func:`fetch_bytes`)."""
    body = fetch_bytes(url, allow_network=allow_network)
    try:
        return json.loads(body)
    except ValueError as exc:
        raise FetchError(f"{url} did not return JSON: {exc}") from exc
