"""The client's real address behind the production reverse proxy.

`X-Forwarded-For` is written by whoever sends the request, so it is believed only when the TCP peer
(`REMOTE_ADDR`) is one of the proxies listed in `JUSTEDROIT_TRUSTED_PROXIES`. The header is then
read from the right (each proxy appends the address it received the request from), skipping our
own proxies: the first address that is not one of them is the client. Anything to its left was
written by the client and is ignored. This is the rule of nginx's `real_ip_recursive`.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    peer = request.META.get("REMOTE_ADDR", "")
    if not _is_trusted(peer):
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([hop.strip() for hop in forwarded.split(",") if hop.strip()]):
        if _parse(hop) is None:
            # A malformed entry: nothing to its left can be attributed, stop at the last good one.
            return peer
        if not _is_trusted(hop):
            return str(_parse(hop))
        peer = hop
    return peer


def _is_trusted(address: str) -> bool:
    ip = _parse(address)
    return ip is not None and any(ip in network for network in settings.JUSTEDROIT_TRUSTED_PROXIES)


def _parse(address: str):
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None
