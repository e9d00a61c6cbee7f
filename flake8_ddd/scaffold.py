"""``flake8-ddd new-rule DDD123 some-name``: add a rule to a flake8-ddd checkout in one step.

Writes the rule module ``flake8_ddd/rules/ddd123_some_name.py`` from a template (a complete
rule that passes the ``Rule`` class checks, with an example check to replace), a fixture
``tests/fixtures/app/<feature>/<layer>/ddd123_some_name.py`` with one ``# error: DDD123`` line,
and the entry point in ``pyproject.toml``. Nothing is written unless all three can be.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, NamedTuple

from flake8_ddd.diagnostics import INTERNAL_ERROR_CODE
from flake8_ddd.registry import all_rules

CODE = re.compile(r"^DDD[0-6]\d\d$")
NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*$")
VERSION = re.compile(r"""^__version__\s*=\s*["']([^"']+)["']""", re.M)
ENTRY_POINTS = '[project.entry-points."flake8_ddd.rules"]'
FIXTURE_FEATURE = "orders"
FIXTURE_LAYER = "services"

MODULE_TEMPLATE = '''"""{code}: {title}."""

from __future__ import annotations

import ast

from flake8_ddd.layers import Layer
from flake8_ddd.rule import Rule, Scope, on


class {class_name}(Rule):
    """TODO: one line saying what is reported (the README table's "Reports" column)

    ## What it does
    TODO: what the rule reports, and the look-alikes it deliberately leaves alone.

    ## Why is this bad?
    TODO: quote the architecture guide: "...".

    ## Example
    ```python
    print("TODO: code the rule reports")
    ```

    ## Use instead
    ```python
    logger.info("TODO: what to write instead")
    ```

    ## Options
    None.
    """

    code = "{code}"
    message = "TODO: what was found ({{what}}): what to do instead"
    scope = Scope.LAYERS
    layers = frozenset({{Layer.{layer}}})
    since = "{version}"
    #: New rules start opt-in (`extend-select = {code}`) until real projects show no false positives.
    opt_in = True

    @on(ast.Call)
    def call(self, node: ast.Call) -> None:
        # TODO: replace this example check (a call of print) with the rule's own.
        if isinstance(node.func, ast.Name) and node.func.id == "print":
            self.report(node, what="print()")
'''

FIXTURE_TEMPLATE = '''"""Fixture of {code} ({name}): the marked lines are reported, no other line."""


async def example(items: list) -> None:
    print(items)  # error: {code}
'''

NEXT_STEPS = """
Next:
  1. Reinstall, so that the new entry point exists: python -m pip install -e '.[test]'
  2. Write the rule in {module} (docstring sections, message, scope,
     handlers) and its expectations in {fixture}.
  3. Add it to the README table: python -m flake8_ddd readme
  4. Run the tests: python -m pytest
"""


class ScaffoldError(Exception):
    """The rule cannot be added; the message is one line for the user."""


#: The commands of the next steps (``new-rule --output-format json``'s ``next_steps``).
NEXT_COMMANDS = ("python -m pip install -e '.[test]'", "python -m flake8_ddd readme",
                 "python -m pytest")


class Scaffolded(NamedTuple):
    files: List[str]
    next_steps: str
    code: str
    name: str
    #: ``flake8_ddd.rules.<module>:<Class>``, under the code in pyproject.toml's entry points.
    entry_point: str

    def as_json(self) -> Dict[str, object]:
        """The keys of ``new-rule --output-format json``."""
        return {"code": self.code, "name": self.name, "module": self.files[0],
                "fixture": self.files[1], "entry_point": self.entry_point,
                "files": self.files, "next_steps": list(NEXT_COMMANDS)}


def class_name_of(name: str) -> str:
    """``print-in-services`` -> ``PrintInServices`` (``Rule.name()`` gives the name back)."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("-"))


def new_rule(code: str, name: str, root: Path) -> Scaffolded:
    """Write the module, fixture and entry point of rule ``code`` in the checkout at ``root``."""
    code, name = code.strip().upper(), name.strip()
    _check_code_and_name(code, name)
    stem = f"{code.lower()}_{name.replace('-', '_')}"
    module = root / "flake8_ddd" / "rules" / f"{stem}.py"
    fixture = root / "tests" / "fixtures" / "app" / FIXTURE_FEATURE / FIXTURE_LAYER / f"{stem}.py"
    pyproject = root / "pyproject.toml"
    if not module.parent.is_dir() or not pyproject.is_file() or not (root / "tests" / "fixtures").is_dir():
        raise ScaffoldError(f"{root} is not a flake8-ddd checkout (no flake8_ddd/rules/, "
                            "tests/fixtures/ or pyproject.toml); run new-rule at its root")
    _check_code_is_free(code, module.parent, pyproject)
    if fixture.exists():
        raise ScaffoldError(f"{fixture.relative_to(root)} exists already")
    class_name = class_name_of(name)
    target = f"flake8_ddd.rules.{stem}:{class_name}"
    entry = f'{code} = "{target}"'
    pyproject_text = _with_entry_point(pyproject.read_text(encoding="utf-8"), entry)
    module_text = MODULE_TEMPLATE.format(code=code, title=name.replace("-", " "),
                                         class_name=class_name, layer=FIXTURE_LAYER.upper(),
                                         version=_version(root))
    module.write_text(module_text, encoding="utf-8")
    fixture.parent.mkdir(parents=True, exist_ok=True)
    fixture.write_text(FIXTURE_TEMPLATE.format(code=code, name=name), encoding="utf-8")
    pyproject.write_text(pyproject_text, encoding="utf-8")
    shown = [p.relative_to(root).as_posix() for p in (module, fixture, pyproject)]
    return Scaffolded(shown, NEXT_STEPS.format(module=shown[0], fixture=shown[1]), code, name, target)


def _check_code_and_name(code: str, name: str) -> None:
    if not CODE.match(code) or code == INTERNAL_ERROR_CODE:
        raise ScaffoldError(f"bad code {code!r}: expected DDD001 to DDD699 (DDD000 is reserved for "
                            "internal errors, DDD9xx for team-defined pattern rules)")
    if not NAME.match(name):
        raise ScaffoldError(f"bad name {name!r}: expected kebab-case words naming the flagged "
                            "pattern, e.g. print-in-services")


def _check_code_is_free(code: str, rules_directory: Path, pyproject: Path) -> None:
    taken = sorted(rules_directory.glob(f"{code.lower()}_*.py"))
    if taken:
        raise ScaffoldError(f"code {code} is taken by {taken[0].name}")
    if re.search(rf"^{code}\s*=", pyproject.read_text(encoding="utf-8"), re.M):
        raise ScaffoldError(f"code {code} already has an entry point in pyproject.toml")
    installed = next((rule for rule in all_rules() if rule.code == code), None)
    if installed is not None:
        raise ScaffoldError(f"code {code} is taken by the installed rule "
                            f"{installed.__module__}.{installed.__qualname__}")


def _with_entry_point(text: str, entry: str) -> str:
    """``pyproject.toml`` with ``entry`` as the last line of the rules' entry-point table."""
    lines = text.splitlines(keepends=True)
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == ENTRY_POINTS)
    except StopIteration:
        raise ScaffoldError(f"pyproject.toml has no {ENTRY_POINTS} table") from None
    end = start + 1
    while end < len(lines) and not lines[end].lstrip().startswith("["):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1  # after the last entry, before the blank lines that end the table
    if end > 0 and not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    lines.insert(end, entry + "\n")
    return "".join(lines)


def _version(root: Path) -> str:
    """The version of the checkout at ``root``: the new rule's ``since``."""
    try:
        match = VERSION.search((root / "flake8_ddd" / "__init__.py").read_text(encoding="utf-8"))
    except OSError:
        match = None
    if match is None:
        raise ScaffoldError("cannot read __version__ from flake8_ddd/__init__.py")
    return match.group(1)
