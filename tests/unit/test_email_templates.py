"""What people read: each email template rendered from a fixed notice, compared with the
committed snapshot of its HTML and text parts (tests/unit/snapshots/emails/), plus the
properties every email must have whatever its wording.

A change to a template, the layout, the macros or the formatting fails here until the
snapshots are updated on purpose, and the diff shows what readers will see differently:

    UPDATE_SNAPSHOTS=1 .venv/bin/python -m infra.local.stack test -- \\
        tests/unit/test_email_templates.py

rewrites the snapshot files (review them with `git diff`, then commit them with the change).
"""

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from shared.config import get_settings
from shared.notifications import emails
from tests.notification_samples import APPROVAL_URL, SAMPLES

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots" / "emails"
UPDATING = os.environ.get("UPDATE_SNAPSHOTS") == "1"


def _snapshot(name: str, suffix: str, actual: str) -> None:
    path = SNAPSHOTS / f"{name}.{suffix}"
    if UPDATING:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual)
        return
    assert path.exists(), f"no snapshot {path.name}: run with UPDATE_SNAPSHOTS=1 and review it"
    assert actual == path.read_text(), (
        f"{path.name} changed: if on purpose, run with UPDATE_SNAPSHOTS=1 and commit the diff"
    )


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_email_matches_its_snapshot(name: str) -> None:
    email = emails.render(SAMPLES[name])
    _snapshot(name, "txt", f"Subject: {email.subject}\n\n{email.text}")
    _snapshot(name, "html", email.html)


def test_every_template_has_a_snapshot_and_no_snapshot_is_orphaned() -> None:
    assert {n.template for n in SAMPLES.values()} == set(emails.template_names())
    on_disk = {p.stem for p in SNAPSHOTS.glob("*.*")}
    assert on_disk == set(SAMPLES), "remove snapshots of samples that no longer exist"


class _Page(HTMLParser):
    """The facts about a rendered email an accessibility reviewer checks by hand."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.title = ""
        self.links: list[tuple[str, str]] = []
        self.images = 0
        self._in: list[str] = []
        self._href: str | None = None
        self._link_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self._in.append(tag)
        if tag == "html":
            self.lang = values.get("lang")
        if tag == "img":
            self.images += 1
        if tag == "a":
            self._href, self._link_text = values.get("href"), ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join(self._link_text.split())))
            self._href = None
        if self._in:
            self._in.pop()

    def handle_data(self, data: str) -> None:
        if self._in and self._in[-1] == "title":
            self.title += data
        if self._href is not None:
            self._link_text += data


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_email_greets_explains_and_is_accessible(name: str) -> None:
    notice = SAMPLES[name]
    email = emails.render(notice)
    page = _Page()
    page.feed(email.html)
    product = get_settings().product_name

    assert page.lang == "en-US"
    assert page.title == email.subject
    assert page.images == 0  # real text, never pictures of it
    # The greeting by name (escaped in HTML, as typed in text), the product, the footer.
    assert f"Hello {notice.recipient.name}," in email.text
    assert f"Hello {escape(notice.recipient.name)}," in email.html
    assert product in email.text and product in email.html
    assert "You receive this email because" in email.text
    assert "http://app.test/account/notifications" in email.text
    # Every link says where it goes, and the main action is the notice's page or the
    # approval link, in both parts.
    assert page.links and all(text for _, text in page.links)
    action = notice.secret_url or notice.page_url
    assert action in [href for href, _ in page.links]
    assert action in email.text
    # No template leaves a placeholder or a raw value behind.
    assert not re.search(r"\{\{|\}\}|\{%|None\b|Decimal\(", email.text + email.html)


def test_values_from_people_are_escaped_in_html_and_kept_in_text() -> None:
    email = emails.render(SAMPLES["request_rejected"])
    assert "Ana &lt;Souza&gt; &amp; Co" in email.html
    assert "<Souza>" not in email.html
    assert "Income is too irregular &lt;for now&gt;." in email.html
    assert "> Income is too irregular <for now>." in email.text
    assert "> Please reapply with 2026 statements." in email.text


def test_reasons_are_the_policy_sentences_and_amounts_carry_the_currency() -> None:
    email = emails.render(SAMPLES["request_auto_rejected"])
    assert "  - The credit score of 540 is below the minimum of 580." in email.text
    assert "$150,000.00" in email.text
    assert not re.search(r"\b[A-Z]+(_[A-Z]+)+\b", email.text), "a raw reason code leaked"


def test_the_approver_email_has_the_decision_facts_and_the_link_in_the_text_part() -> None:
    email = emails.render(SAMPLES["stage_assigned"])
    assert email.subject == "Approval needed: credit request 0b5d7e0c (stage 2 of 3)"
    for fact in (
        "Applicant: Ana <Souza> & Co",
        "Purpose: Workshop <tools> & a van",
        "Amount: $150,000.00",
        "Stage: 2 of 3 (manager)",
        "Due: December 3, 2026, 9:30\u202fAM UTC",
    ):
        assert fact in email.text
    assert APPROVAL_URL in email.text  # tests and people follow it from the text part


def test_the_rejection_without_a_shared_comment_quotes_nothing() -> None:
    email = emails.render(SAMPLES["request_rejected_without_comment"])
    assert "comment" not in email.text.lower()
    assert "<blockquote" not in email.html


def test_locale_and_currency_settings_change_amounts_dates_and_lang(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "locale", "pt_BR")
    monkeypatch.setattr(settings, "currency", "BRL")
    email = emails.render(SAMPLES["stage_assigned"])
    assert 'lang="pt-BR"' in email.html
    assert "R$\xa0150.000,00" in email.text
    assert "3 de dezembro de 2026, 09:30 UTC" in email.text
