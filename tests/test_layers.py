"""Layer resolution (RULES-SPEC "How a file gets its layer"): segments, features, tests,
configuration, pin comments, and paths spelled any way."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

import pytest

from flake8_ddd.layers import (Layer, LayerConfig, locate_file, locate_module, locate_parts,
                               module_parts_of_path, resolve_relative)
from harness import config, lint

CRUD, ROUTES, SERVICES = Layer.CRUD, Layer.ROUTES, Layer.SERVICES
MODELS, SCHEMAS = Layer.MODELS, Layer.SCHEMAS
DEFAULT = LayerConfig()
COMMIT = "async def save(session):\n    await session.commit()\n"


def where(path: str, layer_config: LayerConfig = DEFAULT):
    """Location of a module path written with slashes (``app/user/crud/x``)."""
    return locate_parts(tuple(path.split("/")), layer_config)


def layers(path: str, layer_config: LayerConfig = DEFAULT) -> set:
    return set(where(path, layer_config).layers)


def make_tree(root: Path, files: Iterable[str], packages: bool = True, marker: bool = False) -> Path:
    """Create ``files`` below ``root``; every directory of ``app/`` gets an ``__init__.py``."""
    for relative in files:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")
        if packages:
            directory = path.parent
            while directory != root:
                (directory / "__init__.py").touch()
                directory = directory.parent
    if marker:
        (root / "setup.cfg").write_text("[flake8]\n")
    return root


# --- segments and features --------------------------------------------------------------------

@pytest.mark.parametrize("path,expected", [
    ("app/user/crud/user", {CRUD}),
    ("app/user/crud/services", {SERVICES}),        # the module's own stem is nearest
    ("app/user/services/crud/helpers", {CRUD}),    # a nearer directory wins over a farther one
    ("app/user/routes/v1/users", {ROUTES}),
    ("app/user/service", {SERVICES}),
    ("app/user/repositories/user", {CRUD}),
    ("app/user/schema", {SCHEMAS}),
    ("app/user/model", {MODELS}),
    ("app/user/dependencies", {Layer.DEPENDENCIES}),
    ("app/user/errors", {Layer.EXCEPTIONS}),
    ("app/user/tasks", {Layer.TASKS}),
    ("app/user/enums", set()),
    ("main", set()),
    ("migrations/versions/0001_init", set()),
])
def test_nearest_segment_wins(path, expected):
    assert layers(path) == expected


@pytest.mark.parametrize("path,feature", [
    ("app/user/crud/user", "user"),
    ("app/user/routes/v1/users", "user"),
    ("src/billing/service", "billing"),
    ("app/user/dependencies", "user"),
    ("app/core/crud", None),
    ("app/core/settings", None),
    ("app/apis/v1", None),
    ("app/user/enums", "user"),           # revision 2: the feature comes from the path alone
])
def test_feature_is_the_directory_holding_the_segment(path, feature):
    assert where(path).feature == feature


def test_generic_crud_base_in_core_is_crud_layer():
    location = where("app/core/crud")
    assert location.layers == {CRUD} and location.in_core and location.feature is None
    assert lint(COMMIT, "app/core/crud.py", config(selected=("DDD0",))) == {(2, "DDD001")}


@pytest.mark.parametrize("path,expected", [
    ("app/api/v1", set()),                 # api directly below the application package
    ("api/users", set()),
    ("app/user/api/users", {ROUTES}),      # below a feature
    ("app/user/api", {ROUTES}),
    ("app/core/api", {Layer.CORE}),        # core is not a feature
    ("app/apis/api/v1", {Layer.APIS}),     # apis is not a feature
    ("app/apis/v1", {Layer.APIS}),
])
def test_api_is_routes_only_below_a_feature(path, expected):
    assert layers(path) == expected


@pytest.mark.parametrize("path,settings,database", [
    ("app/core/settings", True, False),
    ("app/core/config", True, False),
    ("app/core/database", False, True),
    ("app/core/db", False, True),
    ("app/core/session", False, True),
    ("app/core/logging", False, False),
    ("app/user/config", False, False),     # not in core
    ("app/user/database", False, False),
])
def test_core_settings_and_database_modules(path, settings, database):
    location = where(path)
    assert location.is_settings_module is settings
    assert location.is_database_module is database


# --- tests are exempt -----------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "tests/app/user/crud/user.py",
    "app/user/tests/crud/user.py",
    "app/user/test/crud.py",
    "app/user/crud/test_user.py",
    "app/user/crud/user_test.py",
    "app/user/crud/conftest.py",
    "conftest.py",
])
def test_tests_are_exempt(path):
    stem = path[:-3]
    assert where(stem).is_test
    assert lint(COMMIT, path) == set()


@pytest.mark.parametrize("path", ["app/user/crud/testing", "app/user/crud/latest", "app/user/crud/contest"])
def test_names_that_merely_contain_test_are_not_tests(path):
    assert not where(path).is_test
    assert lint(COMMIT, path + ".py", config(selected=("DDD0",))) == {(2, "DDD001")}


# --- configuration --------------------------------------------------------------------------------

def test_configurable_segments():
    layer_config = config(ddd_layer_segments="handlers=routes, views=none, persistence=crud").layer
    assert layers("app/user/handlers/users", layer_config) == {ROUTES}
    assert layers("app/user/views/users", layer_config) == set()
    assert layers("app/user/persistence/users", layer_config) == {CRUD}
    assert layers("app/user/routes/users", layer_config) == {ROUTES}   # defaults stay
    assert layers("app/user/views/users") == {ROUTES}                   # and only this config changes


def test_path_glob_can_name_two_layers(tmp_path, monkeypatch):
    make_tree(tmp_path, ["app/user/models.py", "app/user/entities.py"], marker=True)
    monkeypatch.chdir(tmp_path)
    layer_config = config(ddd_layer_paths="app/*/models.py=models+schemas, app/*/entities.py=models").layer
    location = locate_file("app/user/models.py", layer_config)
    assert location.layers == {MODELS, SCHEMAS} and location.feature == "user"
    location = locate_file("app/user/entities.py", layer_config)
    assert location.layers == {MODELS} and location.feature == "user"


def test_excluded_paths_get_no_layer(tmp_path, monkeypatch):
    make_tree(tmp_path, ["app/legacy/crud/old.py", "app/user/crud/user.py"], marker=True)
    monkeypatch.chdir(tmp_path)
    cfg = config(ddd_layer_exclude="app/legacy/*", selected=("DDD0",))
    assert locate_file("app/legacy/crud/old.py", cfg.layer).layers == frozenset()
    assert lint(COMMIT, str(tmp_path / "app/legacy/crud/old.py"), cfg) == set()
    assert lint(COMMIT, str(tmp_path / "app/user/crud/user.py"), cfg) == {(2, "DDD001")}


@pytest.mark.parametrize("head,expected", [
    ("# ddd: layer=services\n", {SERVICES}),
    ('"""Docstring."""\n\n# ddd: layer=services\n', {SERVICES}),
    ("#ddd:layer = crud\n", {CRUD}),
    ("# ddd: layer=models+schemas\n", {MODELS, SCHEMAS}),
    ("# ddd: layer=none\n", set()),
    ("\n" * 12 + "# ddd: layer=services\n", {ROUTES}),   # only the first lines count
    ("# ddd: layer=bogus\n", {ROUTES}),                  # unknown names: the path decides
])
def test_pin_comment(head, expected, tmp_path, monkeypatch):
    make_tree(tmp_path, ["app/user/routes/users.py"], marker=True)
    monkeypatch.chdir(tmp_path)
    location = locate_file("app/user/routes/users.py", DEFAULT, (head + "x = 1\n").splitlines(True))
    assert set(location.layers) == expected
    if expected:
        assert location.feature == "user"


def test_pin_comment_on_a_file_without_layer_segment(tmp_path, monkeypatch):
    make_tree(tmp_path, ["app/user/logic.py"], marker=True)
    monkeypatch.chdir(tmp_path)
    source = "# ddd: layer=crud\n" + COMMIT
    location = locate_file("app/user/logic.py", DEFAULT, source.splitlines(True))
    assert location.layers == {CRUD} and location.feature == "user"
    assert lint(source, str(tmp_path / "app/user/logic.py"), config(selected=("DDD0",))) == {(3, "DDD001")}


# --- paths spelled any way --------------------------------------------------------------------------

LAYOUTS = {
    "packages": dict(packages=True, marker=False),
    "marker": dict(packages=False, marker=True),
    "both": dict(packages=True, marker=True),
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("spelling", ["relative", "dot-relative", "absolute", "subdirectory",
                                      "layer-directory", "elsewhere"])
def test_same_answer_however_the_path_is_spelled(tmp_path, monkeypatch, layout, spelling):
    project = make_tree(tmp_path / "checkout", ["app/user/crud/user.py"], **LAYOUTS[layout])
    (tmp_path / "elsewhere").mkdir()
    absolute = str(project / "app" / "user" / "crud" / "user.py")
    cwd, filename = {
        "relative": (project, "app/user/crud/user.py"),
        "dot-relative": (project, "./app/user/crud/user.py"),
        "absolute": (project, absolute),
        "subdirectory": (project / "app" / "user", os.path.join("crud", "user.py")),
        "layer-directory": (project / "app" / "user" / "crud", "user.py"),
        "elsewhere": (tmp_path / "elsewhere", absolute),
    }[spelling]
    monkeypatch.chdir(cwd)
    location = locate_file(filename, DEFAULT)
    assert location.module_parts == ("app", "user", "crud", "user")
    assert location.layers == {CRUD} and location.feature == "user"


def test_display_name_of_a_file_that_does_not_exist(tmp_path, monkeypatch):
    """An editor's ``--stdin-display-name`` path, resolved from the project root."""
    make_tree(tmp_path, [], marker=True)
    monkeypatch.chdir(tmp_path)
    location = locate_file("app/user/crud/user.py", DEFAULT)
    assert location.layers == {CRUD} and location.feature == "user"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_checkout_below_a_directory_named_like_a_layer(tmp_path, monkeypatch, layout):
    project = make_tree(tmp_path / "services" / "crud" / "shop",
                        ["app/main.py", "app/user/crud/user.py"], **LAYOUTS[layout])
    monkeypatch.chdir(tmp_path / "services")
    main = locate_file(str(project / "app" / "main.py"), DEFAULT)
    assert main.module_parts == ("app", "main")
    assert main.layers == frozenset() and main.feature is None
    crud = locate_file(str(project / "app" / "user" / "crud" / "user.py"), DEFAULT)
    assert crud.layers == {CRUD} and crud.feature == "user"
    assert lint("from fastapi import HTTPException\nraise HTTPException(404)\n",
                str(project / "app" / "main.py")) == set()


