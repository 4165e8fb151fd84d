"""The README's state diagrams are generated from the state machine, and kept current."""

from infra import state_diagram
from shared.workflow.states import REQUEST_TRANSITIONS, STAGE_TRANSITIONS


def test_the_readme_draws_the_state_machine_as_it_is() -> None:
    readme = state_diagram.README.read_text()
    assert state_diagram.current_block(readme) == state_diagram.render(), (
        "README.md's state diagram is stale: run `python -m infra.state_diagram`"
    )


def test_every_state_and_every_transition_is_drawn() -> None:
    drawn = state_diagram.render()
    for transitions in (REQUEST_TRANSITIONS, STAGE_TRANSITIONS):
        for state, targets in transitions.items():
            for target in targets:
                assert f"    {state.value} --> {target.value}\n" in drawn
            if not targets:
                assert f"    {state.value} --> [*]\n" in drawn
