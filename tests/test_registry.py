"""Meta-tests: the registry, the rule modules, their docs and the README stay in step."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import flake8_ddd.rules
from flake8_ddd.docs import render_rule, splice_table
from flake8_ddd.rule import DOC_SECTIONS
from flake8_ddd.registry import RegistryError, all_rules, load_rules, rule_by_code
from harness import expectations, fixture_files

ROOT = Path(__file__).parent.parent
RULES = all_rules()


def test_entry_points_match_rule_modules():
    modules = sorted(p.stem for p in Path(flake8_ddd.rules.__file__).parent.glob("ddd[0-9]*.py"))
    registered = sorted(r.__module__.rsplit(".", 1)[1] for r in RULES
                        if r.__module__.startswith("flake8_ddd.rules."))
    assert registered == modules


def test_one_rule_per_module_and_module_named_for_code():
    for rule in RULES:
        module = rule.__module__.rsplit(".", 1)[1]
        assert module.startswith(rule.code.lower() + "_"), (rule.code, module)
        assert module == rule.code.lower() + "_" + rule.name().replace("-", "_"), (rule.code, module)


def test_codes_unique_and_not_reserved():
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes))
    assert "DDD000" not in codes
    assert not [c for c in codes if c.startswith("DDD9")]


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_docs_have_fixed_sections_in_order(rule):
    doc = rule.__doc__ or ""
    positions = [doc.index(section) for section in DOC_SECTIONS]
    assert positions == sorted(positions)
    assert "```python" in doc.split("## Example", 1)[1].split("## Use instead", 1)[0]
    assert "```python" in doc.split("## Use instead", 1)[1].split("## Options", 1)[0]
    assert '"' in doc.split("## Why is this bad?", 1)[1].split("## Example", 1)[0], \
        "the why-section quotes the guide"


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_options_are_documented(rule):
    options_section = (rule.__doc__ or "").split("## Options", 1)[1]
    for option in rule.options:
        assert option.name in options_section, option.name
    if not rule.options:
        assert "None" in options_section


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_message_shape(rule):
    assert not rule.message.endswith(".")
    assert ":" in rule.message or ";" in rule.message, "a message says what to do instead"


def test_every_rule_has_fixture_findings_and_clean_lines():
    reported = {code for path in fixture_files() for _, code in expectations(path.read_text())}
    missing = [r.code for r in RULES if r.code not in reported]
    assert not missing, f"rules without a fixture line that must be reported: {missing}"


def test_readme_table_is_current():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert splice_table(readme, RULES) == readme, "run `python -m flake8_ddd readme`"


def test_readme_lists_every_code():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for rule in RULES:
        assert re.search(rf"\| {rule.code} \|", readme), rule.code


def test_rule_command_explains_a_rule():
    result = subprocess.run([sys.executable, "-m", "flake8_ddd", "rule", "DDD001"],
                            capture_output=True, text=True, check=True)
    assert result.stdout == render_rule(rule_by_code("DDD001"))
    assert result.stdout.startswith("# commit-in-crud (DDD001)")


def test_rules_command_lists_every_rule():
    result = subprocess.run([sys.executable, "-m", "flake8_ddd", "rules"],
                            capture_output=True, text=True, check=True)
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert listed[:len(RULES)] == [r.code for r in RULES]


def test_unknown_rule_code_is_one_line_exit_2():
    result = subprocess.run([sys.executable, "-m", "flake8_ddd", "rule", "DDD998"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


class FakeEntryPoint:
    """An entry point of the ``flake8_ddd.rules`` group, as importlib.metadata gives it."""

    def __init__(self, name: str, value: str, dist: str) -> None:
        self.name, self.value = name, value
        self.dist = type("Distribution", (), {"name": dist})()

    def load(self):
        module, _, attribute = self.value.partition(":")
        return getattr(__import__(module, fromlist=[attribute]), attribute)


def test_two_entry_points_for_one_code_are_rejected_naming_both():
    rule = rule_by_code("DDD001")
    original = FakeEntryPoint("DDD001", f"{rule.__module__}:{rule.__name__}", "flake8-ddd")
    impostor = FakeEntryPoint("DDD001", "test_registry:Impostor", "someones-rules")
    with pytest.raises(RegistryError) as caught:
        load_rules([original, impostor])
    message = str(caught.value)
    assert "DDD001" in message and "\n" not in message
    assert original.value in message and "test_registry:Impostor" in message
    assert "someones-rules" in message
    assert load_rules([original, original]) == (rule,)  # one installation seen twice is one rule


class Impostor(rule_by_code("DDD001")):  # type: ignore[misc]
    """Another rule claiming DDD001 (the docstring sections come from DDD001's).

    ## What it does
    ## Why is this bad?
    ## Example
    ## Use instead
    ## Options
    """


def test_the_scan_finds_what_importlib_metadata_finds():
    """The registry reads entry points without importing importlib.metadata: it must find the
    same ones, in this environment, for our group and for the groups other tools use."""
    import importlib.metadata

    from flake8_ddd.registry import scan_entry_points

    for group in ("flake8_ddd.rules", "flake8.extension", "flake8.report", "console_scripts",
                  "pytest11"):
        if sys.version_info >= (3, 10):
            expected = importlib.metadata.entry_points(group=group)
        else:
            expected = importlib.metadata.entry_points().get(group, [])
        scanned = scan_entry_points(group)
        assert scanned is not None
        # sets: Python 3.9's importlib.metadata lists a distribution found twice twice
        assert {(e.name, e.value) for e in scanned} == {(e.name, e.value) for e in expected}
    rule = next(e for e in scan_entry_points("flake8_ddd.rules") if e.name == "DDD001")
    assert rule.load() is rule_by_code("DDD001")
