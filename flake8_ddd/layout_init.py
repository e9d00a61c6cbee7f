"""``flake8-ddd init [PATH]``: read a project and propose the smallest layer configuration.

The project is read twice: its paths (what the current configuration decides for each file)
and its content (what each layer-less module holds: route handlers or an ``APIRouter`` make
routes, ORM classes make models, modules of Pydantic models only make schemas, session
queries make crud, or services when the module also commits; ``BaseSettings`` classes make a
settings module, engine or session-factory creation at module level a database module). From
that it proposes, in this order of preference: segment names shared by several files
(``handlers=routes``), one path glob per remaining file, grouping directories below the
application package (``infrastructure``) and settings/database module names. ``--write``
adds the proposal to the project's configuration file (the one ``flake8-ddd check`` reads, else
``pyproject.toml``, else ``setup.cfg``) without touching anything else in it.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
from collections import Counter, defaultdict
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from flake8_ddd.layers import Layer, LayerConfig, Location, locate_file
from flake8_ddd.module_paths import SOURCE_DIRECTORIES
from flake8_ddd.layout_files import (PYPROJECT, SETUP_CFG, Proposal, Written, config_target,
                                     is_toml, render_proposal, render_section, write_proposal)
from flake8_ddd.source_files import NotReadable, read_file

#: Directory names that group layers in layer-first projects (offered, never assumed).
GROUPING_WORDS = ("infrastructure", "infra", "persistence", "adapters", "interfaces",
                  "presentation", "web", "http", "rest", "domain", "application", "data_access")
#: Stems too generic to become a segment name.
GENERIC_STEMS = frozenset({"__init__", "main", "app", "utils", "util", "base", "common", "helpers",
                           "types", "constants", "enums", "__main__", "conftest", "cli"})
#: Top-level directories that are never application code.
NOT_APPLICATION = frozenset({"tests", "test", "scripts", "migrations", "alembic", "docs", "bin",
                             "tools", "load_tests", "benchmarks", "examples"})
#: Entry points and scripts: never mapped to a layer (their layer code shows as DDD606).
ENTRY_POINTS = frozenset({"main", "__main__", "cli", "manage", "app", "wsgi", "asgi", "server"})
COMMIT_METHODS = frozenset({"commit"})
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
MIN_SHARED = 2
MIN_PRECISION = 0.75


class FileFacts(NamedTuple):
    path: str
    location: Location
    content: Optional[Layer]
    role: Optional[str]


# --- content ------------------------------------------------------------------------------

def classify(tree: ast.AST, path: str, config) -> Tuple[Optional[Layer], Optional[str]]:
    """(layer its content suggests, role its content suggests) of one parsed module."""
    from flake8_ddd.ast_names import module_level_statements
    from flake8_ddd.context import FileContext
    from flake8_ddd.rules._database import (ENGINE_FACTORIES, QUERY_METHODS, database_callable,
                                            is_session_method_call)
    from flake8_ddd.rules._schemas import module_schemas
    from flake8_ddd.rules.ddd606_layer_code_without_layer import is_migration

    if is_migration(tree):
        return None, None
    ctx = FileContext(tree, path, [], config)
    handlers = routers = queries = commits = 0
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and ctx.is_route_handler(node):
            handlers += 1
        elif isinstance(node, ast.Call):
            routers += ctx.resolved_last_name(node.func) == "APIRouter"
            queries += is_session_method_call(ctx, node, QUERY_METHODS)
            commits += is_session_method_call(ctx, node, COMMIT_METHODS)
    engines = sum(1 for statement in module_level_statements(getattr(tree, "body", []))
                  if not isinstance(statement, DEFINITIONS)
                  for node in ast.walk(statement) if isinstance(node, ast.Call)
                  and database_callable(ctx, node.func, ENGINE_FACTORIES) is not None)
    schemas = module_schemas(ctx)
    classes = [schemas.info(node) for node in getattr(tree, "body", ()) if isinstance(node, ast.ClassDef)]
    classes = [info for info in classes if info is not None]
    orm = sum(1 for info in classes if info.orm)
    pydantic = sum(1 for info in classes if info.pydantic_model)
    settings = any(info.settings for info in classes)
    role = "settings" if settings else ("database" if engines else None)
    if handlers or routers:
        return Layer.ROUTES, role
    if orm:
        return Layer.MODELS, role
    if queries:  # whoever commits owns the transaction: a service, not crud
        return (Layer.SERVICES if commits else Layer.CRUD), role
    if pydantic and all(info.pydantic_model or info.enum for info in classes):
        return Layer.SCHEMAS, role
    return None, role


def read_tree(path: str) -> Optional[ast.AST]:
    try:
        return ast.parse(read_file(path), filename=path)
    except (OSError, NotReadable, SyntaxError, ValueError, RecursionError, MemoryError):
        return None


# --- the project --------------------------------------------------------------------------

def application_files(root: str, excluded: Sequence[str]) -> List[str]:
    """Python files of the project's application packages (not tests, scripts, migrations)."""
    from flake8_ddd import runner

    found = []
    for path in runner.discover([root], excluded, ["*.py"]):
        relative = os.path.relpath(path, root).split(os.sep)
        if len(relative) > 1 and relative[0] not in NOT_APPLICATION:
            found.append(path)
    return found


