"""Advisors' endpoints: the council's SIP domains and UK landlines or mobiles only."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.domain.endpoint_policy import EndpointPolicy
from app.domain.staff_lifecycle import InvalidStaffField, endpoint_of
from config.settings import Settings, load_settings

POLICY = EndpointPolicy(sip_domains=("pbx.sthelens.gov.uk",))


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("sip:amy@pbx.sthelens.gov.uk", "sip:amy@pbx.sthelens.gov.uk"),
        ("sip:amy@PBX.sthelens.gov.uk:5061;transport=tls", None),
        ("+44 7400 123456", "+447400123456"),  # a UK mobile
        ("+44 1744 676700", "+441744676700"),  # St Helens
        ("client:amy", "client:amy"),
    ],
)
def test_listed_sip_hosts_uk_landlines_and_mobiles_are_accepted(value, stored):
    assert endpoint_of(value, POLICY) == (stored or value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("+44 909 879 0000", "premium-rate"),
        ("+33 1 42 68 53 00", "abroad"),
        ("+44 800 111 1111", "UK landlines or mobiles"),
        ("+44 7911 123456", "abroad"),  # Guernsey: not region GB
        ("sip:amy@pbx.example.com", "pbx.example.com is not one of them"),
        ("sip:amy@pbx.example.com@pbx.sthelens.gov.uk", "sip:user@host"),
        ("sip:amy@sthelens.gov.uk", "allowed: pbx.sthelens.gov.uk"),
    ],
)
def test_premium_abroad_and_unlisted_sip_hosts_are_refused(value, message):
    with pytest.raises(InvalidStaffField, match=message) as refused:
        endpoint_of(value, POLICY)
    assert refused.value.field == "endpoint"


def test_without_sip_domains_only_development_takes_any_sip_host():
    anywhere = "sip:amy@pbx.example.com"
    with pytest.raises(InvalidStaffField, match="none are configured"):
        endpoint_of(anywhere, EndpointPolicy.from_settings(replace(Settings(), app_env="test")))
    development = EndpointPolicy.from_settings(Settings(app_env="development"))
    assert endpoint_of(anywhere, development) == anywhere
    configured = load_settings({"APP_ENV": "development", "SIP_DOMAINS": " PBX.x.gov.uk , y.uk"})
    assert configured.sip_domains == ("pbx.x.gov.uk", "y.uk")
    with pytest.raises(InvalidStaffField):
        endpoint_of(anywhere, EndpointPolicy.from_settings(configured))
