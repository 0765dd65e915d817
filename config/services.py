"""The service menu: which key reaches which queue, and how urgent it is."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

GENERAL_ADVICE = "general_advice"


@dataclass(frozen=True)
class Service:
    """One entry of the caller's menu; lower priority number is answered first."""

    code: str
    key: str
    name: str
    priority: int

    def as_dict(self) -> dict[str, object]:
        """The JSON shape served by the staff API."""
        return {"code": self.code, "key": self.key, "name": self.name, "priority": self.priority}


REFERENCE_SERVICES: tuple[Service, ...] = (
    Service("adult_social_care", "1", "adult social care and health referrals", 2),
    Service("children_families", "2", "children and families", 2),
    Service("careline", "3", "Careline and telecare", 3),
    Service("crisis_response", "4", "urgent crisis response", 1),
    Service("health_teams", "5", "falls, reablement, rehabilitation and other health teams", 3),
    Service(GENERAL_ADVICE, "0", "general advice and anything else", 4),
)


class ServiceConfigError(ValueError):
    """The configured service list cannot be used."""


def load_services(path: Path | None) -> tuple[Service, ...]:
    """The reference set, or the list in the JSON file at `path`."""
    if path is None:
        return REFERENCE_SERVICES
    try:
        rows = json.loads(path.read_text())
        services = tuple(
            Service(str(r["code"]), str(r["key"]), str(r["name"]), int(r["priority"])) for r in rows
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ServiceConfigError(f"cannot read services from {path}: {exc}") from exc
    _check(services)
    return services


def _check(services: tuple[Service, ...]) -> None:
    keys = [s.key for s in services]
    codes = [s.code for s in services]
    if len(set(keys)) != len(keys) or len(set(codes)) != len(codes):
        raise ServiceConfigError("service keys and codes must be unique")
    if any(len(k) != 1 or k not in "0123456789" for k in keys):
        raise ServiceConfigError("each service key must be a single digit 0-9")
    if GENERAL_ADVICE not in codes:
        raise ServiceConfigError(f"the services must include {GENERAL_ADVICE!r}")