def test_module_root_is_above_the_top_level_package(tmp_path):
    make_tree(tmp_path / "repo" / "src", ["shop/user/crud/user.py"], packages=True)
    (tmp_path / "repo" / "pyproject.toml").write_text("")
    parts = module_parts_of_path(str(tmp_path / "repo/src/shop/user/crud/user.py"), str(tmp_path))
    assert parts == ("shop", "user", "crud", "user")


# --- import targets -------------------------------------------------------------------------------

@pytest.mark.parametrize("dotted,layer,feature", [
    ("app.user.crud.user_crud", CRUD, "user"),
    ("app.user.crud", CRUD, "user"),
    ("app.user.services.user.UserService", SERVICES, "user"),
    ("app.core.crud.CRUDBase", CRUD, None),
    ("app.user.enums.Role", None, "user"),
])
def test_import_targets_are_located_like_paths(dotted, layer, feature):
    location = locate_module(dotted, DEFAULT)
    assert set(location.layers) == ({layer} if layer else set())
    assert location.feature == feature


@pytest.mark.parametrize("module,level,importer,is_package,expected", [
    ("crud", 2, ("app", "user", "services", "s"), False, "app.user.crud"),
    (None, 1, ("app", "user", "services", "s"), False, "app.user.services"),
    ("crud.user", 1, ("app", "user"), True, "app.user.crud.user"),
    ("x", 9, ("app", "user", "s"), False, None),
    ("app.user", 0, ("anything",), False, "app.user"),
])
def test_relative_imports_resolve_against_the_importer(module, level, importer, is_package, expected):
    assert resolve_relative(module, level, importer, is_package) == expected


