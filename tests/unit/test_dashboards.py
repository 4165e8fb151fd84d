"""The Grafana dashboard (infra/grafana/dashboards/) queries metrics the code exports.

Metric names are read from the code that defines them, so renaming a metric without updating
the dashboard (or adding one without a panel) fails here, not on an operator's screen.
"""

import ast
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = ROOT / "infra" / "grafana" / "dashboards"
DASHBOARD = DASHBOARDS / "credit-approval.json"
DATASOURCES = ROOT / "infra" / "grafana" / "provisioning" / "datasources" / "prometheus.yml"
# Where the app's metrics are defined: prometheus-client metrics and the scrape-time gauges.
METRIC_SOURCES = (
    ROOT / "shared" / "metrics.py",
    ROOT / "infra" / "local" / "gateway.py",
    ROOT / "infra" / "local" / "workflow_metrics.py",
)
METRIC_CLASSES = {
    "Counter": ("_total",),
    "Gauge": ("",),
    "Histogram": ("_bucket", "_count", "_sum"),
    "Summary": ("", "_count", "_sum"),
    "GaugeMetricFamily": ("",),
    "CounterMetricFamily": ("_total",),
    "HistogramMetricFamily": ("_bucket", "_count", "_sum"),
}
# Series every scrape has without our code: Prometheus' own, and prometheus-client's
# default process collector.
BUILT_IN = re.compile(r"^(up|scrape_[a-z_]+|process_[a-z_]+)$")
PROMQL_WORDS = {
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "and",
    "or",
    "unless",
    "offset",
    "inf",
    "nan",
}
# Grafana's interval variables, for checking the queries with promtool.
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h"}


def defined_metrics() -> dict[str, set[str]]:
    """Metric family name -> the series names it exports (with _total/_bucket/... suffixes)."""
    families: dict[str, set[str]] = {}
    for path in METRIC_SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            kind = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            first = node.args[0]
            if kind not in METRIC_CLASSES or not isinstance(first, ast.Constant):
                continue
            name = str(first.value)
            if METRIC_CLASSES[kind] == ("_total",):
                name = name.removesuffix("_total")
            families[name] = {name + suffix for suffix in METRIC_CLASSES[kind]}
    return families


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (not functions, labels or keywords)."""
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', expr)  # label values
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)  # ranges
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    names = set()
    for match in re.finditer(r"(?<![\w.$])[A-Za-z_:][\w:]*", text):
        if match[0].lower() in PROMQL_WORDS or text[match.end() :].lstrip().startswith("("):
            continue  # a keyword, or a function or aggregation
        names.add(match[0])
    return names


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    loaded = json.loads(DASHBOARD.read_text())
    assert isinstance(loaded, dict)
    return loaded


def query_panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    """Every panel that shows data: rows only group them (also panels nested in rows)."""
    found: list[dict[str, Any]] = []
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            found.extend(panel.get("panels", []))
        else:
            found.append(panel)
    return found


def expressions(dashboard: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (f"{panel['title']} / {target['refId']}", target["expr"])
        for panel in query_panels(dashboard)
        for target in panel["targets"]
    ]


def test_only_dashboard_files_in_the_provisioned_folder() -> None:
    assert sorted(p.name for p in DASHBOARDS.iterdir()) == ["credit-approval.json"]


def test_dashboard_has_identity(dashboard: dict[str, Any]) -> None:
    assert dashboard["uid"] == "credit-approval"
    assert dashboard["title"] == "Credit approval"
    assert "id" not in dashboard or dashboard["id"] is None, "provisioned: Grafana assigns it"
    ids = [p["id"] for p in dashboard["panels"]] + [
        p["id"] for row in dashboard["panels"] for p in row.get("panels", [])
    ]
    assert len(ids) == len(set(ids)), "panel ids are unique"


def test_every_panel_queries_the_provisioned_prometheus(dashboard: dict[str, Any]) -> None:
    [datasource] = yaml.safe_load(DATASOURCES.read_text())["datasources"]
    panels = query_panels(dashboard)
    assert len(panels) >= 20
    for panel in panels:
        assert panel["title"], panel["id"]
        assert panel["targets"], f"{panel['title']}: no query"
        assert panel["datasource"] == {"type": "prometheus", "uid": datasource["uid"]}
        for target in panel["targets"]:
            assert target["expr"].strip(), f"{panel['title']}: empty PromQL"
            assert target.get("datasource", panel["datasource"]) == panel["datasource"]


def test_the_metric_name_parser() -> None:
    expr = (
        "histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket"
        '{route=~"/api/v1/.+", status!="500"}[$__rate_interval]))) > 1e3 and on (job) up'
    )
    assert metric_names(expr) == {"http_request_duration_seconds_bucket", "up"}
    assert metric_names("time() - max(backup_last_success_timestamp_seconds) > 26 * 3600") == {
        "backup_last_success_timestamp_seconds"
    }


def test_metrics_are_read_from_the_code() -> None:
    families = defined_metrics()
    assert families["http_requests"] == {"http_requests_total"}
    assert "http_request_duration_seconds_bucket" in families["http_request_duration_seconds"]
    assert families["dead_letter_messages"] == {"dead_letter_messages"}
    assert "credit_decisions" in families


def test_every_queried_metric_exists_in_the_code(dashboard: dict[str, Any]) -> None:
    exported = set().union(*defined_metrics().values())
    unknown = {
        (where, name)
        for where, expr in expressions(dashboard)
        for name in metric_names(expr)
        if name not in exported and not BUILT_IN.match(name)
    }
    assert not unknown, f"the dashboard queries metrics the code does not export: {unknown}"


def test_every_metric_of_the_code_is_on_the_dashboard(dashboard: dict[str, Any]) -> None:
    queried = {name for _, expr in expressions(dashboard) for name in metric_names(expr)}
    missing = {family for family, series in defined_metrics().items() if not series & queried}
    assert not missing, f"no panel shows: {sorted(missing)}"


def test_every_query_is_valid_promql(dashboard: dict[str, Any], tmp_path: Path) -> None:
    """`promtool check rules` parses each query, as a recording rule."""
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: install Debian's prometheus package (.ci/run does)"
    rules = []
    for i, (_, expr) in enumerate(expressions(dashboard)):
        for variable, value in GRAFANA_VARIABLES.items():
            expr = expr.replace(variable, value)
        assert "$" not in expr, f"unknown Grafana variable in {expr}"
        rules.append({"record": f"dashboard:query_{i}", "expr": expr})
    rule_file = tmp_path / "dashboard.rules.yml"
    rule_file.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = subprocess.run(
        [promtool, "check", "rules", str(rule_file)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
