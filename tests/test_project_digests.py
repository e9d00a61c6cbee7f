"""The project index's digests, kept from one run to the next while no fact changed
(:mod:`flake8_ddd.project_digests`): taken again only when that is sound, in-process."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Dict, List

import pytest

from flake8_ddd import project_digests, project_store
from flake8_ddd.project_index import ProjectIndex
from test_project_index import HTTP_TREE, own_cache_dir, write_tree

pytestmark = pytest.mark.usefixtures(own_cache_dir.__name__)  # the index in a cache of its own

SERVICE = "app/user/services/user.py"
CORE_EXCEPTIONS = "app/core/exceptions.py"


@pytest.fixture
def root(tmp_path) -> Path:
    return write_tree(tmp_path / "project", HTTP_TREE)


@pytest.fixture
def computed(monkeypatch) -> List[str]:
    """The modules whose digest the index computes (rather than a stored one being taken)."""
    seen: List[str] = []
    digest = ProjectIndex.digest

    def counting(index: ProjectIndex, module: str) -> str:
        seen.append(module)
        return digest(index, module)

    monkeypatch.setattr(ProjectIndex, "digest", counting)
    return seen


def digests(root: Path) -> Dict[str, str]:
    """A run's digests of every module of the tree (stored when the run ends)."""
    project_store.forget()
    found = {str(path.relative_to(root)): project_store.project_digest(str(path))
             for path in sorted(root.rglob("*.py"))}
    project_store.forget()
    return found


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text().replace(old, new) if old else path.read_text() + new)
    os.utime(path, ns=(1, 1))  # a new mtime even on coarse clocks


def test_an_unchanged_project_takes_every_digest_stored(root, computed):
    first = digests(root)
    assert len(computed) == len(first)
    computed.clear()
    assert digests(root) == first
    assert computed == []


def test_an_edit_that_keeps_the_facts_keeps_the_digests_without_writing_the_index(root, computed):
    first = digests(root)
    index_file = project_store.index_path(str(root))
    written = os.stat(index_file).st_mtime_ns
    edit(root / CORE_EXCEPTIONS, "", "\n\ndef helper():\n    return 1  # a comment\n")
    computed.clear()
    assert digests(root) == first
    assert computed == []
    assert os.stat(index_file).st_mtime_ns == written  # the next run reads the file again
    assert digests(root) == first and computed == []


def test_an_edit_that_changes_a_fact_computes_every_digest_again(root, computed):
    first = digests(root)
    edit(root / CORE_EXCEPTIONS, "AppHTTPError(HTTPException)", "AppHTTPError(Exception)")
    computed.clear()
    second = digests(root)
    assert len(computed) == len(first)
    assert second[SERVICE] != first[SERVICE]
    computed.clear()
    assert digests(root) == second and computed == []


@pytest.mark.parametrize("change", ["new module", "new package", "package marker removed",
                                    "route added"])
def test_a_change_of_modules_or_routes_computes_every_digest_again(root, computed, change):
    first = digests(root)
    if change == "new module":
        write_tree(root, {"app/user/more.py": "class More:\n    pass\n"})
    elif change == "new package":
        write_tree(root, {"app/extra/__init__.py": "", "app/extra/thing.py": "X = 1\n"})
    elif change == "package marker removed":  # the same files, other module names
        os.remove(root / "app" / "user" / "services" / "__init__.py")
    else:  # which modules' request bodies count
        edit(root / SERVICE, "", "\n\n@router.get('/x')\ndef x():\n    pass\n")
    computed.clear()
    digests(root)
    assert len(computed) >= len(first) - 1


def test_an_edited_digest_rule_computes_every_digest_again(root, computed, monkeypatch):
    digests(root)
    monkeypatch.setattr(project_digests, "code_fingerprint", lambda: "another version")
    computed.clear()
    digests(root)
    assert computed


@pytest.mark.parametrize("stored", [
    [], "x", {"basis": 1, "modules": []}, {"modules": {"app": 1}}, {"basis": "0" * 32, "modules": {}}])
def test_a_digests_section_of_another_shape_or_basis_is_none(root, computed, stored):
    first = digests(root)
    index_file = project_store.index_path(str(root))
    with open(index_file, encoding="utf-8") as handle:
        document = json.load(handle)
    document["digests"] = stored
    with open(index_file, "w", encoding="utf-8") as handle:
        json.dump(document, handle)
    computed.clear()
    assert digests(root) == first
    assert len(computed) == len(first)


def test_digests_are_stored_only_for_entries_this_process_saw(root):
    """Another process stored a file's entry meanwhile: the digests are not stored with it."""
    digests(root)
    files = project_store.index_for(str(root / SERVICE)).source
    assert isinstance(files, project_store.ProjectFiles)
    project_store.project_digest(str(root / SERVICE))
    own = dict(files.stored)
    assert files.digests_to_store(own) is not None
    relative = os.path.join("app", "core", "exceptions.py")
    merged = dict(own, **{relative: own[relative][:2] + ("another process's hash",) + own[relative][3:]})
    assert files.digests_to_store(merged) is None


def test_a_file_no_digest_read_does_not_keep_the_digests_from_being_stored(root, computed):
    """The standard library copied below a package has files the index never reads (nothing
    imports them): their digests are stored all the same, so the index is written once, not by
    every run (which kept every later run from being replayed)."""
    write_tree(root, {"app/user/unused.py": "class Unused:\n    pass\n"})

    def service_digest() -> str:
        project_store.forget()
        found = project_store.project_digest(str(root / SERVICE))
        project_store.forget()
        return found

    first = service_digest()
    files_stored = project_store.load(project_store.index_path(str(root)), str(root))
    assert os.path.join("app", "user", "unused.py") not in files_stored
    written = os.stat(project_store.index_path(str(root))).st_mtime_ns
    computed.clear()
    assert service_digest() == first and computed == []
    assert os.stat(project_store.index_path(str(root))).st_mtime_ns == written
    edit(root / "app" / "user" / "unused.py", "Unused:", "Unused(Exception):")
    computed.clear()
    assert service_digest() == first and computed == []  # no stored digest read it
