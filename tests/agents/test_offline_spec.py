"""The offline model's tool specification covers exactly the tools each role is given."""

from __future__ import annotations

from agents.offline import SPECS, tool_label
from tools import ROLE_TOOLS


def test_one_specification_per_tool() -> None:
    names = [spec.name for spec in SPECS]
    assert len(names) == len(set(names))


def test_specification_names_equal_role_tools() -> None:
    # Admins act for their organisation's hiring side: they get the employer's tools.
    assert [t.name for t in ROLE_TOOLS["admin"]] == [t.name for t in ROLE_TOOLS["employer"]]
    for role in ("candidate", "employer"):
        specified = {spec.name for spec in SPECS if spec.role in (role, "both")}
        assert specified == {tool.name for tool in ROLE_TOOLS[role]}, role


def test_every_tool_has_a_label_intent_and_examples() -> None:
    for spec in SPECS:
        assert tool_label(spec.name) == spec.label and spec.label, spec.name
        assert spec.patterns and spec.examples, spec.name
    assert tool_label("not_a_tool") == "not a tool"
