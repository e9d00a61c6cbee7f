"""The project lints itself clean with flake8 and its own plugin (setup.cfg's configuration)."""

from pathlib import Path

from harness import run_flake8

ROOT = Path(__file__).parent.parent


def test_project_is_clean_under_its_own_flake8_configuration():
    result = run_flake8([], ROOT)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stdout == "", result.stdout
    assert result.returncode == 0
