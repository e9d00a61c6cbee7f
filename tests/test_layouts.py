"""Real project layouts (issue 11, RULES-SPEC revision 2 "How a file gets its layer"): each shape
goes through the real flake8 from several working directories and through ``flake8-ddd check``,
and ``flake8-ddd layers`` / ``flake8-ddd init`` are run on them as programs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, Set, Tuple

import pytest

from harness import clean_env, codes, config, lint, lint_messages, make_project, parse_flake8, run_flake8

ROUTER = "from fastapi import APIRouter\n\nrouter = APIRouter()\n"

#: name -> (files, pyproject.toml text or None for a bare setup.cfg, expected findings as
#: (path from the project root, line, code), flake8 options).
SHAPES: Dict[str, Tuple[Dict[str, str], Set[Tuple[str, int, str]], Tuple[str, ...]]] = {
    # app/ has no __init__.py: still the application package, `app.user...` is first-party.
    "namespace_root": ({
        "pyproject.toml": "[project]\nname = 'shop'\n",
        "app/user/__init__.py": "",
        "app/user/crud.py": "def get(user_id):\n    return user_id\n",
        "app/user/routes.py": "from app.user.crud import get\n",
        "app/user/tests/__init__.py": "",
    }, {("app/user/routes.py", 1, "DDD101")}, ()),
    # a package nested in a feature belongs to that feature.
    "nested_feature": ({
        "app/__init__.py": "",
        "app/user/__init__.py": "",
        "app/user/tests/__init__.py": "",
        "app/user/routes/__init__.py": "from app.user.auth_management.routes import router\n",
        "app/user/auth_management/__init__.py": "",
        "app/user/auth_management/routes.py": ROUTER,
        "app/user/auth_management/crud.py": ("async def find(db, user_id):\n"
                                             "    return await db.get(user_id)\n"),
        "app/user/services/__init__.py": "from app.user.auth_management.crud import find\n",
        "app/core/__init__.py": "",
        "app/core/background/__init__.py": "",
        "app/core/background/tasks.py": "def run():\n    return 1\n",
    }, set(), ("--extend-select=DDD605",)),
    # layer-first: api/routes, services/, db/repositories/: no features, no DDD103/DDD605.
    "layer_first": ({
        "app/__init__.py": "",
        "app/api/__init__.py": "",
        "app/api/routes/__init__.py": "",
        "app/api/routes/users.py": "from app.services.auth import login\n",
        "app/services/__init__.py": "",
        "app/services/auth.py": "from app.db.repositories.users import get_user\n\n\n"
                                "def login(name):\n    return get_user(name)\n",
        "app/db/__init__.py": "",
        "app/db/repositories/__init__.py": "",
        "app/db/repositories/users.py": "def get_user(name):\n    return name\n",
        "app/db/session.py": "from sqlalchemy import create_engine\n\n"
                             "engine = create_engine('sqlite://')\n",
        "tests/__init__.py": "",
    }, set(), ("--extend-select=DDD605",)),
    # core imports: `router` is a name in apis, `seed` is a layer-less module of a feature.
    "core_imports": ({
        "app/__init__.py": "",
        "app/core/__init__.py": "",
        "app/core/startup.py": "from app.apis.v1 import router\nfrom app.user.seed import run_seed\n",
        "app/apis/__init__.py": "",
        "app/apis/v1/__init__.py": ROUTER,
        "app/user/__init__.py": "",
        "app/user/seed.py": "def run_seed():\n    return 1\n",
    }, {("app/core/startup.py", 2, "DDD104")}, ()),
    # settings and database modules directly below the application package.
    "settings_database": ({
        "app/__init__.py": "",
        "app/config.py": "import os\n\nDATABASE_URL = os.environ['DATABASE_URL']\n",
        "app/environment.py": "import os\n\nDEBUG = os.getenv('DEBUG')\n",
        "app/db/__init__.py": "",
        "app/db/session.py": "from sqlalchemy import create_engine\n\n"
                             "engine = create_engine('sqlite://')\n",
        "app/jobs.py": "import os\n\nQUEUE = os.getenv('QUEUE')\n",
    }, {("app/jobs.py", 3, "DDD601")},
        ("--ddd-layer-paths=app/*.py=core,app/db/*.py=core", "--ddd-settings-names=config,environment")),
    # a path glob applies to the target of a relative import as to an absolute one.
    "glob_relative": ({
        "pyproject.toml": "[project]\nname = 'shop'\n",
        "app/user/__init__.py": "",
        "app/user/tests/__init__.py": "",
        "app/user/handlers.py": ROUTER,
        "app/user/services.py": "from .handlers import router\nfrom app.user.handlers import router as r\n",
    }, {("app/user/services.py", 1, "DDD102"), ("app/user/services.py", 2, "DDD102")},
        ("--ddd-layer-paths=app/*/handlers.py=routes",)),
    # layer code in a module with no layer (opt-in DDD606).
    "layer_code_without_layer": ({
        "app/__init__.py": "",
        "app/user/__init__.py": "",
        "app/user/tests/__init__.py": "",
        "app/user/handlers.py": ("from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
                                 "@router.get('/users/{user_id}')\n"
                                 "async def read_user(user_id: int, session) -> dict:\n"
                                 "    return await session.get(dict, user_id)\n"),
        "app/user/enums.py": "import enum\n\n\nclass Role(enum.Enum):\n    ADMIN = 1\n",
        "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
    }, {("app/user/handlers.py", 1, "DDD606")}, ("--extend-select=DDD606",)),
}


def build(tmp_path: Path, name: str) -> Path:
    files, _, _ = SHAPES[name]
    files = dict(files)
    pyproject = files.pop("pyproject.toml", None)
    root = tmp_path / name
    if pyproject is not None:
        return make_project(root, files, pyproject_toml=pyproject)
    return make_project(root, files)


def relative_findings(output: str, cwd: Path, root: Path) -> Set[Tuple[str, int, str]]:
    found = set()
    for path, pairs in parse_flake8(output).items():
        relative = os.path.relpath(os.path.join(str(cwd), path), str(root)).replace(os.sep, "/")
        found.update((relative, line, code) for line, code in pairs if code.startswith("DDD"))
    return found


@pytest.mark.parametrize("name", sorted(SHAPES))
@pytest.mark.parametrize("where", ["root", "parent", "inside"])
def test_shape_through_flake8(tmp_path, name, where):
    root = build(tmp_path, name)
    _, expected, options = SHAPES[name]
    cwd, target = {"root": (root, "app"), "parent": (root.parent, f"{name}/app"),
                   "inside": (root / "app", ".")}[where]
    result = run_flake8(["--select=DDD", *options, target], cwd)
    assert result.returncode in (0, 1), result.stderr
    assert relative_findings(result.stdout, cwd, root) == expected


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_shape_through_check(tmp_path, name):
    root = build(tmp_path, name)
    _, expected, options = SHAPES[name]
    flags = [o for o in options if o.startswith("--extend-select")]
    config = [o[2:].split("=", 1) for o in options if o.startswith("--ddd-")]
    if config:  # check reads options from the configuration file only
        with open(root / "setup.cfg", "a", encoding="utf-8") as handle:
            handle.write("\n[flake8]\n" + "".join(f"{k} = {v}\n" for k, v in config))
        if (root / "pyproject.toml").exists():
            flags.append("--config=setup.cfg")
    result = run_check(["check", "--no-cache", *flags, "app"], root)
    assert result.returncode in (0, 1), result.stderr
    assert relative_findings(result.stdout, root, root) == expected


def run_check(args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flake8_ddd", *args], cwd=str(cwd),
                          capture_output=True, text=True, timeout=600, env=clean_env())


# --- flake8-ddd layers ------------------------------------------------------------------------------

def layers_json(cwd: Path, *args: str) -> Dict[str, dict]:
    result = run_check(["layers", "--output-format", "json", *args], cwd)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert all(set(row) == {"path", "module", "layers", "feature", "role", "reason"} for row in rows)
    return {row["path"]: row for row in rows}


def test_layers_json_for_a_namespace_root(tmp_path):
    root = build(tmp_path, "namespace_root")
    rows = layers_json(root)
    assert rows["app/user/routes.py"] == {
        "path": "app/user/routes.py", "module": "app.user.routes", "layers": ["routes"],
        "feature": "user", "role": None, "reason": "segment 'routes' (module name)"}
    assert rows["app/user/tests/__init__.py"]["layers"] == []


def test_layers_json_paths_as_given(tmp_path):
    root = build(tmp_path, "settings_database")
    rows = layers_json(root.parent, "settings_database/app")
    assert rows["settings_database/app/config.py"]["role"] == "settings"
    assert rows["settings_database/app/db/session.py"]["role"] == "database"
    assert rows["settings_database/app/jobs.py"]["reason"] == "no layer segment in the module path"


def test_layers_json_for_nested_and_layer_first(tmp_path):
    nested = layers_json(build(tmp_path, "nested_feature"))
    assert nested["app/user/auth_management/routes.py"]["feature"] == "user"
    assert nested["app/core/background/tasks.py"]["feature"] is None
    flat = layers_json(build(tmp_path, "layer_first"))
    assert flat["app/db/repositories/users.py"]["layers"] == ["crud"]
    assert all(row["feature"] is None for row in flat.values())


def test_layers_reason_for_glob_and_pin(tmp_path):
    root = make_project(tmp_path / "p", {
        "app/__init__.py": "", "app/user/__init__.py": "",
        "app/user/handlers.py": "# ddd: layer=routes\nx = 1\n",
        "app/user/jobs.py": "x = 1\n",
    }, setup_cfg="[flake8]\nddd-layer-paths = app/*/jobs.py=tasks\n")
    rows = layers_json(root)
    assert rows["app/user/handlers.py"]["reason"] == "pin '# ddd: layer=routes' (line 1)"
    assert rows["app/user/jobs.py"] == {
        "path": "app/user/jobs.py", "module": "app.user.jobs", "layers": ["tasks"],
        "feature": "user", "role": None, "reason": "glob 'app/*/jobs.py' (ddd-layer-paths)"}


def test_layers_table_groups_by_feature_and_counts(tmp_path):
    root = build(tmp_path, "layer_code_without_layer")
    result = run_check(["layers"], root)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "feature user (3 files)" in lines
    assert "(no feature) (2 files)" in lines
    assert lines[-1] == "6 files: 0 with a layer, 5 without a layer, 1 tests"


# --- flake8-ddd init --------------------------------------------------------------------------------

INIT_PROJECT = {
    "app/__init__.py": "",
    "app/user/__init__.py": "",
    "app/user/handlers.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n",
    "app/item/__init__.py": "",
    "app/item/handlers.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n",
    "app/item/queries.py": "def get(session, item_id):\n    return session.get(int, item_id)\n",
    "app/item/tables.py": ("from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n"
                           "    pass\n\n\nclass Item(Base):\n    __tablename__ = 'item'\n"),
    "app/user/dto.py": "from pydantic import BaseModel\n\n\nclass UserRead(BaseModel):\n    id: int\n",
    "app/postgres.py": "from sqlalchemy import create_engine\n\nengine = create_engine('sqlite://')\n",
}
PYPROJECT = "# keep me\n[project]\nname = \"shop\"\n\n[tool.ruff]\nline-length = 100\n"


def test_init_proposes_and_writes(tmp_path):
    root = make_project(tmp_path / "p", INIT_PROJECT, pyproject_toml=PYPROJECT)
    result = run_check(["init", str(root)], tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "with a layer: 0 now, 5 with this configuration" in out
    assert 'ddd-layer-segments = ["handlers=routes"]' in out
    assert '"app/item/queries.py=crud"' in out and '"app/item/tables.py=models"' in out
    assert '"app/user/dto.py=schemas"' in out
    assert "ddd-database-names" in out and '"postgres"' in out
    assert run_check(["init", "--write", str(root)], tmp_path).returncode == 0
    text = (root / "pyproject.toml").read_text()
    assert text.startswith(PYPROJECT)
    assert "[tool.flake8-ddd]\nddd-layer-segments = [\"handlers=routes\"]\n" in text
    again = run_check(["init", str(root)], tmp_path)
    assert "nothing to configure" in again.stdout and "with a layer: 5 now" in again.stdout
    layers = layers_json(root)
    assert layers["app/item/handlers.py"]["layers"] == ["routes"]
    assert layers["app/postgres.py"]["role"] == "database"


def test_init_writes_into_an_existing_flake8_section(tmp_path):
    cfg = "[metadata]\nname = shop\n\n[flake8]\nmax-line-length = 100\n\n[mypy]\nstrict = true\n"
    root = make_project(tmp_path / "p", INIT_PROJECT, setup_cfg=cfg)
    assert run_check(["init", "--write", "."], root).returncode == 0
    text = (root / "setup.cfg").read_text()
    assert text.startswith("[metadata]\nname = shop\n\n[flake8]\nmax-line-length = 100\n"
                           "ddd-layer-segments =\n    handlers=routes\n")
    assert text.endswith("\n[mypy]\nstrict = true\n")
    assert run_check(["check", "--no-cache", "--exit-zero", "."], root).returncode == 0


INIT_KEYS = {"config_file", "format", "options", "text", "files", "layered_before", "layered_after",
             "notes", "written", "already_set"}


def test_init_json_proposes_then_writes(tmp_path):
    root = make_project(tmp_path / "p", INIT_PROJECT, pyproject_toml=PYPROJECT)
    result = run_check(["init", "--output-format", "json", "."], root)
    assert result.returncode == 0, result.stderr
    proposed = json.loads(result.stdout)
    assert set(proposed) == INIT_KEYS
    assert proposed["config_file"] == str(root / "pyproject.toml")
    assert proposed["format"] == "pyproject.toml" and proposed["written"] is False
    assert proposed["options"]["ddd-layer-segments"] == ["handlers=routes"]
    assert (proposed["files"], proposed["layered_before"], proposed["layered_after"]) == (9, 0, 5)
    assert proposed["text"].startswith('[tool.flake8-ddd]\nddd-layer-segments = ["handlers=routes"]\n')
    assert (root / "pyproject.toml").read_text() == PYPROJECT
    written = run_check(["init", "--write", "--output-format", "json", "."], root)
    assert written.returncode == 0, written.stderr
    assert json.loads(written.stdout) == {**proposed, "written": True}
    assert (root / "pyproject.toml").read_text() == PYPROJECT + "\n" + proposed["text"]
    again = json.loads(run_check(["init", "--output-format", "json", "--format", "setup.cfg", "."],
                                 root).stdout)
    assert (again["options"], again["text"], again["layered_before"]) == ({}, "", 5)
    assert again["config_file"] == str(root / "setup.cfg") and again["format"] == "setup.cfg"


def test_init_json_errors_are_one_line(tmp_path):
    result = run_check(["init", "--output-format", "json", str(tmp_path / "missing")], tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "not a directory" in result.stderr


# --- DDD606 details ---------------------------------------------------------------------------------

def test_ddd606_message_counts_what_it_found():
    text = ("from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get('/a')\n"
            "async def a(session) -> int:\n    await session.execute('x')\n"
            "    return await session.scalar('y')\n")
    assert lint_messages(text, "app/user/handlers.py", config(selected=("DDD606",))) == [
        "1:1: DDD606 module has no layer but holds layer code (1 route handler, 2 session queries): "
        "the layer rules never check it; give it a layer (a segment name, ddd-layer-paths or a "
        "ddd: layer pin) or exclude it with ddd-layer-exclude"]


def test_ddd606_skips_migrations_and_settings_or_database_modules():
    cfg = config(selected=("DDD606",))
    migration = ("revision = 'a1'\ndown_revision = None\n\n\nclass Table(Base):\n"
                 "    __tablename__ = 't'\n")
    assert codes(lint(migration, "app/user/versions/0001_init.py", cfg), "DDD606") == set()
    not_migration = migration.replace("down_revision", "previous")
    assert codes(lint(not_migration, "app/user/versions/0001_init.py", cfg), "DDD606") == {(1, "DDD606")}
    model = "from pydantic import BaseModel\n\n\nclass Options(BaseModel):\n    debug: bool = False\n"
    assert codes(lint(model, "app/config.py", cfg), "DDD606") == set()
    assert codes(lint(model, "app/user/options.py", cfg), "DDD606") == {(1, "DDD606")}
    assert codes(lint(model, "app/user/options.py", config(selected=("DDD6",))), "DDD606") == {(1, "DDD606")}
    assert codes(lint(model, "app/user/options.py", config(selected=("DDD",))), "DDD606") == set()


def test_check_and_flake8_warn_when_no_file_has_a_layer(tmp_path):
    root = make_project(tmp_path / "p", {"app/__init__.py": "", "app/main.py": "x = 1\n",
                                         "tests/test_main.py": "x = 1\n"})
    warning = "none of the 2 files checked has a layer, so no layer rule looked at them"
    checked = run_check(["check", "--no-cache", "."], root)
    assert checked.returncode == 0 and warning in checked.stderr
    assert run_flake8(["--select=DDD", "."], root).stderr.count(warning) == 1
    (root / "app" / "crud.py").write_text("x = 1\n")
    assert "no layer rule" not in run_check(["check", "--no-cache", "."], root).stderr
    assert "no layer rule" not in run_flake8(["--select=DDD", "."], root).stderr


def test_init_names_grouping_directories_and_namespace_roots(tmp_path):
    root = make_project(tmp_path / "p", {
        "app/infrastructure/__init__.py": "",
        "app/infrastructure/repositories/__init__.py": "",
        "app/infrastructure/repositories/users.py": "def get(name):\n    return name\n",
        "app/domain/__init__.py": "",
        "app/domain/services/users.py": "def register(name):\n    return name\n",
    }, pyproject_toml="[project]\nname = \"shop\"\n")
    out = run_check(["init", "."], root).stdout
    assert ("# app/ is a namespace application package (no __init__.py): understood without "
            "configuration") in out
    assert 'ddd-grouping-dirs = ["alembic", "migrations", "domain", "infrastructure"]' in out
    assert run_check(["init", "--write", "."], root).returncode == 0
    rows = layers_json(root)
    assert rows["app/infrastructure/repositories/users.py"]["feature"] is None
    assert rows["app/domain/services/users.py"]["layers"] == ["services"]
