"""Where an advisor's calls may go (SPEC §5): the council's SIP domains and UK numbers only.

An admin account must not be able to forward callers (and their recordings) to any SIP host,
a premium-rate line or a number abroad. SIP endpoints must be on a domain in SIP_DOMAINS (in
development, with none configured, any host); numbers must be UK geographic or mobile.
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType

from app.domain.routing import Endpoint, InvalidEndpoint

UK_TYPES = {
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


@dataclass(frozen=True)
class EndpointPolicy:
    """The SIP domains calls may be sent to; `any_sip_host` only in development."""

    sip_domains: tuple[str, ...] = ()
    any_sip_host: bool = False

    @classmethod
    def from_settings(cls, settings: object) -> EndpointPolicy:
        """The policy the settings configure (SIP_DOMAINS, APP_ENV)."""
        domains = tuple(d.lower() for d in getattr(settings, "sip_domains", ()))
        development = getattr(settings, "app_env", "") == "development"
        return cls(domains, any_sip_host=development and not domains)


def sip_host(address: str) -> str:
    """The host of `sip:user@host[:port][;params]`, lower case."""
    rest = address.split(":", 1)[1]
    user, _, host = rest.partition("@")
    if not user or not host or "@" in host:
        raise InvalidEndpoint("a SIP endpoint looks like sip:user@host")
    host = host.split(";", 1)[0].split("?", 1)[0]
    return host.rsplit(":", 1)[0].lower() if not host.startswith("[") else host.lower()


def check_allowed(endpoint: Endpoint, policy: EndpointPolicy) -> None:
    """InvalidEndpoint unless calls may be sent to `endpoint` under `policy`."""
    if endpoint.kind == "sip":
        host = sip_host(endpoint.address)
        if policy.any_sip_host or host in policy.sip_domains:
            return
        allowed = ", ".join(policy.sip_domains) or "none are configured (SIP_DOMAINS)"
        raise InvalidEndpoint(
            f"SIP endpoints must be on the council's SIP domains; {host} is not one of them "
            f"(allowed: {allowed})"
        )
    if endpoint.kind == "number":
        number = phonenumbers.parse(endpoint.address, None)
        region = phonenumbers.region_code_for_number(number)
        if region != "GB" or phonenumbers.number_type(number) not in UK_TYPES:
            raise InvalidEndpoint(
                "endpoint numbers must be UK landlines or mobiles (not premium-rate, special-rate, "
                "non-geographic or abroad)"
            )
