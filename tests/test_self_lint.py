"""The project lints itself clean with flake8 and its own plugin (setup.cfg's configuration)."""

from pathlib import Path
from typing import List

from harness import run_flake8

ROOT = Path(__file__).parent.parent


def virtual_environments() -> List[str]:
    """Virtual environments inside the checkout (a ``pyvenv.cfg`` one or two levels down), however
    they are named: setup.cfg excludes only ``.venv*``."""
    found = [*ROOT.glob("*/pyvenv.cfg"), *ROOT.glob("*/*/pyvenv.cfg")]
    return sorted(str(path.parent) for path in found)


def test_project_is_clean_under_its_own_flake8_configuration():
    environments = virtual_environments()
    result = run_flake8([f"--extend-exclude={','.join(environments)}"] if environments else [], ROOT)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stdout == "", result.stdout
    assert result.returncode == 0
