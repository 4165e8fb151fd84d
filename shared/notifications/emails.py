"""Rendering a notice as an email: one Jinja2 template per event (`templates/<name>.j2`)
gives the subject, the HTML part and the text part.

The event's template is written once, in the macros of `_macros.*.j2`; it is rendered twice,
through two environments that differ only in their layout and macros and in autoescaping
(on for HTML: every value from a person — names, purposes, comments — is escaped; off for
text/plain, where escaping would show as `&amp;`). Amounts and dates are formatted by Babel
for LOCALE and CURRENCY. The environments are built once per process, at first use, and
compile each template once.
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from shared.config import get_settings
from shared.notifications.formatting import money, when
from shared.notifications.notice import Notice, app_url

TEMPLATES = Path(__file__).resolve().parent / "templates"
PREFERENCES_PATH = "/account/notifications"


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str


def squash(text: str) -> str:
    """One line: the template's line breaks and indentation are layout, not content."""
    joined = " ".join(str(text).split())
    return Markup(joined) if isinstance(text, Markup) else joined


@cache
def _environments() -> dict[str, Environment]:
    environments: dict[str, Environment] = {}
    for part, autoescape in (("html", True), ("txt", False)):
        environment = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=autoescape,
            undefined=StrictUndefined,  # a missing value fails the render, never sends a blank
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        environment.filters.update(money=money, when=when, squash=squash)
        environment.globals.update(layout=f"_layout.{part}.j2", macros=f"_macros.{part}.j2")
        environments[part] = environment
    return environments


def _tidy_text(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def context_of(notice: Notice) -> dict[str, Any]:
    """What a notice's templates see: its own context plus the product, locale and recipient."""
    settings = get_settings()
    return {
        **notice.context,
        "product": settings.product_name,
        "lang": str(Locale.parse(settings.locale)).replace("_", "-"),
        "recipient": notice.recipient,
        "page_url": notice.page_url,
        "preferences_url": app_url(PREFERENCES_PATH),
    }


def subject_of(notice: Notice) -> str:
    """A notice's email subject, from its template's subject block, on one line."""
    template = _environments()["txt"].get_template(f"{notice.template}.j2")
    block = template.blocks["subject"](template.new_context(context_of(notice)))
    return squash("".join(block))


def render(notice: Notice) -> Email:
    """A notice as an email: its subject, and HTML and text parts from one template."""
    context = context_of(notice)
    html = _environments()["html"].get_template(f"{notice.template}.j2").render(context)
    text = _environments()["txt"].get_template(f"{notice.template}.j2").render(context)
    return Email(notice.recipient.email, subject_of(notice), _tidy_text(text), html)


def template_names() -> list[str]:
    """Every event's template (the layout and macro files start with `_`)."""
    return sorted(p.stem for p in TEMPLATES.glob("*.j2") if not p.name.startswith("_"))
