"""The editor set-up docs/editors.md gives, tried in a real editor: Neovim (headless) with the documented
configuration starts `codeward server` and shows its diagnostic on the misspelled key."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

DOCS = Path(ROOT, "docs", "editors.md")
CHECK = """
vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 100)
for _, d in ipairs(vim.diagnostic.get(0)) do
  io.stdout:write(string.format("%d:%d %s %s\\n", d.lnum + 1, d.col + 1, d.code or "?", d.message))
end
vim.cmd("qa!")
"""


def _lua_blocks() -> list[str]:
    return re.findall(r"```lua\n(.*?)```", DOCS.read_text(), re.S)


@pytest.mark.skipif(shutil.which("nvim") is None, reason="Neovim is not installed (apt-get install neovim)")
def test_neovim_with_the_documented_config_shows_codewards_diagnostics(tmp_path: Path) -> None:
    version = subprocess.run(["nvim", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    major, minor = (int(n) for n in re.search(r"v(\d+)\.(\d+)", version).groups())  # type: ignore[union-attr]
    modern, legacy = _lua_blocks()
    (tmp_path / "init.lua").write_text(modern if (major, minor) >= (0, 11) else legacy)
    (tmp_path / "check.lua").write_text(CHECK)
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "buildspec.yml").write_text("version: 0.2\nphases:\n  build:\n    comands:\n      - make\n")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_STATE_HOME": str(tmp_path / "state")}  # fmt: skip
    done = subprocess.run(
        ["nvim", "--headless", "-u", "init.lua", "ci/buildspec.yml", "-c", "luafile check.lua"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    lines = (done.stdout + done.stderr).strip().splitlines()
    assert lines[-2:] == [
        '4:5 CWB001 unknown key "comands" in phases.build; did you mean "commands"?',
        "Allowed keys: run-as, on-failure, runtime-versions, commands, finally.",  # the finding's note
    ], lines
