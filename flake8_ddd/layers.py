"""Where a file or an import target sits in the architecture: its layer(s) and feature.

Layers come from path segments (directory names and the module's stem), matched on the
file's module path: from its top-level package (found through ``__init__.py`` files), or
from the project root where there are none. The segment nearest the file wins.
"""

from __future__ import annotations

import enum
import fnmatch
import functools
import os
import re
from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping, Optional, Sequence, Tuple


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
TEST_SEGMENTS = frozenset({"tests", "test"})
PROJECT_ROOT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", "tox.ini", ".flake8", ".git")
PIN_COMMENT = re.compile(r"#\s*ddd:\s*layer\s*=\s*([A-Za-z_+,\s]+?)\s*$")
PIN_COMMENT_LINES = 10


@dataclass(frozen=True, eq=False)
class LayerConfig:
    """User-adjustable layer mapping (flake8 options ``ddd-layer-*``)."""

    segments: Mapping[str, Layer] = field(default_factory=lambda: dict(DEFAULT_SEGMENTS))
    path_globs: Tuple[Tuple[str, frozenset], ...] = ()
    exclude_globs: Tuple[str, ...] = ()
    app_packages: Tuple[str, ...] = ()

    def __post_init__(self) -> None:
        key = (tuple(sorted((k, v.value) for k, v in self.segments.items())),
               tuple((g, tuple(sorted(x.value for x in ls))) for g, ls in self.path_globs),
               self.exclude_globs, self.app_packages)
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_hash", hash(key))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LayerConfig) and self._key == other._key  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Location:
    """What the architecture knows about one module (a file or an import target)."""

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

    @property
    def stem(self) -> str:
        return self.module_parts[-1] if self.module_parts else ""

    @property
    def is_dependencies_module(self) -> bool:
        return Layer.DEPENDENCIES in self.layers

    def has(self, layer: Layer) -> bool:
        return layer in self.layers


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
    """Layer and feature of a module path given as segments (last one is the module stem)."""
    segments = config.segments
    in_core = any(segments.get(p) is Layer.CORE for p in parts)
    roles = (in_core and any(p in SETTINGS_STEMS for p in parts),
             in_core and any(p in DATABASE_STEMS for p in parts))
    is_test = is_test_path(parts)
    for index in range(len(parts) - 1, -1, -1):
        segment = parts[index]
        layer = segments.get(segment)
        if layer is None:
            continue
        if segment in BELOW_FEATURE_ONLY and not _below_feature(parts, index, config):
            continue
        feature = None
        if layer not in (Layer.CORE, Layer.APIS):
            holder = index - 1
            while holder >= 0 and parts[holder] in segments:
                holder -= 1
            between = parts[holder + 1:index]
            if holder >= 0 and parts[holder] not in NOT_FEATURES and not any(
                    segments.get(p) in (Layer.CORE, Layer.APIS) for p in between):
                feature = parts[holder]
        return Location(parts, frozenset({layer}), feature, is_test, in_core, segment, *roles)
    return Location(parts, frozenset(), None, is_test, in_core, None, *roles)


def _below_feature(parts: Tuple[str, ...], index: int, config: LayerConfig) -> bool:
    if index < 2:
        return False
    parent = parts[index - 1]
    return parent not in NOT_FEATURES and parent not in config.segments


# --- file paths ----------------------------------------------------------------------------

@functools.lru_cache(maxsize=4096)
def _is_package_dir(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "__init__.py"))


@functools.lru_cache(maxsize=4096)
def _is_project_root(directory: str) -> bool:
    return any(os.path.exists(os.path.join(directory, m)) for m in PROJECT_ROOT_MARKERS)


