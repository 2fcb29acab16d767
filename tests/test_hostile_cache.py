"""Attacks on the results cache: forged, crafted and redirected entries must never hide a finding, crash a
run or write outside the repository; and where the cache lives by default."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from codeward import cache as cache_module
from codeward.cache import FORMAT, Cache, cache_dir_for, config_stamp
from codeward.config import Config, config_from_table
from codeward.findings import Finding, Severity, Span
from tests import hostile as h

CONFIG = '[tool.codeward]\ncache-dir = ".codeward_cache"\n'


def _forged_entries(repo: Path, folder: Path, files: dict[str, str]) -> dict[str, bytes]:
    """What an attacker who knows the installation would write: for each file, an entry with no findings
    under the exact key codeward computes, in the old unauthenticated format and with a made-up MAC."""
    config = config_from_table({"cache-dir": ".codeward_cache"}, str(repo / "pyproject.toml"))
    cache = Cache(str(folder), "review", config_stamp(config))
    out = {}
    for name, content in files.items():
        key = cache.key(str(repo / name), content.encode())
        body = json.dumps({"meta": {}, "findings": []}).encode()
        relative = os.path.relpath(os.path.join(cache.directory, key[:2], key), repo)
        out[relative] = FORMAT + b"0" * 64 + b"\n" + body
        out[relative + ".old"] = body
    return out


def test_committed_forged_entries_are_not_used(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    files = {"app.py": h.PAYLOAD}
    forged = _forged_entries(repo, repo / ".codeward_cache", files)
    attack = h.attacker_pr(tmp_path, {"app.py": h.BASE_APP}, {**files, "pyproject.toml": CONFIG, **forged})
    run = h.run_codeward(attack, "review", "--format", "concise", ".")
    assert "not using the cache folder" in run.stderr and "git tracks files in it" in run.stderr
    h.assert_blocks(run, "CWR102", "CWR201")
    h.assert_contained(attack, run, (h.AWS_KEY,))


def test_forged_entries_left_in_an_untracked_folder_fail_authentication(tmp_path: Path) -> None:
    # As on a reused runner: entries at the right keys, not tracked by git (the pull request ignores them).
    repo = tmp_path / "repo"
    files = {"app.py": h.PAYLOAD}
    attack = h.attacker_pr(
        tmp_path, {"app.py": h.BASE_APP}, {**files, "pyproject.toml": CONFIG, ".gitignore": ".codeward_cache/\n"}
    )
    for relative, data in _forged_entries(repo, repo / ".codeward_cache", files).items():
        target = repo / relative.removesuffix(".old")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        run = h.run_codeward(attack, "review", "--format", "concise", ".")
        assert run.stderr == ""
        h.assert_blocks(run, "CWR102", "CWR201")
        h.assert_contained(attack, run, (h.AWS_KEY,))


def test_a_committed_symlinked_cache_folder_is_not_written_through(tmp_path: Path) -> None:
    attack = h.attacker_pr(
        tmp_path,
        {"app.py": h.BASE_APP},
        {"app.py": h.PAYLOAD, "pyproject.toml": CONFIG},
        {".codeward_cache": "../outside"},
    )
    run = h.run_codeward(attack, "review", "--format", "concise", ".")
    assert "not using the cache folder" in run.stderr and "is a symbolic link" in run.stderr
    h.assert_blocks(run, "CWR102", "CWR201")
    h.assert_contained(attack, run, (h.AWS_KEY,))


def test_a_configured_cache_outside_the_checkout_is_refused(tmp_path: Path) -> None:
    config = '[tool.codeward]\ncache-dir = "../outside/cache"\n'
    attack = h.attacker_pr(tmp_path, {"app.py": h.BASE_APP}, {"app.py": h.PAYLOAD, "pyproject.toml": config})
    run = h.run_codeward(attack, "review", "--format", "concise", ".")
    assert "not using cache-dir" in run.stderr and "--cache-dir or CODEWARD_CACHE_DIR" in run.stderr
    h.assert_blocks(run, "CWR102", "CWR201")
    h.assert_contained(attack, run, (h.AWS_KEY,))


def test_by_default_the_cache_lives_outside_the_checkout_and_is_off_in_ci(tmp_path: Path) -> None:
    from tests.github_api.gitrepo import git

    attack = h.attacker_pr(tmp_path, {"app.py": h.BASE_APP}, {"app.py": h.PAYLOAD})
    for _ in range(2):  # cold, then warm
        run = h.run_codeward(attack, "review", "--format", "concise", ".")
        h.assert_blocks(run, "CWR102", "CWR201")
    user_cache = attack.home / ".cache" / "codeward"
    assert (user_cache / "cache.key").stat().st_mode & 0o077 == 0
    assert len(list(user_cache.rglob("*/review/*/*"))) == 1
    assert git(attack.repo, "status", "--porcelain", "--ignored") == ""
    # In CI: nothing is cached anywhere.
    (tmp_path / "ci-home").mkdir()
    before = h.tree_state(tmp_path / "repo"), h.tree_state(attack.home)
    run = h.run_codeward(attack, "review", "--format", "concise", ".", env={"CI": "true", "HOME": str(tmp_path / "ci-home"), "XDG_CACHE_HOME": str(tmp_path / "ci-home")})  # fmt: skip
    h.assert_blocks(run, "CWR102")
    assert os.listdir(tmp_path / "ci-home") == [] and before[0] == h.tree_state(tmp_path / "repo")
    # ...unless a folder is named.
    run = h.run_codeward(attack, "review", ".", env={"CI": "true", "CODEWARD_CACHE_DIR": str(tmp_path / "ci-cache")})
    assert (tmp_path / "ci-cache" / "cache.key").is_file()


def _finding() -> Finding:
    return Finding("CWR102", "m", "app.py", Span(1, 2, 1, 5), Severity.ERROR, "os-command-injection")


MALFORMED = [
    "[]", "{}", '{"meta": [], "findings": []}', '{"meta": {}, "findings": {}}',
    '{"meta": {}, "findings": [{"c": 1}]}',
    '{"meta": {}, "findings": [{"c": "X", "m": "m", "p": "p", "s": [1, 2, 3], "v": 3, "n": "", "o": []}]}',
    '{"meta": {}, "findings": [{"c": "X", "m": "m", "p": "p", "s": [1, 2, 3, "4"], "v": 3, "n": "", "o": []}]}',
    '{"meta": {}, "findings": [{"c": "X", "m": "m", "p": "p", "s": [1, 2, 3, 4], "v": 9, "n": "", "o": []}]}',
    '{"meta": {}, "findings": [{"c": "X", "m": "m", "p": "p", "s": [1, 2, 3, 4], "v": 3, "n": "", "o": [],'
    ' "f": ["d", [[1, 2, 3]]]}]}',
    '{"meta": {}, "findings": [{"c": "X", "m": "m", "p": "p", "s": [1, 2, 3, 4], "v": 3, "n": "", "o": [],'
    ' "k": "high"}]}',
    "[" * 100_000 + "]" * 100_000,
    '{"meta": {}, "findings": [' + "[" * 50_000 + "]" * 50_000 + "]}",
    "not json",
]  # fmt: skip


@pytest.mark.parametrize("body", MALFORMED, ids=range(len(MALFORMED)))
def test_every_malformed_entry_is_a_miss_even_with_a_valid_mac(tmp_path: Path, body: str) -> None:
    cache = Cache(str(tmp_path), "review", "settings")
    key = cache.key(str(tmp_path / "app.py"), b"x = 1\n")
    cache.put(key, {}, [_finding()])
    assert cache.get(key) == ({}, [_finding()])
    path = tmp_path / cache.directory / key[:2] / key
    mac = cache._mac(key, body.encode())
    path.write_bytes(FORMAT + mac.encode() + b"\n" + body.encode())
    assert cache.get(key) is None


def test_entries_are_bound_to_their_key(tmp_path: Path) -> None:
    cache = Cache(str(tmp_path), "review", "settings")
    clean, dirty = cache.key("a.py", b"clean"), cache.key("a.py", b"dirty")
    cache.put(clean, {}, [])
    cache.put(dirty, {}, [_finding()])
    # Copying the clean file's authentic entry over the dirty file's is a miss, not "no findings".
    folder = Path(cache.directory)
    (folder / dirty[:2] / dirty).write_bytes((folder / clean[:2] / clean).read_bytes())
    assert cache.get(dirty) is None and cache.get(clean) == ({}, [])


def test_the_key_covers_versions_and_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def key() -> str:
        monkeypatch.setattr(cache_module, "_CODE_STAMP", None)
        return Cache(str(tmp_path), "review", config_stamp(config)).key("a.py", b"x")

    config = Config()
    first = key()
    config.raw = {"reviewer": {"min-confidence": 0.9}}
    assert key() != first
    config.raw = {}
    assert key() == first
    monkeypatch.setattr(cache_module, "dependency_stamp", lambda: "libcst:other-version")
    assert key() != first
    monkeypatch.undo()
    monkeypatch.setattr(cache_module.sys, "version", "3.99.0 (other)")
    assert key() != first
    assert "libcst" in cache_module.dependency_stamp() and "yaml" in cache_module.dependency_stamp()


def test_cache_dir_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CODEWARD_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.chdir(tmp_path)
    config = Config(root=str(tmp_path))
    assert cache_dir_for(config) == str(tmp_path / "xdg" / "codeward")
    monkeypatch.setenv("CI", "true")
    assert cache_dir_for(config) is None
    config.cache_dir = str(tmp_path / "from-config")
    assert cache_dir_for(config) == str(tmp_path / "from-config")
    monkeypatch.setenv("CODEWARD_CACHE_DIR", str(tmp_path / "from-env"))
    assert cache_dir_for(config) == str(tmp_path / "from-env")
    config.cache_dir, config.cache_dir_from_cli = str(tmp_path / "from-cli"), True
    assert cache_dir_for(config) == str(tmp_path / "from-cli")
