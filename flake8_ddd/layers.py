"""Where a file or an import target sits in the architecture: its layer(s), feature and role.

Layers come from path segments (directory names and the module's stem), matched on the
file's module path (see ``module_paths``: from the top-level package, which may be a namespace
package beside ``pyproject.toml``). The segment nearest the file wins. The first part of the
module path is the application package; the feature is the directory below it
(``app/user/auth/routes.py`` -> ``user``), unless that directory is a layer segment, a grouping
directory or a settings/database package (layer-first projects have no features). The
settings and database modules are the modules (or packages) of those names in core or
directly below the application package. Every decision carries its reason (``reason``).
"""

from __future__ import annotations

import enum
import fnmatch
import functools
import os
import re
from typing import Iterable, Mapping, NamedTuple, Optional, Sequence, Tuple

from flake8_ddd import pins
from flake8_ddd.pins import PIN_COMMENT_LINES  # noqa: F401 - where the layer report reads it
from flake8_ddd.module_paths import PROJECT_ROOT_MARKERS  # noqa: F401 - re-exported
from flake8_ddd.directory_memo import new_moment
from flake8_ddd.module_paths import project_module_kind, split_module_path


class Layer(str, enum.Enum):
    ROUTES = "routes"
    SERVICES = "services"
    CRUD = "crud"
    SCHEMAS = "schemas"
    MODELS = "models"
    DEPENDENCIES = "dependencies"
    EXCEPTIONS = "exceptions"
    TASKS = "tasks"
    CORE = "core"
    APIS = "apis"

    def __str__(self) -> str:
        return self.value


DEFAULT_SEGMENTS: Mapping[str, Layer] = {
    **dict.fromkeys(("routes", "router", "routers", "endpoints", "views", "api"), Layer.ROUTES),
    **dict.fromkeys(("services", "service"), Layer.SERVICES),
    **dict.fromkeys(("crud", "repository", "repositories"), Layer.CRUD),
    **dict.fromkeys(("schemas", "schema"), Layer.SCHEMAS),
    **dict.fromkeys(("models", "model"), Layer.MODELS),
    "dependencies": Layer.DEPENDENCIES,
    **dict.fromkeys(("exceptions", "errors"), Layer.EXCEPTIONS),
    "tasks": Layer.TASKS,
    "core": Layer.CORE,
    "apis": Layer.APIS,
}

#: Segments that name a layer only when they sit below a feature directory.
BELOW_FEATURE_ONLY = frozenset({"api"})
NOT_FEATURES = frozenset({"core", "apis"})
SETTINGS_STEMS = frozenset({"settings", "config"})
DATABASE_STEMS = frozenset({"database", "db", "session"})
#: Directories directly below the application package that are not features (besides layer
#: segments and settings/database packages); configurable (``ddd-grouping-dirs``).
DEFAULT_GROUPING_DIRS = ("alembic", "migrations")
TEST_SEGMENTS = frozenset({"tests", "test"})
#: What a pin comment may name.
LAYER_NAMES = frozenset(layer.value for layer in Layer)


class LayerConfig:
    """User-adjustable layer mapping (flake8 options ``ddd-layer-*``). Compared and hashed by
    value, once: it keys the memos of locations."""

    def __init__(self, segments: Optional[Mapping[str, Layer]] = None,
                 path_globs: Tuple[Tuple[str, frozenset], ...] = (),
                 exclude_globs: Tuple[str, ...] = (), app_packages: Tuple[str, ...] = (),
                 settings_names: Tuple[str, ...] = tuple(sorted(SETTINGS_STEMS)),
                 database_names: Tuple[str, ...] = tuple(sorted(DATABASE_STEMS)),
                 grouping_dirs: Tuple[str, ...] = DEFAULT_GROUPING_DIRS) -> None:
        self.segments: Mapping[str, Layer] = dict(DEFAULT_SEGMENTS) if segments is None else segments
        self.path_globs = path_globs
        self.exclude_globs = exclude_globs
        self.app_packages = app_packages
        self.settings_names = settings_names
        self.database_names = database_names
        self.grouping_dirs = grouping_dirs
        self._key = (tuple(sorted((k, v.value) for k, v in self.segments.items())),
                     tuple((g, tuple(sorted(x.value for x in ls))) for g, ls in path_globs),
                     exclude_globs, app_packages, settings_names, database_names, grouping_dirs)
        self._hash = hash(self._key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LayerConfig) and self._key == other._key

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return f"LayerConfig{self._key!r}"


