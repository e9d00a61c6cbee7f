"""Editor inline warnings: a real ``pylsp`` over stdio, its flake8 plugin on, publishes DDD001.

pylsp runs ``flake8 -`` in the workspace root with ``--stdin-display-name`` set to the
document's path relative to the root, which is what gives the buffer its layer. A document
outside the root gets no display name, so no layer: layer rules stay silent there.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from integration_support import clean_env, make_project, need

SOURCE = "def save(session):\n    session.add(1)\n    session.commit()\n"
SETTINGS = {"pylsp": {"plugins": {
    "flake8": {"enabled": True},
    "pycodestyle": {"enabled": False},
    "pyflakes": {"enabled": False},
    "mccabe": {"enabled": False},
    "pydocstyle": {"enabled": False},
    "autopep8": {"enabled": False},
    "yapf": {"enabled": False},
}}}


class LanguageClient:
    """Just enough JSON-RPC over stdio (Content-Length framing) to drive a language server."""

    def __init__(self, command: List[str], cwd: Path) -> None:
        self.process = subprocess.Popen(command, cwd=str(cwd), stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        env=clean_env())
        self.messages: "queue.Queue[Dict[str, Any]]" = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                header = stream.readline()
                if not header:
                    return
                if header in (b"\r\n", b"\n"):
                    break
                name, _, value = header.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value.strip())
            if length is not None:
                self.messages.put(json.loads(stream.read(length)))

    def send(self, message: Dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def request(self, method: str, params: Dict[str, Any], timeout: float = 60) -> Dict[str, Any]:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == self.next_id and "method" not in m, timeout)

    def notify(self, method: str, params: Dict[str, Any]) -> None:
        self.send({"method": method, "params": params})

    def wait(self, predicate, timeout: float) -> Dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = self.messages.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                break
            if predicate(message):
                return message
        raise AssertionError("the language server sent no matching message in time")

    def close(self) -> None:
        try:
            self.request("shutdown", {}, timeout=20)
            self.notify("exit", {})
            self.process.wait(timeout=20)
        except Exception:
            self.process.kill()
            self.process.wait(timeout=20)


def diagnostics_for(root: Path, document: Path, source: str) -> Optional[List[Dict[str, Any]]]:
    """The diagnostics pylsp publishes for ``document`` opened in a workspace at ``root``."""
    pylsp = need("pylsp")
    flake8 = need("flake8")
    settings = json.loads(json.dumps(SETTINGS))
    settings["pylsp"]["plugins"]["flake8"]["executable"] = flake8
    client = LanguageClient([pylsp], root)
    try:
        client.request("initialize", {
            "processId": None, "rootUri": root.as_uri(), "rootPath": str(root),
            "capabilities": {}, "initializationOptions": settings,
        })
        client.notify("initialized", {})
        client.notify("workspace/didChangeConfiguration", {"settings": settings})
        uri = document.as_uri()
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": source}})

        def from_flake8(message: Dict[str, Any]) -> bool:
            return (message.get("method") == "textDocument/publishDiagnostics"
                    and message["params"]["uri"] == uri
                    and any(d.get("source") == "flake8" for d in message["params"]["diagnostics"]))

        published = client.wait(from_flake8, timeout=90)
        return published["params"]["diagnostics"]
    except AssertionError:
        return None
    finally:
        client.close()


@pytest.mark.slow
def test_pylsp_publishes_ddd001_at_the_commit_line(project):
    make_project(project, {"app/orders/crud/order.py": SOURCE})
    root = project.resolve()
    found = diagnostics_for(root, root / "app" / "orders" / "crud" / "order.py", SOURCE)
    assert found is not None, "pylsp published no flake8 diagnostics"
    commits = [d for d in found if d["code"] == "DDD001"]
    assert len(commits) == 1, found
    assert commits[0]["range"]["start"] == {"line": 2, "character": 4}
    assert commits[0]["message"].startswith("DDD001 session.commit() in the CRUD layer")
    assert commits[0]["source"] == "flake8"


@pytest.mark.slow
def test_a_document_outside_the_workspace_root_loses_its_layer(tmp_path):
    root = make_project(tmp_path / "workspace", {"main.py": "x = 1\n"})
    elsewhere = make_project(tmp_path / "elsewhere", {"app/orders/crud/order.py": SOURCE})
    found = diagnostics_for(root.resolve(), elsewhere.resolve() / "app" / "orders" / "crud" / "order.py",
                            SOURCE + "x=1\n")  # an E225 so that flake8 reports something
    assert found is not None, "pylsp published no flake8 diagnostics"
    assert [d for d in found if d["code"].startswith("DDD")] == []


@pytest.mark.slow
def test_pylsp_hides_findings_of_the_configured_baseline(project):
    """``ddd-baseline`` in ``[flake8]``: the editor shows what ``flake8-ddd check`` shows."""
    make_project(project, {"app/orders/crud/order.py": SOURCE})
    root = project.resolve()
    done = subprocess.run([need("flake8-ddd"), "check", "--write-baseline", "ddd-baseline.json"],
                          cwd=str(root), capture_output=True, text=True, env=clean_env())
    assert done.returncode == 0, done.stderr
    (root / "setup.cfg").write_text("[flake8]\nddd-baseline = ddd-baseline.json\n")
    edited = "# moved down\n" + SOURCE + "    session.commit()\n"
    found = diagnostics_for(root, root / "app" / "orders" / "crud" / "order.py", edited + "x=1\n")
    assert found is not None, "pylsp published no flake8 diagnostics"
    assert [(d["code"], d["range"]["start"]["line"]) for d in found if d["code"].startswith("DDD")] \
        == [("DDD001", 4)]
