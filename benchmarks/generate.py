"""Write a synthetic FastAPI application laid out as the architecture guide describes.

    python benchmarks/generate.py 1000               # -> /tmp/ddd-bench/1000
    python benchmarks/generate.py 5000 --out DIR --seed 7

The tree has exactly N Python files: ``app/core/`` (settings, database, crud, exceptions,
middleware), ``app/apis/v1.py``, ``app/main.py`` and as many features as needed, each with
``models/``, ``schemas/``, ``crud/``, ``services/``, ``routes/`` packages (two modules each),
``dependencies.py``, ``exceptions.py``, ``enums.py``, ``tasks.py`` and ``tests/``. Modules are
FastAPI / SQLAlchemy 2.0 async / Pydantic v2 code of 60-200 lines (package ``__init__.py``
files are short re-exports, as in real projects), and about one module in six carries one of
the violations the DDD rules report (``VIOLATIONS``: a commit in crud, HTTPException in a
service, a query or a loop in a route, a blocking HTTP call, an environment read, ...). The module
texts are templates under ``benchmarks/templates/``; ``feature_modules.py`` fills them.

The output depends only on N and the seed. A ``setup.cfg`` at the root marks the project, sets
``max-line-length = 110`` and switches the opt-in DDD rules on (so every rule runs).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import os
import random
import re
import shutil
import sys
from typing import Callable, Dict, List, Optional, Tuple

from feature import FEATURE_WORDS, Feature
from feature_modules import (crud_main, crud_sub, dependencies_module, enums_module, exceptions_module,
                             fill, init_module, models_main, models_sub, routes_main, routes_sub,
                             schemas_main, schemas_sub, services_main, services_sub, tasks_module,
                             tests_module)

DEFAULT_ROOT = "/tmp/ddd-bench"
DEFAULT_SEED = 20240611
#: Every code the corpus carries, and how (tests/test_benchmark_corpus.py checks a generated corpus).
VIOLATIONS = {
    "DDD001": "a commit in a crud module",
    "DDD002": "HTTPException raised in a service",
    "DDD003": "HTTPException raised in crud",
    "DDD004": "a rollback in crud",
    "DDD006": "an HTTPException with status 500 in a route",
    "DDD007": "a built-in exception raised in a service",
    "DDD008": "an exception class in a models module",
    "DDD101": "a route importing crud",
    "DDD105": "a route importing an ORM model",
    "DDD201": "a query in a route",
    "DDD202": "a loop in a route handler",
    "DDD203": "a conditional in a route handler",
    "DDD204": "a service constructed in a route handler",
    "DDD205": "a route without response typing",
    "DDD301": "fastapi imported in a service",
    "DDD302": "a query in a service",
    "DDD401": "an immutable field in an update schema",
    "DDD402": "an unbounded str in an input schema",
    "DDD403": "a schema that does not name its intent",
    "DDD404": "a pydantic model in a routes module",
    "DDD501": "a sync route handler",
    "DDD504": "a blocking HTTP call",
    "DDD601": "an environment read outside settings",
    "DDD604": "a CRUD class without the generic base",
    "DDD605": "a feature without tests",
}

# --- application-wide modules ----------------------------------------------------------------

CORE_SETTINGS = fill("core/settings")

CORE_DATABASE = fill("core/database")

CORE_CRUD = fill("core/crud")

CORE_EXCEPTIONS = fill("core/exceptions")

CORE_SECURITY = fill("core/security")

CORE_MIDDLEWARE = fill("core/middleware")

MAIN = fill("main")


def apis_v1(features: List[Feature]) -> str:
    imports = []
    includes = []
    for f in features:
        imports.append(f"from app.{f.name}.routes import {f.entity} as {f.name}_routes")
        imports.append(f"from app.{f.name}.routes import {f.sub_name} as {f.name}_{f.sub}_routes")
        includes.append(f"api_router.include_router({f.name}_routes.router)")
        includes.append(f"api_router.include_router({f.name}_{f.sub}_routes.router)")
    return ('"""Version 1 of the HTTP API: every feature\'s routers under one prefix."""\n\n'
            "from __future__ import annotations\n\nfrom fastapi import APIRouter\n\n"
            + "\n".join(imports) + "\n\napi_router = APIRouter()\n\n" + "\n".join(includes) + "\n")


