"""The cover letter answering every access request (SPEC §8, §15), as text and as PDF.

It carries the supplementary information the ICO expects with a subject access response
(UK GDPR article 15(1)-(2)): purposes, categories, recipients, retention, source, rights and
how to complain to the ICO, in the request's language. Pure: no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from recordings.correspondence import long_date, words

__all__ = ["Letter", "letter_pdf", "letter_text"]

FONTS = Path(__file__).resolve().parent / "fonts"  # DejaVu Sans: every Welsh letter (ŵ, ŷ)
SECTIONS = ("purposes", "categories", "recipients", "retention", "source", "rights", "complain")


@dataclass(frozen=True)
class Letter:
    """Who the letter is to and what it answers; `recordings` None when not counted yet."""

    reference: str
    requester_name: str
    language: str
    dated: date
    received_on: date
    postal_address: str | None = None
    contact_email: str | None = None
    recordings: int | None = None


def _address(letter: Letter) -> list[str]:
    lines = [letter.requester_name]
    if letter.postal_address:
        lines += [line.strip() for line in letter.postal_address.splitlines() if line.strip()]
    elif letter.contact_email:
        lines.append(words(letter.language)["by_email"].format(email=letter.contact_email))
    return lines


def _found(letter: Letter) -> str:
    text = words(letter.language)
    if letter.recordings is None:
        return text["not_counted"]
    if letter.recordings == 0:
        return text["found_none"]
    return text["found_some"].format(count=letter.recordings)


def _blocks(letter: Letter) -> list[tuple[str, str]]:
    """The letter as (kind, text) blocks: kind is 'line', 'title', 'heading' or 'para'."""
    text = words(letter.language)
    blocks = [("line", text["sender"]), ("line", long_date(letter.dated, letter.language))]
    blocks += [("line", line) for line in _address(letter)]
    received = long_date(letter.received_on, letter.language)
    blocks += [
        ("title", text["subject"].format(reference=letter.reference)),
        ("para", text["greeting"].format(name=letter.requester_name)),
        ("para", f"{text['received'].format(received=received)} {_found(letter)}"),
    ]
    for section in SECTIONS:
        blocks += [("heading", text[f"heading_{section}"]), ("para", text[section])]
    blocks += [
        ("para", text["link_warning"]),
        ("para", text["sign_off"]),
        ("line", text["signature"]),
    ]
    return blocks


def letter_text(letter: Letter) -> str:
    """The letter as plain text (UTF-8), paragraphs separated by blank lines."""
    out: list[str] = []
    for kind, body in _blocks(letter):
        if kind != "line" and out and out[-1] != "":
            out.append("")
        out.append(body)
        if kind in ("title", "para"):
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def letter_pdf(letter: Letter) -> bytes:
    """The letter as an A4 PDF, with a text layer a screen reader can read."""
    from fpdf import FPDF  # here, not at import: it adds 0.4 s to every worker's start

    pdf = FPDF(format="A4")
    pdf.set_title(words(letter.language)["subject"].format(reference=letter.reference))
    pdf.set_lang("cy-GB" if letter.language == "cy" else "en-GB")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    sizes = {
        "line": ("", 11, 2),
        "title": ("B", 13, 6),
        "heading": ("B", 11, 2),
        "para": ("", 11, 5),
    }
    for kind, body in _blocks(letter):
        style, size, after = sizes[kind]
        if kind in ("title", "heading"):
            pdf.ln(3)
        pdf.set_font("DejaVu", style, size)
        pdf.multi_cell(0, 5.5, body, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(after if kind != "line" else 0)
    return bytes(pdf.output())
