"""The YAML reference page (chapters/appendix-spec.md) documents every key a spec accepts."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import ringstats.spec
from ringstats import RingSpec
from ringstats.errors import SpecError

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "chapters" / "appendix-spec.md"


def _key_sets() -> set[str]:
    """Every string in a set literal of the spec modules: the key sets `from_dict` accepts."""
    root = Path(ringstats.spec.__file__)
    files = sorted(root.parent.glob("*.py")) if root.name == "__init__.py" else [root]
    keys: set[str] = set()
    for f in files:
        tree = ast.parse(f.read_text(encoding="utf-8"))
        keys |= {e.value for node in ast.walk(tree) if isinstance(node, ast.Set)
                 for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    return keys


def _documented() -> set[str]:
    return set(re.findall(r"^\| `([A-Za-z_]+)` \|", PAGE.read_text(encoding="utf-8"), re.M))


def test_every_accepted_key_is_on_the_reference_page():
    keys = _key_sets()
    assert {"name", "constructs", "ring", "items", "min", "max", "reverse_keyed"} <= keys
    missing = sorted(keys - _documented())
    assert not missing, f"keys accepted by RingSpec.from_dict but not documented: {missing}"


def test_top_level_keys_from_the_error_message_are_documented():
    with pytest.raises(SpecError, match="allowed: ") as info:
        RingSpec.from_dict({"zz_not_a_key": 1, "constructs": {}})
    allowed = re.search(r"allowed: ([a-z_, ]+)", str(info.value)).group(1).split(", ")
    assert set(allowed) <= _documented()


def test_the_complete_example_is_a_valid_spec():
    text = PAGE.read_text(encoding="utf-8")
    example = text.split("## A complete example")[1].split("```yaml")[1].split("```")[0]
    spec = RingSpec.from_yaml(example)
    assert spec.rings == {1: ["product"], 2: ["ease"], 3: ["seen"]}
    assert spec.reverse_keyed == ("ease4",)
    outcomes = text.split("Examples:")[1].split("```yaml")[1].split("```")[0]
    spec = RingSpec.from_yaml(example.split("outcomes:")[0] + outcomes
                              + "missing_codes: [-99]\n")
    assert spec.outcome_spec("churned").positive == "left"
    assert not spec.outcome_spec("ltr").nps_standard
