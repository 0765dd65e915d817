"""Reading TwiML responses in tests: verbs in order, with their attributes and text."""

from __future__ import annotations

import xml.etree.ElementTree as ET


def parse(response) -> ET.Element:  # noqa: ANN001
    """The <Response> root of a webhook's answer (asserting it is TwiML)."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.get_data())  # noqa: S314
    assert root.tag == "Response"
    return root


def verbs(root: ET.Element) -> list[str]:
    """Top-level verb names in order."""
    return [child.tag for child in root]


def spoken(root: ET.Element) -> str:
    """Everything <Say> says, nested ones included."""
    return " ".join(el.text or "" for el in root.iter("Say"))
