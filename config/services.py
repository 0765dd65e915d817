"""The service menu: which key reaches which queue, and how urgent it is."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

GENERAL_ADVICE = "general_advice"


@dataclass(frozen=True)
class Service:
    """One entry of the caller's menu; lower priority number is answered first."""

    code: str
    key: str
    name: str
    priority: int
    # The spoken name in other languages (SPEC §13), as (code, name) pairs; `name` is English.
    names: tuple[tuple[str, str], ...] = field(default=())

    def name_in(self, language: str) -> str:
        """The name to speak in `language`; the English name when it has none."""
        return dict(self.names).get(language, self.name)

    def as_dict(self) -> dict[str, object]:
        """The JSON shape served by the staff API."""
        return {
            "code": self.code,
            "key": self.key,
            "name": self.name,
            "names": {"en": self.name, **dict(self.names)},
            "priority": self.priority,
        }


def _cy(name: str) -> tuple[tuple[str, str], ...]:
    return (("cy", name),)


# The Welsh names are reference wording, for review by the council's translators.


REFERENCE_SERVICES: tuple[Service, ...] = (
    Service(
        "adult_social_care",
        "1",
        "adult social care and health referrals",
        2,
        _cy("gofal cymdeithasol i oedolion ac atgyfeiriadau iechyd"),
    ),
    Service("children_families", "2", "children and families", 2, _cy("plant a theuluoedd")),
    Service("careline", "3", "Careline and telecare", 3, _cy("Careline a theleofal")),
    Service("crisis_response", "4", "urgent crisis response", 1, _cy("ymateb brys mewn argyfwng")),
    Service(
        "health_teams",
        "5",
        "falls, reablement, rehabilitation and other health teams",
        3,
        _cy("cwympiadau, ailalluogi, adsefydlu a thimau iechyd eraill"),
    ),
    Service(
        GENERAL_ADVICE,
        "0",
        "general advice and anything else",
        4,
        _cy("cyngor cyffredinol ac unrhyw beth arall"),
    ),
)


class ServiceConfigError(ValueError):
    """The configured service list cannot be used."""


def load_services(path: Path | None) -> tuple[Service, ...]:
    """The reference set, or the list in the JSON file at `path`."""
    if path is None:
        return REFERENCE_SERVICES
    try:
        rows = json.loads(path.read_text())
        services = tuple(_service(r) for r in rows)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ServiceConfigError(f"cannot read services from {path}: {exc}") from exc
    _check(services)
    return services


def _service(row: dict) -> Service:
    """One SERVICES_FILE entry: code, key, priority and `name` or `names` {"en": …, "cy": …}."""
    names = {str(k): str(v) for k, v in (row.get("names") or {}).items()}
    name = str(row["name"]) if "name" in row else names["en"]
    others = tuple((code, text) for code, text in names.items() if code != "en")
    return Service(str(row["code"]), str(row["key"]), name, int(row["priority"]), others)


def _check(services: tuple[Service, ...]) -> None:
    keys = [s.key for s in services]
    codes = [s.code for s in services]
    if len(set(keys)) != len(keys) or len(set(codes)) != len(codes):
        raise ServiceConfigError("service keys and codes must be unique")
    if any(len(k) != 1 or k not in "0123456789" for k in keys):
        raise ServiceConfigError("each service key must be a single digit 0-9")
    if GENERAL_ADVICE not in codes:
        raise ServiceConfigError(f"the services must include {GENERAL_ADVICE!r}")
