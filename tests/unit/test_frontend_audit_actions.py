"""The audit log screen filters by action from a list (frontend/src/admin/audit-actions.json),
not free text. That list must hold every action the code records, or an administrator could
not find those entries: this reads each `record(...)`/`record_refusal(...)` call's action out of
the source and compares. A new audit action goes into that file (and its label into the web
app's translations, src/i18n/en.ts `auditActions`)."""

import ast
import json
from collections.abc import Iterator
from pathlib import Path

from shared.audit.chain import REDACTION_ACTION
from shared.notifications import channels
from shared.notifications.channels.base import HttpChannel

ROOT = Path(__file__).resolve().parents[2]
LISTED = ROOT / "frontend" / "src" / "admin" / "audit-actions.json"
# record(session, actor, action, ...), record_refusal(session, actor, action, ...), the
# notification channels' own helpers: audit(session, notice, action) and
# _audit(session, event, action), and the API's CSV exports: _export(session, user, action, ...).
ACTION_ARGUMENT = {"record": 2, "record_refusal": 2, "audit": 2, "_audit": 2, "_export": 2}
# Placeholders that name an HTTP notification channel (the code around them is HttpChannel's
# and the webhook delivery's): an action per such channel in the registry.
CHANNEL_PLACEHOLDERS = {"self.name", "event.channel"}
HTTP_CHANNELS = [n for n in channels.REGISTRY if isinstance(channels.get(n), HttpChannel)]


def _strings(node: ast.expr) -> Iterator[str]:
    """Every value a literal action can take: a string, or an f-string over literal branches."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.Attribute) and ast.unparse(node) in CHANNEL_PLACEHOLDERS:
        yield from HTTP_CHANNELS
    elif isinstance(node, ast.IfExp):
        yield from _strings(node.body)
        yield from _strings(node.orelse)
    elif isinstance(node, ast.JoinedStr):
        values: list[str] = [""]
        for part in node.values:
            options = list(_strings(part.value if isinstance(part, ast.FormattedValue) else part))
            if not options:
                raise ValueError(f"an audit action built from a non-literal: {ast.unparse(node)}")
            values = [v + o for v in values for o in options]
        yield from values
    else:
        raise ValueError(f"an audit action that is not a literal: {ast.unparse(node)}")


def recorded_actions() -> set[str]:
    actions: set[str] = set()
    for folder in ("shared", "functions"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                position = ACTION_ARGUMENT.get(name or "")
                if position is None or len(node.args) <= position:
                    continue
                argument = node.args[position]
                if isinstance(argument, ast.Name):
                    # A helper passing its own `action` parameter on (record_refusal, audit):
                    # its callers' literals are what is recorded.
                    continue
                actions.update(_strings(argument))
    return actions


def test_the_audit_screen_lists_every_recorded_action() -> None:
    # And the one the database writes itself: audit_redact_rows records each redaction.
    recorded = recorded_actions() | {REDACTION_ACTION}
    listed = set(json.loads(LISTED.read_text(encoding="utf-8")))
    assert len(recorded) > 10, f"the scan found too few actions to be right: {sorted(recorded)}"
    assert recorded - listed == set(), (
        f"audit actions the web app cannot filter by: {sorted(recorded - listed)}; "
        "add them to frontend/src/admin/audit-actions.json (and a label in src/i18n/en.ts)"
    )
    assert listed - recorded == set(), (
        f"listed audit actions nothing records: {sorted(listed - recorded)}"
    )