class Location(NamedTuple):
    """What the architecture knows about one module (a file or an import target). Two
    locations are equal when all but their ``reason`` and ``root`` are."""

    module_parts: Tuple[str, ...]
    layers: frozenset = frozenset()
    feature: Optional[str] = None
    is_test: bool = False
    in_core: bool = False
    #: The segment that gave the layer (``crud`` for ``app/core/crud.py``); None when a path
    #: glob gave it.
    layer_segment: Optional[str] = None
    #: The core settings module: a core module named ``settings``/``config`` or inside a
    #: package of that name (``core/settings/__init__.py``, ``core/config/base.py``).
    is_settings_module: bool = False
    #: The core database module: a core module named ``database``/``db``/``session`` or
    #: inside a package of that name (``core/db/engine.py``, Dispatch's ``database/core.py``).
    is_database_module: bool = False
    #: What decided the layer: ``segment``, ``glob``, ``pin``, ``exclude``, ``test`` or
    #: ``default`` (no layer segment).
    decided_by: str = "default"
    #: The decision in words, for ``flake8-ddd layers`` (not compared).
    reason: str = ""
    #: The directory the module path counts from, when the file system says it (else None;
    #: not compared).
    root: Optional[str] = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Location) and self[:_COMPARED] == other[:_COMPARED]

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self[:_COMPARED])

    @property
    def role(self) -> Optional[str]:
        """``"settings"``, ``"database"`` or None."""
        if self.is_settings_module:
            return "settings"
        return "database" if self.is_database_module else None

    @property
    def stem(self) -> str:
        return self.module_parts[-1] if self.module_parts else ""

    @property
    def is_dependencies_module(self) -> bool:
        return Layer.DEPENDENCIES in self.layers

    def has(self, layer: Layer) -> bool:
        return layer in self.layers


#: The fields of a location that are compared: all before ``reason``.
_COMPARED = Location._fields.index("reason")


def parse_layer_names(text: str) -> frozenset:
    """``"models+schemas"`` -> {Layer.MODELS, Layer.SCHEMAS}; raises ValueError on unknown names."""
    names = [n.strip().lower() for n in re.split(r"[+,\s]+", text) if n.strip()]
    if names == ["none"]:
        return frozenset()
    return frozenset(Layer(n) for n in names)


def is_test_path(parts: Iterable[str]) -> bool:
    parts = tuple(parts)
    if not parts:
        return False
    stem = parts[-1]
    return (any(p in TEST_SEGMENTS for p in parts[:-1]) or stem in TEST_SEGMENTS
            or stem.startswith("test_") or stem.endswith("_test") or stem == "conftest")


def locate_parts(parts: Tuple[str, ...], config: LayerConfig) -> Location:
    """Layer, feature and role of a module path given as segments (last one is the stem)."""
    segments = config.segments
    in_core = any(segments.get(p) is Layer.CORE for p in parts)
    feature = feature_of(parts, config)
    role = role_of(parts, config)
    flags = (role == "settings", role == "database")
    is_test = is_test_path(parts)
    for index in range(len(parts) - 1, -1, -1):
        segment = parts[index]
        layer = segments.get(segment)
        if layer is None:
            continue
        if segment in BELOW_FEATURE_ONLY and (feature is None or index < 2):
            continue
        where = "module name" if index == len(parts) - 1 else "directory"
        return Location(parts, frozenset({layer}), feature, is_test, in_core, segment, *flags,
                        decided_by="segment", reason=f"segment {segment!r} ({where})")
    return Location(parts, frozenset(), feature, is_test, in_core, None, *flags,
                    reason="no layer segment in the module path")


def feature_of(parts: Tuple[str, ...], config: LayerConfig) -> Optional[str]:
    """The directory directly below the application package (``parts[0]``), when it is one
    and is not a layer segment, a grouping directory, a settings/database package or tests."""
    if len(parts) < 3:
        return None
    first = parts[1]
    if (first in config.segments or first in config.grouping_dirs or first in TEST_SEGMENTS
            or first in config.settings_names or first in config.database_names):
        return None
    return first


def role_of(parts: Tuple[str, ...], config: LayerConfig) -> Optional[str]:
    """``settings``/``database`` for the module or package of that name in core (anywhere
    below it) or directly below the application package, unless a layer segment below it
    gives the module another layer (``app/db/repositories/user.py`` is crud)."""
    segments = config.segments
    core = next((i for i, p in enumerate(parts) if segments.get(p) is Layer.CORE), None)
    indexes = list(range(core + 1, len(parts))) if core is not None else []
    if len(parts) >= 2:
        indexes.append(1)
    for index in indexes:
        part = parts[index]
        role = ("settings" if part in config.settings_names
                else "database" if part in config.database_names else None)
        if role is not None:
            below = parts[index + 1:]
            if any(segments.get(p) not in (None, Layer.CORE) for p in below):
                return None
            return role
    return None


# --- file paths ----------------------------------------------------------------------------

def module_parts_of_path(filename: str, cwd: Optional[str] = None) -> Tuple[str, ...]:
    """Module path segments of a file path, independent of how the path was spelled."""
    new_moment()
    return split_module_path(filename, cwd or os.getcwd())[0]


def find_pin(lines: Iterable[str]) -> Optional[Tuple[Optional[frozenset], int, str]]:
    """(layers or None when a name is unknown, line number, text) of the first
    ``# ddd: layer=...`` comment in the first lines."""
    pin = pins.find_pin(lines, LAYER_NAMES)  # linear time (DDD600 too)
    if pin is None:
        return None
    layers = None if pin.problem else frozenset(Layer(name) for name in pin.names)
    return layers, pin.line, pin.text


def pinned_layers(lines: Iterable[str]) -> Optional[frozenset]:
    """The layers named by a ``# ddd: layer=...`` comment in the first lines, if any."""
    pin = find_pin(lines)
    return pin[0] if pin is not None else None