# --- layout ------------------------------------------------------------------------------------

FeatureFile = Tuple[str, Callable[[Feature], str]]


def feature_files(f: Feature) -> List[FeatureFile]:
    n, e, s = f.name, f.entity, f.sub_name

    def package(layer: str, doc: str, modules: List[Tuple[str, List[str]]]) -> Callable[[Feature], str]:
        return lambda _f: init_module(doc, [(f"app.{n}.{layer}.{m}", names) for m, names in modules])

    files: List[FeatureFile] = [
        (f"app/{n}/__init__.py", lambda _f: f'"""The {n} feature."""\n'),
        (f"app/{n}/enums.py", enums_module),
        (f"app/{n}/exceptions.py", exceptions_module),
        (f"app/{n}/models/__init__.py",
         package("models", f"ORM models of the {n} feature.",
                 [(e, [f.Entity]), (s, [f.Sub, f.Sub + "Audit"])])),
        (f"app/{n}/models/{e}.py", models_main),
        (f"app/{n}/models/{s}.py", models_sub),
        (f"app/{n}/schemas/__init__.py", lambda _f: f'"""Schemas of the {n} feature."""\n'),
        (f"app/{n}/schemas/{e}.py", schemas_main),
        (f"app/{n}/schemas/{s}.py", schemas_sub),
        (f"app/{n}/crud/__init__.py",
         package("crud", f"Data access of the {n} feature.", [(e, [f"{e}_crud"]), (s, [f"{s}_crud"])])),
        (f"app/{n}/crud/{e}.py", crud_main),
        (f"app/{n}/crud/{s}.py", crud_sub),
        (f"app/{n}/services/__init__.py", lambda _f: f'"""Services of the {n} feature."""\n'),
        (f"app/{n}/services/{e}.py", services_main),
        (f"app/{n}/services/{s}.py", services_sub),
        (f"app/{n}/routes/__init__.py", lambda _f: f'"""HTTP routes of the {n} feature."""\n'),
        (f"app/{n}/routes/{e}.py", routes_main),
        (f"app/{n}/routes/{s}.py", routes_sub),
        (f"app/{n}/dependencies.py", dependencies_module),
        (f"app/{n}/tasks.py", tasks_module),
    ]
    if f.has_tests:
        files += [(f"app/{n}/tests/__init__.py", lambda _f: ""),
                  (f"app/{n}/tests/test_{e}_service.py", tests_module)]
    return files


def prune_imports(text: str) -> str:
    """Drop imported names the module never uses (the templates import generously)."""
    tree = ast.parse(text)
    lines = text.splitlines(True)
    imports = [node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]
    spans = {(node.lineno, node.end_lineno) for node in imports}
    rest = "".join(line for number, line in enumerate(lines, 1)
                   if not any(low <= number <= high for low, high in spans))
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", rest))
    for node in sorted(imports, key=lambda n: -n.lineno):
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        kept = [a for a in node.names
                if (a.asname or a.name).split(".")[0] in words or a.name == "*"]
        if len(kept) == len(node.names):
            continue
        indent = lines[node.lineno - 1][:node.col_offset]
        names = [a.name + (f" as {a.asname}" if a.asname else "") for a in kept]
        if not kept:
            replacement = [indent + "pass\n"] if indent else []
        elif isinstance(node, ast.Import):
            replacement = [f"{indent}import {', '.join(names)}\n"]
        else:
            head = f"{indent}from {'.' * node.level}{node.module or ''} import "
            one = head + ", ".join(names)
            if len(one) <= 100:
                replacement = [one + "\n"]
            else:
                replacement = [head + "(\n"] + [f"{indent}    {n},\n" for n in names] + [indent + ")\n"]
        lines[node.lineno - 1:node.end_lineno] = replacement
    text = "".join(lines)
    return re.sub(r"\n{3,}(?=(from|import) )", "\n\n", text)


