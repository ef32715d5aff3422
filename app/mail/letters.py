"""A mail's words, written once and sent twice: as plain text and as a simple, accessible HTML
part that reads well on a phone (no remote images, no tracking, nothing that needs a network).

A `Letter` is what the other packages write; `from_text` gives a mail written as plain text the
same HTML dress, so that every mail has both parts.
"""
import re
from dataclasses import dataclass, field

from babel import Locale
from flask import current_app, render_template
from flask_babel import get_locale

# The Content-ID under which the HTML part finds its one inline picture (outbox: multipart/related).
IMAGE_CID = "picture@treffpunkt"
_URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass
class Letter:
    subject: str
    greeting: str
    paragraphs: list[str]  # what the mail is about
    facts: list[tuple[str, str]] = field(default_factory=list)  # (label, value): when, where, …
    button: tuple[str, str] | None = None  # (label, url): the one thing to do, e.g. the manage link
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url): further links
    after: list[str] = field(default_factory=list)  # paragraphs at the end
    image: bytes | None = None  # a PNG the HTML part shows (the check-in QR code)
    image_alt: str = ""
    image_caption: str = ""  # what it is for, above it

    def text(self) -> str:
        blocks = [self.greeting, *self.paragraphs]
        if self.facts:
            blocks.append("\n".join(f"{label}: {value}" for label, value in self.facts))
        if self.button:
            blocks.append(f"{self.button[0]}:\n{self.button[1]}")
        blocks += [f"{label}:\n{url}" for label, url in self.links]
        blocks += self.after
        return "\n\n".join(block for block in blocks if block)

    def html(self) -> str:
        return render_template("mail/letter.html", letter=self, cid=IMAGE_CID, url=_URL, **_language())


def from_text(subject: str, body: str) -> str:
    """The HTML part of a mail written as plain text: its paragraphs, with links made clickable."""
    paragraphs = [part.strip("\n") for part in re.split(r"\n\s*\n", body.strip()) if part.strip()]
    return render_template("mail/letter.html", letter=Letter(subject, "", paragraphs), cid=IMAGE_CID, url=_URL,
                           **_language())


def _language() -> dict:
    locale = get_locale() or Locale.parse(current_app.config["BABEL_DEFAULT_LOCALE"])
    return {"lang": str(locale).replace("_", "-"),
            "dir": "rtl" if locale.character_order == "right-to-left" else "ltr"}