def locate_file(filename: str, config: LayerConfig, lines: Iterable[str] = (),
                cwd: Optional[str] = None) -> Location:
    """Layer, feature, role and test status of the file flake8 calls ``filename``, and why."""
    new_moment()  # a file checked now sees the tree as it is now (directory_memo)
    cwd = cwd or os.getcwd()
    parts, root = split_module_path(filename, cwd)
    location = _located_below(parts, config, root)
    if location.is_test:
        return location
    candidates: Tuple[str, ...] = ()
    if config.path_globs or config.exclude_globs:  # the paths only globs are matched against
        absolute = os.path.normpath(os.path.join(cwd, filename))
        candidates = ("/".join(parts) + ".py", os.path.relpath(absolute, cwd).replace(os.sep, "/"),
                      absolute.replace(os.sep, "/"))
    return _configured(location, candidates, config, find_pin(lines))


def _configured(location: Location, candidates: Sequence[str], config: LayerConfig,
                pin: Optional[Tuple[Optional[frozenset], int, str]] = None) -> Location:
    """``location`` after ``ddd-layer-exclude``, a pin and ``ddd-layer-paths``, in that order,
    for a file or an import target; ``candidates`` are the paths the globs are matched against.
    The feature and role stay those of the path."""
    excluded = next((g for g in config.exclude_globs
                     if any(fnmatch.fnmatch(path, g) for path in candidates)), None)
    if excluded is not None:
        return location._replace(layers=frozenset(), feature=None, layer_segment=None,
                                 decided_by="exclude", reason=f"excluded by ddd-layer-exclude {excluded!r}")
    if pin is not None and pin[0] is not None:
        return location._replace(layers=pin[0], layer_segment=None, decided_by="pin",
                                 reason=f"pin {pin[2]!r} (line {pin[1]})")
    for glob, layers in config.path_globs:
        if any(fnmatch.fnmatch(path, glob) for path in candidates):
            return location._replace(layers=layers, layer_segment=None, decided_by="glob",
                                     reason=f"glob {glob!r} (ddd-layer-paths)")
    return location


@functools.lru_cache(maxsize=8192)
def _locate_cached(parts: Tuple[str, ...], config: LayerConfig) -> Location:
    return locate_parts(parts, config)


@functools.lru_cache(maxsize=8192)
def _located_below(parts: Tuple[str, ...], config: LayerConfig, root: Optional[str]) -> Location:
    """The location of a file path's module path counted from ``root``, before globs and pins."""
    location = _locate_cached(parts, config)._replace(root=root)
    if location.is_test:
        return location._replace(decided_by="test", reason="test file: layer rules never check it")
    return location


# --- import targets ------------------------------------------------------------------------

def resolve_relative(module: Optional[str], level: int, importer_parts: Tuple[str, ...],
                     importer_is_package: bool = False) -> Optional[str]:
    """Dotted name of ``from <level dots><module> import ...`` inside ``importer_parts``."""
    if level == 0:
        return module
    package = list(importer_parts if importer_is_package else importer_parts[:-1])
    if level - 1 > len(package):
        return None
    if level > 1:
        package = package[: len(package) - (level - 1)]
    if module:
        package.extend(module.split("."))
    return ".".join(package) if package else None


def is_project_module(root: Optional[str], dotted: str) -> Optional[bool]:
    """Whether ``dotted`` is a module or package of the project counted from ``root`` (a file
    or a directory there); None when there is no known root to look in."""
    if not root:
        return None
    return project_module_kind(root, dotted) is not None


def locate_module(dotted: str, config: LayerConfig, root: Optional[str] = None,
                  cwd: Optional[str] = None) -> Location:
    """Layer, feature and role of an import target (``app.user.crud.user``), without opening it.

    A target that is a package of the project (``app.user``, looked up below ``root``) is
    located as its ``__init__`` module. ``ddd-layer-paths`` and ``ddd-layer-exclude`` globs
    apply to targets too, however the import was written (absolute or relative), matched
    against the target's module path (``app/user/models.py`` or
    ``app/user/models/__init__.py``) and, with a known root, its path from ``cwd`` and its
    absolute path; for the target and for its parent module (the target may be a name).
    """
    parts = tuple(dotted.split("."))
    if project_module_kind(root, dotted) == "package":
        parts += ("__init__",)
    location = _locate_cached(parts, config)
    if not (config.path_globs or config.exclude_globs):
        return location
    cwd = cwd or os.getcwd()
    candidates = []
    for size in (len(parts), len(parts) - 1):
        if size > 0:
            path = "/".join(parts[:size])
            suffixes = (".py",) if parts[size - 1] == "__init__" else (".py", "/__init__.py")
            for module_path in (path + suffix for suffix in suffixes):
                candidates.append(module_path)
                if root:
                    absolute = os.path.normpath(os.path.join(root, module_path))
                    candidates.append(absolute.replace(os.sep, "/"))
                    candidates.append(os.path.relpath(absolute, cwd).replace(os.sep, "/"))
    return _configured(location, candidates, config)
