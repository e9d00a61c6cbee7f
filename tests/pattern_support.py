"""What the pattern-rule tests share: rule tables, configurations, and ways to run them."""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, List, Set, Tuple

import ast_grep_py  # noqa: F401 - the tests need the real package (it is in the test extra)
import pytest

from flake8_ddd.engine import lint_source
from flake8_ddd.layers import Layer
from flake8_ddd.configuration import build_config
from flake8_ddd.option import ConfigError
from flake8_ddd.options import PATTERN_RULES_KEY, Config
from harness import ALL_GROUPS, FIXTURES

ROOT = Path(__file__).parent.parent
DOC = ROOT / "docs" / "pattern-rules.md"

#: A file of each layer (paths below the fixtures root, which is a project root).
LAYER_PATHS = {
    Layer.ROUTES: "app/shop/routes/orders.py",
    Layer.SERVICES: "app/shop/services/orders.py",
    Layer.CRUD: "app/shop/crud/orders.py",
    Layer.SCHEMAS: "app/shop/schemas/orders.py",
    Layer.MODELS: "app/shop/models/orders.py",
    Layer.DEPENDENCIES: "app/shop/dependencies.py",
    Layer.EXCEPTIONS: "app/shop/exceptions.py",
    Layer.TASKS: "app/shop/tasks.py",
    Layer.CORE: "app/core/clock.py",
    Layer.APIS: "app/apis/payments.py",
}
NO_LAYER_PATH = "app/main.py"
TEST_PATHS = ("app/shop/tests/test_orders.py", "app/shop/services/test_orders.py", "conftest.py")
PRINT_RULE = {"code": "DDD901", "message": "print() in services: use the logger ($$$ARGS)",
              "layers": ["services"], "rule": {"pattern": "print($$$ARGS)"}}


def table(code: str = "DDD901", message: str = "found: remove it", **keys: Any) -> Dict[str, Any]:
    keys.setdefault("rule", {"pattern": "print($$$ARGS)"})
    return {"code": code, "message": message, **keys}


def cfg(*tables: Dict[str, Any], **raw: Any) -> Config:
    raw[PATTERN_RULES_KEY] = list(tables)
    return build_config(raw, select=ALL_GROUPS)


def found(source: str, path: str, config: Config) -> List[Tuple[int, int, str, str]]:
    """``(line, col, code, message)`` of the DDD9xx findings (and DDD000) in ``source``."""
    return [(f.line, f.col, f.code, f.message)
            for f in lint_source(textwrap.dedent(source), str(FIXTURES / path), config)
            if f.code.startswith("DDD9") or f.code == "DDD000"]


def lines_codes(source: str, path: str, config: Config) -> Set[Tuple[int, str]]:
    return {(line, code) for line, _, code, _ in found(source, path, config)}


def config_error(*tables: Any, **raw: Any) -> str:
    with pytest.raises(ConfigError) as caught:
        if tables:
            raw[PATTERN_RULES_KEY] = list(tables)
        build_config(raw)
    message = str(caught.value)
    assert "\n" not in message and message.strip() == message, message
    return message


def documented_rules_file() -> str:
    """The first ```toml block of docs/pattern-rules.md: the rules file users copy."""
    return re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)[0]


#: Pattern rules of every kind (kinds, relations, constraints, layers), for the property tests.
PROPERTY_CONFIG = cfg(
    table(code="DDD990", message="print of $$$A: x", rule={"pattern": "print($$$A)"}),
    table(code="DDD991", message="$S.commit() in a def: x", layers=["crud", "services"],
          rule={"pattern": "$S.commit()", "inside": {"kind": "function_definition", "stopBy": "end"},
                "not": {"inside": {"kind": "with_statement", "stopBy": "end"}}}),
    table(code="DDD992", message="call of $F with $$$ARGS: x",
          rule={"pattern": "$F($$$ARGS)"}, constraints={"F": {"regex": "^[a-z]"}}),
    table(code="DDD993", message="class $C: x", layers=["models", "schemas", "routes"],
          rule={"kind": "class_definition", "has": {"field": "name", "pattern": "$C"}}),
    table(code="DDD994", message="string: x", rule={"any": [{"kind": "string"}, {"kind": "lambda"}]}),
)
#: The rules file of docs/pattern-rules.md, loaded.
HOUSE_RULES = cfg(*__import__("tomllib" if sys.version_info >= (3, 11) else "tomli").loads(
    documented_rules_file())["rule"]).pattern_rules
