"""``flake8-ddd map``: the model (cells, edges, violations, totals equal to check's) and every
rendering, through the real command."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from harness import clean_env
from map_support import cells_of, check_count, edges_of, map_json, mermaid_problems, project, run

from flake8_ddd.arch_map import FileFacts, ImportFact, Place, build, code_group
from flake8_ddd.diagnostics import Reported
from flake8_ddd.map_facts import decode_entry, encode_entry


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return project(tmp_path_factory.mktemp("map") / "shop")


def test_json_has_exactly_the_documented_keys(shop: Path) -> None:
    document = map_json(shop)
    assert set(document) == {"features", "edges", "findings"}
    for feature in document["features"]:
        assert set(feature) == {"name", "layers"}
        for cell in feature["layers"].values():
            assert {"files", "findings"} <= set(cell)
            assert sum(cell["groups"].values()) == cell["findings"]
    for edge in document["edges"]:
        assert set(edge) == {"from", "to", "imports", "violations"}


@pytest.mark.parametrize("options", [(), ("--select", "DDD1"), ("--extend-ignore", "DDD104"),
                                     ("--isolated",), ("app/orders",)])
def test_findings_total_is_checks(shop: Path, options: tuple) -> None:
    document = map_json(shop, *options)
    assert document["findings"] == check_count(shop, *options)
    cells = sum(c["findings"] for f in document["features"] for c in f["layers"].values())
    assert cells == document["findings"]


def test_columns_rows_and_cells(shop: Path) -> None:
    document = map_json(shop)
    names = [f["name"] for f in document["features"]]
    assert names == ["broken", "orders", "users", "(no feature)", "core", "apis"]
    cells = cells_of(document)
    assert cells[("orders", "routes")]["files"] == 2
    assert cells[("orders", "services")]["groups"] == {"DDD0": 1, "DDD1": 1}
    assert cells[("orders", "tests")]["files"] == 2
    assert cells[("users", "schemas")] == {"files": 1, "findings": 0, "groups": {}}
    assert cells[("broken", "routes")]["groups"] == {"E9": 1}
    assert cells[("core", "other")]["groups"] == {"DDD1": 1}
    assert cells[("apis", "other")]["files"] == 2
    total_files = sum(c["files"] for c in cells.values())
    assert total_files == sum(1 for _ in shop.rglob("*.py"))


def test_edges_carry_the_import_findings(shop: Path) -> None:
    edges = edges_of(map_json(shop))
    assert edges[("orders/routes", "orders/crud")] == (1, 1)  # DDD101
    assert edges[("orders/crud", "orders/services")] == (1, 1)  # DDD102
    assert edges[("orders/services", "users/crud")] == (1, 1)  # DDD103
    assert edges[("core/other", "users/crud")] == (1, 1)  # DDD104
    assert edges[("orders/routes", "users/crud")] == (1, 0)  # silenced by noqa
    assert edges[("orders/services", "orders/crud")] == (1, 0)
    assert edges[("apis/other", "orders/routes")] == (1, 0)
    assert not [key for key in edges if key[0].endswith("/tests")]  # tests draw no edge
    assert not [key for key in edges if key[0] == key[1]]


def test_select_keeps_the_edges_and_drops_their_violations(shop: Path) -> None:
    edges = edges_of(map_json(shop, "--select", "DDD0"))
    assert edges[("orders/routes", "orders/crud")] == (1, 0)


def test_stored_facts_are_reused_and_refreshed(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    first = map_json(root)
    stores = sorted((root / ".flake8_ddd_cache").glob("*/*.json"))
    assert len(stores) == 2  # check's results and the map's facts
    assert map_json(root) == first
    (root / "app/users/crud/user.py").write_text("from app.orders.routes.orders import router\n")
    edges = edges_of(map_json(root))
    assert edges[("users/crud", "orders/routes")] == (1, 1)  # DDD102, from a fresh parse
    for store in stores:
        store.write_text('{"format":1,"version":"x","key":"y","entries":{"app/main.py":[1,2]}}')
    assert edges_of(map_json(root)) == edges
    assert map_json(root, "--no-cache") == map_json(root)


def test_stored_entries_of_the_wrong_shape_are_misses() -> None:
    target = Place(None, "x", "other")
    facts = FileFacts("a.py", Place("orders", None, "crud"), (ImportFact(3, target, "app.x"),))
    entry = encode_entry("k", facts)
    assert decode_entry("a.py", "k", entry) == facts
    assert decode_entry("a.py", "other key", entry) is None
    for broken in ([], ["k"], ["k", [1, 2, 3], []], ["k", list(facts.place), [[True, None, None, "x", "m"]]],
                   ["k", list(facts.place), [["3", None, None, "x", "m"]]], ["k", list(facts.place), {}]):
        assert decode_entry("a.py", "k", broken) is None


def test_a_finding_outside_the_mapped_files_is_still_counted() -> None:
    arch = build([], [Reported("elsewhere.py", 1, 0, "DDD001", "x", "")])
    assert len(arch.findings) == 1 and arch.cells[("(no feature)", "other")].findings
    assert code_group("DDD101") == "DDD1" and code_group("E999") == "E9"


def test_mermaid_parses(shop: Path) -> None:
    done = run("map", [], shop)
    assert done.returncode == 0, done.stderr
    assert mermaid_problems(done.stdout) == []
    assert 'subgraph f1["orders (4 findings)"]' in done.stdout
    assert done.stdout.count('-->|"1 violation"|') == 4
    assert mermaid_problems("flowchart LR\n  a --> b\n") != []  # the check does check


def test_a_big_project_is_drawn_one_node_per_feature(tmp_path: Path) -> None:
    files = {}
    for index in range(40):
        for layer in ("routes", "services", "crud", "models"):
            imports = "".join(f"from app.f{(index + k) % 40}.{target}.m import x\n"
                              for k in range(1, 4) for target in ("services", "crud"))
            files[f"app/f{index}/{layer}/m.py"] = imports
    root = project(tmp_path / "big", **files)
    done = run("map", ["app"], root)
    assert mermaid_problems(done.stdout) == []
    assert done.stdout.count("-->") <= 500 and len(done.stdout) < 50_000  # GitHub's limits
    assert "one node per feature" in done.stdout and "subgraph" not in done.stdout
    assert '["f0<br/>4 files, 21 findings (DDD1: 21)<br/>routes · services · crud · models"]' in done.stdout
    document = map_json(root, "app")
    assert len(document["edges"]) > 300  # the json keeps every cell and edge
    dot = run("map", ["app", "--output-format", "dot"], root).stdout
    features = {(e["from"].rsplit("/", 1)[0], e["to"].rsplit("/", 1)[0]) for e in document["edges"]}
    assert "cluster" not in dot and dot.count(" -> ") == len({(a, b) for a, b in features if a != b})


def test_markdown_has_a_row_per_feature_and_the_totals(shop: Path) -> None:
    done = run("map", ["--output-format", "markdown"], shop)
    lines = done.stdout.splitlines()
    for name in ("broken", "orders", "users", "(no feature)", "core", "apis"):
        assert any(line.startswith(f"| {name} |") for line in lines), name
    assert lines[-1].startswith("| orders/")  # the violating imports close the summary
    assert "| **findings** |" in done.stdout and "**6** |" in done.stdout


def test_dot_renders_with_graphviz(shop: Path, tmp_path: Path) -> None:
    done = run("map", ["--output-format", "dot"], shop)
    assert done.stdout.startswith("digraph architecture {")
    dot = shutil.which("dot")
    if dot is None:
        if os.environ.get("FLAKE8_DDD_REQUIRE_TOOLS"):
            pytest.fail("Graphviz's dot is not installed (apt-get install graphviz)")
        pytest.skip("Graphviz's dot is not installed")
    svg = subprocess.run([dot, "-Tsvg"], input=done.stdout, capture_output=True, text=True, timeout=120)
    assert svg.returncode == 0, svg.stderr
    assert "<svg" in svg.stdout and "orders (4 findings)" in svg.stdout and svg.stderr == ""


def test_html_is_self_contained(shop: Path) -> None:
    page = run("map", ["--output-format", "html"], shop).stdout
    assert page.startswith("<!DOCTYPE html>")
    for needle in ("<script", "<link", "src=", "url(", "@import", "http://", "https://"):
        assert needle not in page, needle
    assert 'href="#rule-DDD101"' in page and 'id="rule-DDD101"' in page


def test_changed_since_keeps_the_touched_cells(tmp_path: Path) -> None:
    root = project(tmp_path / "repo")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "one"]):
        subprocess.run(git + command, cwd=root, check=True, env=clean_env())
    with open(root / "app/orders/services/order.py", "a") as handle:
        handle.write("\n\ndef more():\n    raise KeyError('x')\n")
    (root / "app/users/services.py").write_text("X = 1\n")
    document = map_json(root, "--changed-since", "main")
    assert sorted(cells_of(document)) == [("orders", "services"), ("users", "services")]
    assert document["findings"] == 3  # the cell's findings, old and new
    assert set(edges_of(document)) == {("orders/services", "orders/crud"), ("orders/services", "users/crud")}


def test_changed_since_outside_git_is_a_clear_error(tmp_path: Path) -> None:
    root = project(tmp_path / "nogit")
    done = run("map", ["--changed-since", "main"], root)
    assert done.returncode == 2 and done.stdout == ""
    assert "--changed-since needs a git repository" in done.stderr


def test_standard_input_is_refused(shop: Path) -> None:
    done = run("map", ["-"], shop)
    assert done.returncode == 2 and "not standard input" in done.stderr


def test_files_check_cannot_read_are_placed_and_counted(tmp_path: Path) -> None:
    root = project(tmp_path / "odd")
    (root / "app/orders/services/nul.py").write_bytes(b"import os\x00\n")
    (root / "app/orders/crud/latin.py").write_bytes(b"# -*- coding: klingon -*-\nx = 1\n")
    nested = "x = (" * 300 + ")" * 300
    (root / "app/users/routes.py").write_text(nested + "\nfrom app.users.crud.user import u\n")
    document = map_json(root)
    assert document["findings"] == check_count(root)
    cells = cells_of(document)
    assert cells[("orders", "services")]["groups"].get("E9") == 1
    assert cells[("orders", "crud")]["groups"].get("E9") == 1
    assert cells[("users", "routes")]["files"] == 1


def test_baseline_and_new_since_come_from_check(tmp_path: Path) -> None:
    root = project(tmp_path / "adopted")
    written = run("check", ["--write-baseline", "baseline.json"], root)
    assert written.returncode == 0, written.stderr
    (root / "app/users/crud/user.py").write_text("from app.users.routes import r\nuser_crud = object()\n")
    document = map_json(root, "--baseline", "baseline.json")
    assert document["findings"] == check_count(root, "--baseline", "baseline.json") == 1
    assert edges_of(document)[("users/crud", "users/routes")] == (1, 1)
    assert edges_of(document)[("orders/routes", "orders/crud")] == (1, 0)  # baselined
    for option in ("--write-baseline", "--add-noqa", "--statistics"):
        refused = run("map", [option, "x.json"] if option == "--write-baseline" else [option], root)
        assert refused.returncode == 2 and "unrecognized arguments" in refused.stderr
