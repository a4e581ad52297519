"""The client's address: what django-axes locks out and the audit trail records as an event's origin.

Each proxy of ours appends the address it got the request from to X-Forwarded-For, so behind PROXY_COUNT proxies
the client is the PROXY_COUNT-th entry from the right (the semantics of Werkzeug's ProxyFix). Anything further to
the left was written by the client and is ignored, so nobody can pose as another address. Without a proxy, or when
the header is shorter than it must be or its entry isn't an address (a request that didn't pass our proxies),
only REMOTE_ADDR counts.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote
    try:  # our proxies write addresses; anything else means the header isn't theirs
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return remote