def scan(root: str, files: Sequence[str], layer_config: LayerConfig, config) -> List[FileFacts]:
    facts = []
    for path in files:
        lines = _first_lines(path)
        location = locate_file(path, layer_config, lines)
        if location.is_test:
            continue
        content, role = (None, None)
        if not location.layers or _role_position(location):
            tree = read_tree(path)
            if tree is not None:
                content, role = classify(tree, path, config)
        facts.append(FileFacts(path, location, content, role))
    return facts


def _first_lines(path: str) -> List[str]:
    from flake8_ddd.layer_report import first_lines

    return first_lines(path)


# --- the proposal -------------------------------------------------------------------------

def propose(facts: Sequence[FileFacts], layer_config: LayerConfig) -> Proposal:
    proposal = Proposal()
    unmapped = [f for f in facts if not f.location.layers and f.content is not None
                and f.location.role is None and f.location.stem not in ENTRY_POINTS]
    covered = _propose_segments(facts, unmapped, layer_config, proposal)
    for fact in unmapped:
        if fact.path not in covered:
            module_path = "/".join(fact.location.module_parts) + ".py"
            proposal.add("ddd-layer-paths", f"{module_path}={fact.content.value}")
    _propose_grouping(facts, layer_config, proposal)
    _propose_roles(facts, layer_config, proposal)
    return proposal


def _name_of(fact: FileFacts) -> List[str]:
    """Names of a file that could become a segment: its stem and its directory."""
    parts = fact.location.module_parts
    names = [parts[-1]] if parts[-1] not in GENERIC_STEMS else []
    if len(parts) >= 3 and parts[-2] not in GENERIC_STEMS:
        names.append(parts[-2])
    return names


def _propose_segments(facts: Sequence[FileFacts], unmapped: Sequence[FileFacts],
                      layer_config: LayerConfig, proposal: Proposal) -> set:
    candidates: Dict[str, Counter] = defaultdict(Counter)
    for fact in unmapped:
        for name in _name_of(fact):
            if name not in layer_config.segments:
                candidates[name][fact.content] += 1
    covered = set()
    for name in sorted(candidates, key=lambda n: -sum(candidates[n].values())):
        layer, support = candidates[name].most_common(1)[0]
        carrying = [f for f in facts if name in f.location.module_parts]
        disagreeing = sum(1 for f in carrying if f.content not in (None, layer)
                          or (f.location.layers and layer not in f.location.layers))
        if support < MIN_SHARED or support < MIN_PRECISION * (support + disagreeing):
            continue
        proposal.add("ddd-layer-segments", f"{name}={layer.value}")
        covered.update(f.path for f in unmapped if name in _name_of(f))
    return covered


def _propose_roles(facts: Sequence[FileFacts], layer_config: LayerConfig, proposal: Proposal) -> None:
    for role, key, current in (("settings", "ddd-settings-names", layer_config.settings_names),
                               ("database", "ddd-database-names", layer_config.database_names)):
        new = sorted({f.location.module_parts[1] for f in facts
                      if f.role == role and f.location.role is None and _role_position(f.location)
                      and f.location.module_parts[1] not in GENERIC_STEMS} - set(current))
        if new:
            for name in list(current) + new:
                proposal.add(key, name)


def _role_position(location: Location) -> bool:
    """Directly below the application package (``app/postgres.py``), where roles are named."""
    parts = location.module_parts
    return len(parts) == 2 or (len(parts) == 3 and parts[-1] == "__init__")


def _propose_grouping(facts: Sequence[FileFacts], layer_config: LayerConfig, proposal: Proposal) -> None:
    found = set()
    for fact in facts:
        parts = fact.location.module_parts
        if (len(parts) >= 4 and parts[1] in GROUPING_WORDS and parts[1] not in layer_config.grouping_dirs
                and fact.location.layers and fact.location.feature == parts[1]):
            found.add(parts[1])
    if found:
        for name in list(layer_config.grouping_dirs) + sorted(found):
            proposal.add("ddd-grouping-dirs", name)