@functools.lru_cache(maxsize=4096)
def _module_root(directory: str) -> Optional[str]:
    """The directory module paths are counted from, for a file in ``directory``."""
    if _is_package_dir(directory):
        top = directory
        parent = os.path.dirname(top)
        while parent != top and _is_package_dir(parent):
            top, parent = parent, os.path.dirname(parent)
        return os.path.dirname(top)
    current = directory
    while True:
        if _is_project_root(current):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def module_parts_of_path(filename: str, cwd: Optional[str] = None) -> Tuple[str, ...]:
    """Module path segments of a file path, independent of how the path was spelled."""
    cwd = cwd or os.getcwd()
    absolute = os.path.normpath(os.path.join(cwd, filename))
    directory, base = os.path.split(absolute)
    stem = base[:-3] if base.endswith(".py") else (base[:-4] if base.endswith(".pyi") else base)
    root = _module_root(directory)
    if root is None:
        root = cwd if _is_within(absolute, cwd) else os.path.dirname(directory)
    relative_dir = os.path.relpath(directory, root)
    dirs = () if relative_dir == "." else tuple(relative_dir.split(os.sep))
    return tuple(d for d in dirs if d and d != "..") + (stem,)


def _is_within(path: str, directory: str) -> bool:
    return path.startswith(directory.rstrip(os.sep) + os.sep)


def pinned_layers(lines: Iterable[str]) -> Optional[frozenset]:
    """The layers named by a ``# ddd: layer=...`` comment in the first lines, if any."""
    for number, line in enumerate(lines):
        if number >= PIN_COMMENT_LINES:
            break
        match = PIN_COMMENT.search(line)
        if match:
            try:
                return parse_layer_names(match.group(1))
            except ValueError:
                return None
    return None


def locate_file(filename: str, config: LayerConfig, lines: Iterable[str] = (),
                cwd: Optional[str] = None) -> Location:
    """Layer, feature and test status of the file flake8 calls ``filename``."""
    cwd = cwd or os.getcwd()
    parts = module_parts_of_path(filename, cwd)
    location = _locate_cached(parts, config)
    if location.is_test:
        return location
    module_path = "/".join(parts) + ".py"
    absolute = os.path.normpath(os.path.join(cwd, filename))
    relative = os.path.relpath(absolute, cwd).replace(os.sep, "/")
    candidates = [(path, parts) for path in (module_path, relative, absolute.replace(os.sep, "/"))]
    return _configured(location, candidates, config, pinned_layers(lines))


def _configured(location: Location, candidates: Sequence[Tuple[str, Tuple[str, ...]]],
                config: LayerConfig, pinned: Optional[frozenset] = None) -> Location:
    """``location`` after ``ddd-layer-exclude``, a pin and ``ddd-layer-paths``, in that order.

    ``candidates`` are the paths the globs are matched against, each with the module path
    whose parent directory is the feature when the layer comes from a glob or a pin.
    """
    if any(fnmatch.fnmatch(path, g) for g in config.exclude_globs for path, _ in candidates):
        return replace(location, layers=frozenset(), feature=None, layer_segment=None)
    if pinned is not None:
        return replace(location, layers=pinned, layer_segment=None,
                       feature=location.feature or _feature_guess(location.module_parts))
    for glob, layers in config.path_globs:
        for path, parts in candidates:
            if fnmatch.fnmatch(path, glob):
                return replace(location, layers=layers, layer_segment=None,
                               feature=location.feature or _feature_guess(parts))
    return location


@functools.lru_cache(maxsize=8192)
def _locate_cached(parts: Tuple[str, ...], config: LayerConfig) -> Location:
    return locate_parts(parts, config)


def _feature_guess(parts: Tuple[str, ...]) -> Optional[str]:
    if len(parts) >= 3 and parts[-2] not in NOT_FEATURES:
        return parts[-2]
    return None


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


@functools.lru_cache(maxsize=8192)
def locate_module(dotted: str, config: LayerConfig) -> Location:
    """Layer and feature of an import target (``app.user.crud.user``), without opening it.

    ``ddd-layer-paths`` and ``ddd-layer-exclude`` globs apply to targets too, matched against
    the target's module path (``app/user/models.py`` or ``app/user/models/__init__.py``), for
    the target and for its parent module (the target may be a name defined in a module).
    """
    parts = tuple(dotted.split("."))
    location = _locate_cached(parts, config)
    if not (config.path_globs or config.exclude_globs):
        return location
    candidates = [(path + suffix, parts[:size])
                  for size in (len(parts), len(parts) - 1) if size > 0
                  for path in ["/".join(parts[:size])] for suffix in (".py", "/__init__.py")]
    return _configured(location, candidates, config)
