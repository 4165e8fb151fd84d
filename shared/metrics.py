"""Prometheus metrics the functions record. With PROMETHEUS_MULTIPROC_DIR set (the local
stack sets it), every process — gateway, runner — writes to one directory and /metrics
aggregates them; without it they live in the process (unit tests, and each function's
container under docker compose, which serves them on METRICS_PORT: shared/observability.py)."""

from prometheus_client import Counter, Gauge, Histogram

# Seconds: from sub-millisecond handlers to the 30 s function timeout.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
# Time to decision: minutes to weeks.
DECISION_BUCKETS = (60, 300, 900, 3600, 4 * 3600, 24 * 3600, 3 * 24 * 3600, 7 * 24 * 3600)

FUNCTION_INVOCATIONS = Counter("function_invocations_total", "Function invocations", ["function"])
FUNCTION_ERRORS = Counter(
    "function_errors_total", "Invocations that raised or answered 5xx", ["function"]
)
FUNCTION_DURATION = Histogram(
    "function_duration_seconds", "Function invocation time", ["function"], buckets=DURATION_BUCKETS
)
MESSAGE_FAILURES = Counter(
    "queue_message_failures_total", "Messages a consumer reported as failed", ["function"]
)
REQUESTS_SUBMITTED = Counter("credit_requests_submitted_total", "Credit requests submitted")
DECISIONS = Counter(
    "credit_decisions_total",
    "Decisions: automatic (level 0) and per approval stage level",
    ["outcome", "level"],
)
TIME_TO_DECISION = Histogram(
    "credit_time_to_decision_seconds",
    "From submission to the final decision",
    ["outcome"],
    buckets=DECISION_BUCKETS,
)
QUEUE_MESSAGE_AGE = Histogram(
    "queue_message_age_seconds",
    "Age of a message when the runner receives it",
    ["queue"],
    buckets=DURATION_BUCKETS,
)
# SQS tells a message's age only when it is received (CloudWatch's ApproximateAgeOfOldestMessage
# in AWS): the oldest message of the runner's latest receive, 0 when it found none. A message
# that keeps failing comes back older each visibility timeout, and so does a growing backlog.
QUEUE_OLDEST_MESSAGE_AGE = Gauge(
    "queue_oldest_message_age_seconds",
    "Age of the oldest message in the runner's latest receive from a queue",
    ["queue"],
    multiprocess_mode="livemax",
)
CACHE_HITS = Counter("cache_hits_total", "Lookups answered from a cache", ["cache"])
CACHE_MISSES = Counter(
    "cache_misses_total", "Lookups that had to load the value (absent, stale or expired)", ["cache"]
)
CACHE_ERRORS = Counter(
    "cache_errors_total",
    "Reads answered from the database because Redis was unreachable",
    ["cache"],
)
