"""The LocalStack init hook's plan (localstack/init/topology.json) is the topology's."""

from infra.local import provision
from shared.messaging.topology import QUEUES, VISIBILITY_TIMEOUT_SECONDS


def test_committed_plan_is_the_generated_one() -> None:
    assert provision.PLAN_PATH.read_text() == provision.render_plan(), (
        "localstack/init/topology.json is stale: run `python -m infra.local.provision --write`"
    )
    assert provision.main(["--check"]) == 0


def test_plan_has_every_queue_with_its_filter() -> None:
    plan = provision.plan()
    by_name = {q["name"]: q for q in plan["queues"]}
    assert set(by_name) == {q.name for q in QUEUES}
    for queue in QUEUES:
        entry = by_name[queue.name]
        assert entry["dead_letter_queue"] == queue.dlq_name
        assert entry["filter_policy"] == {"event_type": sorted(t.value for t in queue.event_types)}
        assert entry["visibility_timeout_seconds"] == VISIBILITY_TIMEOUT_SECONDS