# --- core modules and packages, remapped segments, nested layers ----------------------------------------

def test_remapped_core_segment_is_core():
    layer_config = config(ddd_layer_segments="shared=core").layer
    location = where("app/shared/settings", layer_config)
    assert location.in_core and location.is_settings_module


@pytest.mark.parametrize("path,settings", [
    ("app/core/settings/__init__", True),
    ("app/core/config/base", True),
    ("app/core/db/base", False),
    ("app/core/database/session", False),
])
def test_core_settings_and_database_packages(path, settings):
    location = where(path)
    assert location.is_settings_module is settings
    assert location.is_database_module is not settings


@pytest.mark.parametrize("path,layer,feature", [
    ("app/user/routes/dependencies", Layer.DEPENDENCIES, "user"),
    ("app/user/services/crud/helpers", CRUD, "user"),
    ("dispatch/feedback/service/models", MODELS, "feedback"),
])
def test_feature_of_a_layer_nested_in_another_layer(path, layer, feature):
    location = where(path)
    assert location.layers == {layer} and location.feature == feature


def test_the_module_path_cut_below_a_root_is_relpath():
    """The string cut that replaces os.path.relpath gives relpath's answer on every shape of
    path, normalized or not (it only applies to the normalized ones)."""
    import itertools

    from flake8_ddd.module_paths import _below

    shapes = ["/a", "/a/b", "/a/b/c", "/", "a", "a/b", "../x", "../x/y", "/a/b/", "/a//b",
              "/a/./b", "/a/bc", ".", "/a/b/../c"]
    for directory, root in itertools.product(shapes, shapes):
        assert _below(directory, root) == os.path.relpath(directory, root), (directory, root)