def plan(total: int, seed: int) -> Dict[str, str]:
    """Relative path -> source text of every Python file, exactly ``total`` of them."""
    if total < 20:
        raise ValueError("at least 20 files")
    rng = random.Random(seed)
    fixed = {
        "app/__init__.py": '"""The application package."""\n',
        "app/main.py": MAIN,
        "app/core/__init__.py": '"""Application-wide building blocks."""\n',
        "app/core/settings.py": CORE_SETTINGS,
        "app/core/database.py": CORE_DATABASE,
        "app/core/crud.py": CORE_CRUD,
        "app/core/exceptions.py": CORE_EXCEPTIONS,
        "app/core/security.py": CORE_SECURITY,
        "app/core/middleware.py": CORE_MIDDLEWARE,
        "app/apis/__init__.py": '"""Versioned APIs."""\n',
    }
    budget = total - len(fixed) - 1  # apis/v1.py is written last
    names = [FEATURE_WORDS[i % len(FEATURE_WORDS)] if i < len(FEATURE_WORDS)
             else f"{FEATURE_WORDS[i % len(FEATURE_WORDS)]}_{i // len(FEATURE_WORDS)}"
             for i in range(total)]
    files: Dict[str, str] = {}
    features: List[Feature] = []
    index = 0
    while budget > 0:
        feature = Feature(index, rng, names[:max(index, 1)])
        features.append(feature)
        for path, render in feature_files(feature):
            if budget == 0:
                break
            text = render(feature)
            files[path] = text if path.endswith("__init__.py") else prune_imports(text)
            budget -= 1
        index += 1
    files.update(fixed)
    # Routers of a feature cut short may be missing; include only those written.
    complete = [f for f in features
                if f"app/{f.name}/routes/{f.sub_name}.py" in files]
    files["app/apis/v1.py"] = apis_v1(complete)
    assert len(files) == total, (len(files), total)
    return files


#: flake8 (and ``flake8-ddd check``) configuration of the tree: every rule on, opt-in ones too.
SETUP_CFG = fill("setup_cfg")


def write(root: str, files: Dict[str, str], check: bool = True) -> None:
    if os.path.exists(root):
        shutil.rmtree(root)
    os.makedirs(root)
    with open(os.path.join(root, "setup.cfg"), "w", encoding="utf-8") as handle:
        handle.write(SETUP_CFG)
    for relative, text in sorted(files.items()):
        if check:
            ast.parse(text, relative)
        path = os.path.join(root, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)


def digest() -> str:
    """A digest of the generator's modules and templates: corpora are written again when it changes."""
    here = os.path.dirname(os.path.abspath(__file__))
    sources = [os.path.join(here, name) for name in ("generate.py", "feature.py", "feature_modules.py")]
    for root, _, names in sorted(os.walk(os.path.join(here, "templates"))):
        sources += [os.path.join(root, name) for name in sorted(names)]
    hashed = hashlib.sha256()
    for path in sources:
        with open(path, "rb") as handle:
            hashed.update(os.path.relpath(path, here).encode() + b"\0" + handle.read())
    return hashed.hexdigest()[:16]


def generate(total: int, out: Optional[str] = None, seed: int = DEFAULT_SEED) -> Tuple[str, int]:
    """Write the tree; its root and its number of lines."""
    root = out or os.path.join(DEFAULT_ROOT, str(total))
    files = plan(total, seed)
    write(root, files)
    return root, sum(text.count("\n") for text in files.values())


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", type=int, nargs="+", help="number of Python files (20-100000)")
    parser.add_argument("--out", help=f"output directory (default {DEFAULT_ROOT}/<files>; "
                                      "only with one size)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    if args.out and len(args.files) > 1:
        parser.error("--out takes one size")
    for total in args.files:
        root, lines = generate(total, args.out, args.seed)
        print(f"{root}: {total} files, {lines} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
