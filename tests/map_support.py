"""Shared by the map tests: a project with every kind of import finding, the real ``map`` and
``check`` commands, and a small grammar check of the mermaid the map prints."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Sequence

from harness import clean_env, make_project

PROJECT = {
    "app/__init__.py": "",
    "app/main.py": "from app.orders.routes.orders import router\n",
    "app/orders/__init__.py": "",
    "app/orders/routes/__init__.py": "",
    "app/orders/routes/orders.py": """\
        from fastapi import APIRouter

        from app.orders.crud.order import order_crud
        from app.orders.services.order import place_order
        from app.users.crud.user import user_crud  # noqa: DDD101, DDD103

        router = APIRouter()
        """,
    "app/orders/services/__init__.py": "",
    "app/orders/services/order.py": """\
        from app.orders.crud.order import order_crud
        from app.users.crud.user import user_crud


        async def place_order(db, order):
            if order is None:
                raise ValueError("no order")
            return await order_crud.create(db, order)
        """,
    "app/orders/crud/__init__.py": "",
    "app/orders/crud/order.py": """\
        from app.orders.services.order import place_order

        order_crud = object()
        """,
    "app/orders/tests/__init__.py": "",
    "app/orders/tests/test_orders.py": "from app.orders.crud.order import order_crud\n",
    "app/users/__init__.py": "",
    "app/users/crud/__init__.py": "",
    "app/users/crud/user.py": "user_crud = object()\n",
    "app/users/schemas.py": "from pydantic import BaseModel\n\n\nclass UserRead(BaseModel):\n    name: str\n",
    "app/core/__init__.py": "",
    "app/core/config.py": "from app.users.crud.user import user_crud\n",
    "app/apis/__init__.py": "",
    "app/apis/v1.py": "from app.orders.routes.orders import router\n",
    "app/broken/__init__.py": "",
    "app/broken/routes.py": "def broken(:\n",
}


def project(root: Path, **files: str) -> Path:
    return make_project(root, {**PROJECT, **files})


def run(command: str, args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flake8_ddd", command, *args], cwd=str(cwd),
                          capture_output=True, text=True, timeout=600, env=clean_env())


def map_json(root: Path, *args: str) -> Dict:
    done = run("map", ["--output-format", "json", *args], root)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def check_count(root: Path, *args: str) -> int:
    done = run("check", ["--output-format", "json", "--exit-zero", *args], root)
    assert done.returncode == 0, done.stderr
    return len(json.loads(done.stdout))


def edges_of(document: Dict) -> Dict:
    return {(e["from"], e["to"]): (e["imports"], e["violations"]) for e in document["edges"]}


def cells_of(document: Dict) -> Dict:
    return {(f["name"], layer): cell for f in document["features"] for layer, cell in f["layers"].items()}


# --- mermaid ------------------------------------------------------------------------------------

_NAME = r"[A-Za-z][A-Za-z0-9_]*"
_LABEL = r'"[^"]*"'
MERMAID_LINES = [re.compile(p) for p in (
    r"flowchart (LR|TB|TD|RL|BT)",
    r"%%.*",
    rf"subgraph {_NAME}\[{_LABEL}\]",
    r"direction (LR|TB|TD|RL|BT)",
    r"end",
    rf"{_NAME}\[{_LABEL}\]",
    rf"{_NAME}\(\[{_LABEL}\]\)",
    rf"{_NAME} --> {_NAME}",
    rf"{_NAME} -->\|{_LABEL}\| {_NAME}",
    rf"classDef {_NAME} [a-z-]+:[^\s;]+(,[a-z-]+:[^\s;]+)*",
    rf"class {_NAME}(,{_NAME})* {_NAME}",
    r"linkStyle \d+(,\d+)* [a-z-]+:[^\s;]+(,[a-z-]+:[^\s;]+)*",
)]


def mermaid_problems(text: str) -> List[str]:
    """What a mermaid flowchart parser would reject: unknown statements, unbalanced subgraphs,
    edges or classes naming undeclared nodes, links styled that do not exist, raw quotes."""
    problems: List[str] = []
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines or not lines[0].startswith("flowchart "):
        return ["does not start with a flowchart header"]
    depth, nodes, links = 0, set(), 0
    for number, line in enumerate(lines, 1):
        if not any(p.fullmatch(line) for p in MERMAID_LINES):
            problems.append(f"line {number}: not a statement: {line}")
            continue
        if line.startswith("subgraph "):
            depth += 1
        elif line == "end":
            depth -= 1
            if depth < 0:
                problems.append(f"line {number}: end without subgraph")
        elif re.match(rf"{_NAME}(\[|\(\[)", line):
            nodes.add(re.match(_NAME, line).group(0))
        elif "-->" in line:
            for end in (line.split()[0], line.split()[-1]):
                if end not in nodes:
                    problems.append(f"line {number}: edge to undeclared node {end}")
            links += 1
        elif line.startswith("class "):
            for name in line.split()[1].split(","):
                if name not in nodes:
                    problems.append(f"line {number}: class for undeclared node {name}")
        elif line.startswith("linkStyle "):
            for index in line.split()[1].split(","):
                if int(index) >= links:
                    problems.append(f"line {number}: style of link {index}, which does not exist")
    if depth != 0:
        problems.append("unbalanced subgraph/end")
    return problems
