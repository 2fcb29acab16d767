"""The built wheel: only `codeward` at the top of site-packages, and it works without the repository."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tests.hook_repo import copy_tracked, shared_folder


def _build_wheel(out: Path) -> None:
    source = copy_tracked(out / "source")  # never the checkout: see copy_tracked
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    (built,) = shared_folder(tmp_path_factory, "wheel", _build_wheel).glob("codeward-*.whl")  # one build a session
    return built


def test_wheel_installs_only_the_codeward_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/", 1)[0] for name in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"codeward"}
    for part in ("linters/rules/buildspec", "reviewer/rules", "profiler/_bootstrap", "schemas"):
        assert any(name.startswith(f"codeward/{part}/") for name in names), part
    assert "codeward/schemas/buildspec.schema.json" in names
    assert "codeward/reviewer/ml/model.json" in names


def test_unpacked_wheel_runs_without_the_repository(wheel: Path, tmp_path: Path) -> None:
    """`python -S` skips .pth files, so the development checkout's editable finder is not in play: only the
    unpacked wheel and the third-party packages are importable."""
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    third_party = sysconfig.get_paths()["purelib"]
    (tmp_path / "app.py").write_text(
        "import socket, subprocess\n\ndef run():\n    subprocess.run(socket.socket().recv(99), shell=True)\n"
    )
    code = (
        f"import sys; sys.path[:0] = [{str(target)!r}, {third_party!r}]\n"
        "import importlib.util\n"
        "assert importlib.util.find_spec('linters') is None and importlib.util.find_spec('reviewer') is None\n"
        "from codeward.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    examples = os.path.join(ROOT, "examples", "buildspec")
    lint = subprocess.run(
        [sys.executable, "-S", "-c", code, "lint", "--isolated", "--no-cache", examples],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "No findings" in lint.stdout
    review = subprocess.run(
        [sys.executable, "-S", "-c", code, "review", "--isolated", "--no-cache", "--format", "concise", "app.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert review.returncode == 1, review.stdout + review.stderr
    assert "app.py:4:5: CWR" in review.stdout