def namespace_roots(root: str) -> List[str]:
    """Top directories without ``__init__.py`` that hold packages (namespace application packages)."""
    names = []
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return names
    for entry in entries:
        if (entry.is_dir() and not entry.name.startswith(".") and entry.name not in NOT_APPLICATION
                and entry.name not in SOURCE_DIRECTORIES
                and not os.path.exists(os.path.join(entry.path, "__init__.py"))):
            try:
                children = list(os.scandir(entry.path))
            except OSError:
                continue
            if any(c.is_dir() and os.path.exists(os.path.join(c.path, "__init__.py")) for c in children):
                names.append(entry.name)
    return names


# --- the command --------------------------------------------------------------------------

def add_parser(commands: argparse._SubParsersAction) -> None:
    init = commands.add_parser(
        "init", help="propose the layer configuration for a project (and --write it)",
        description="Read the project's paths and code and print the smallest configuration "
                    "that gives its layer code a layer.")
    init.add_argument("path", nargs="?", default=".", metavar="PATH", help="the project directory")
    init.add_argument("--write", action="store_true",
                      help="add the proposal to the project's configuration file")
    init.add_argument("--format", choices=("pyproject.toml", "setup.cfg"), default=None,
                      help="the configuration file to print for (default: the project's)")
    init.add_argument("--output-format", choices=("text", "json"), default="text",
                      help="text (the configuration, with comments) or json (an object)")


def init_command(args: argparse.Namespace) -> int:
    from flake8_ddd.config_files import SettingsError, load_settings

    root = os.path.abspath(args.path)
    if not os.path.isdir(root):
        print(f"flake8-ddd: {args.path}: not a directory", file=sys.stderr)
        return 2
    try:
        settings = load_settings(cwd=root)
        survey = survey_project(root, settings)
    except SettingsError as error:
        print(f"flake8-ddd: {error}", file=sys.stderr)
        return 2
    target = config_target(root, settings.source, args.format)
    notes = [f"{name}/ is a namespace application package (no __init__.py): understood "
             "without configuration" for name in namespace_roots(root)]
    as_json = getattr(args, "output_format", "text") == "json"
    if not as_json:
        print(render_proposal(survey.proposal, target, survey.files, survey.before, survey.after,
                              notes), end="")
    outcome = Written(0, False, [])
    if args.write and survey.proposal:
        outcome = write_proposal(survey.proposal, target, announce=not as_json)
    if outcome.status:
        return outcome.status
    if as_json:
        print(json.dumps(init_json(survey, target, notes, outcome), indent=2))
    return 0


class Survey(NamedTuple):
    proposal: Proposal
    #: Application files read, and how many of them have a layer now and with the proposal.
    files: int
    before: int
    after: int


def survey_project(root: str, settings) -> Survey:
    """Read the project at ``root`` and propose its configuration (SettingsError when broken)."""
    from flake8_ddd.configuration import build_config

    config = settings.config()
    facts = scan(root, application_files(root, settings.excluded), config.layer, config)
    proposal = propose(facts, config.layer)
    raw = dict(settings.rule_options)
    for key, items in proposal.items():
        extended = key in ("ddd-layer-segments", "ddd-layer-paths")
        raw[key] = (list(_existing(raw.get(key))) if extended else []) + list(items)
    after_config = build_config(raw).layer
    before = sum(1 for f in facts if f.location.layers)
    after = sum(1 for f in facts if locate_file(f.path, after_config, _first_lines(f.path)).layers)
    return Survey(proposal, len(facts), before, after)


def init_json(survey: Survey, target: str, notes: Sequence[str], outcome: Written) -> Dict[str, object]:
    """The keys of ``init --output-format json`` (documented in the README's "Your layout")."""
    return {"config_file": target, "format": PYPROJECT if is_toml(target) else SETUP_CFG,
            "options": dict(survey.proposal.items()),
            "text": render_section(survey.proposal, target), "files": survey.files,
            "layered_before": survey.before, "layered_after": survey.after, "notes": list(notes),
            "written": outcome.written, "already_set": outcome.already_set}


def _existing(value: object) -> Sequence[str]:
    if value is None:
        return ()
    if isinstance(value, str):
        return [v.strip() for v in value.replace("\n", ",").split(",") if v.strip()]
    return [str(v) for v in value]  # type: ignore[union-attr]
