"""codeward.diff on real git repositories: changed lines, renames, deletions, binary files, submodules, odd file
names, and a clear message for every way a --diff can go wrong; `codeward lint --diff` end to end."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from codeward.diff import ChangeSet, DiffError, compute, parse_spec
from codeward.findings import Finding, Severity, Span
from tests.github_api.gitrepo import GIT_ENV, commit, git, new_repo
from tests.helpers import run_cli


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)


LINES = "".join(f"line {n}\n" for n in range(1, 21))


def test_parse_spec_forms() -> None:
    assert parse_spec("origin/main...HEAD") == ("origin/main", "HEAD", True)
    assert parse_spec("main..feature") == ("main", "feature", False)
    assert parse_spec("main") == ("main", "HEAD", True)
    assert parse_spec("main...") == ("main", "HEAD", True)
    for bad in ("--output=/tmp/x...HEAD", "main...-p", "a b...HEAD"):
        with pytest.raises(DiffError, match="is not a revision"):
            parse_spec(bad)


def test_modified_added_and_context_lines(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "r", {"a.txt": LINES, "gone.txt": "x\n"})
    git(repo, "checkout", "-qb", "feature")
    changed = LINES.replace("line 5\n", "line five\n").replace("line 15\n", "line 15\nnew 15b\nnew 15c\n")
    head = commit(repo, {"a.txt": changed, "gone.txt": None, "new.txt": "one\ntwo\n"})
    changes = compute("main...HEAD", str(repo))
    assert changes.head == head and changes.base == changes.merge_base
    a = changes.files["a.txt"]
    assert (a.status, a.added) == ("M", {5, 16, 17})
    # Three lines of context around each change, as GitHub shows them: the lines a comment may sit on.
    assert a.hunks == [(2, 8), (13, 20)]
    assert a.context[4] == 4 and a.context[18] == 16  # new line -> old line
    assert changes.files["new.txt"].added == {1, 2} and changes.files["new.txt"].status == "A"
    gone = changes.files["gone.txt"]
    assert (gone.status, gone.added, gone.analysable) == ("D", set(), False)
    assert [os.path.basename(p) for p in changes.analysable_paths()] == ["a.txt", "new.txt"]


def test_rename_keeps_old_path_and_only_edited_lines(tmp_path: Path) -> None:
    other = LINES.replace("line", "row")
    repo = new_repo(tmp_path / "r", {"ci/old.yml": LINES, "same.yml": other})
    git(repo, "mv", "ci/old.yml", "ci/new.yml")
    git(repo, "mv", "same.yml", "moved.yml")
    commit(repo, {"ci/new.yml": LINES.replace("line 10\n", "line ten\n")})
    changes = compute("HEAD~1..HEAD", str(repo))
    renamed = changes.files["ci/new.yml"]
    assert (renamed.status, renamed.old_path, renamed.added) == ("R", "ci/old.yml", {10})
    pure = changes.files["moved.yml"]
    assert (pure.status, pure.old_path, pure.added, pure.analysable) == ("R", "same.yml", set(), False)


def test_submodule_and_symlink_have_no_lines_and_binary_files_are_analysed(tmp_path: Path) -> None:
    inner = new_repo(tmp_path / "inner", {"x.txt": "x\n"})
    repo = new_repo(tmp_path / "r", {"keep.txt": "k\n"})
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner), "sub")
    os.symlink("keep.txt", repo / "link.yml")
    commit(repo, {"blob.bin": b"\x00\x01\x02binary\n", "keep.txt": "k\nk2\n"})
    changes = compute("HEAD~1...HEAD", str(repo))
    # Binary by codeward's own check (NUL bytes), and still analysed: the commands report such a file as
    # unreadable, which a pull request must not be able to hide.
    assert changes.files["blob.bin"].binary and changes.files["blob.bin"].analysable
    assert not changes.files["keep.txt"].binary
    sub = changes.files["sub"]
    assert sub.submodule and sub.added == set() and not sub.analysable
    link = changes.files["link.yml"]
    assert link.symlink and not link.analysable
    assert changes.files[".gitmodules"].analysable
    assert [os.path.basename(p) for p in changes.analysable_paths()] == [".gitmodules", "blob.bin", "keep.txt"]


def test_odd_file_names(tmp_path: Path) -> None:
    names = ["with space.yml", "tab\there.yml", "ünïcode.yml", 'quote".yml', "-dash.yml"]
    repo = new_repo(tmp_path / "r", dict.fromkeys(names, "a\n"))
    commit(repo, dict.fromkeys(names, "a\nb\n"))
    changes = compute("HEAD~1..HEAD", str(repo))
    assert sorted(changes.files) == sorted(names)
    assert all(changes.files[n].added == {2} for n in names)


def test_relpath_and_keep_from_a_subdirectory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = new_repo(tmp_path / "r", {"ci/buildspec.yml": LINES})
    commit(repo, {"ci/buildspec.yml": LINES.replace("line 3\n", "line three\n")})
    monkeypatch.chdir(repo / "ci")
    changes = compute("HEAD~1..HEAD")
    assert changes.relpath("buildspec.yml") == "ci/buildspec.yml"
    assert changes.relpath(str(tmp_path)) is None

    def at(line: int, end_line: int | None = None, end_column: int = 2) -> Finding:
        span = Span(line, 1, end_line or line, end_column)
        return Finding("CWX001", "m", "./buildspec.yml", span, Severity.ERROR)

    kept = changes.keep([at(2), at(3), at(1, 3), at(4), at(2, 3, 1)])
    # On line 3, or spanning it; a span that ends at column 1 of line 3 stops at line 2.
    assert [(f.span.line, f.span.end_line) for f in kept] == [(3, 3), (1, 3)]
    assert changes.narrow(["."]) == ["."] and changes.narrow(["buildspec.yml"]) == ["buildspec.yml"]
    # Directories are kept only for a changed file with the command's suffixes; named files whatever their name.
    assert changes.narrow([".", "buildspec.yml"], suffixes=(".py",)) == ["buildspec.yml"]


def test_merge_base_is_where_the_diff_starts(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "r", {"a.txt": LINES})
    git(repo, "checkout", "-qb", "feature")
    commit(repo, {"a.txt": LINES.replace("line 2\n", "feature 2\n")})
    git(repo, "checkout", "-q", "main")
    main_tip = commit(repo, {"a.txt": LINES.replace("line 19\n", "main 19\n")})
    git(repo, "checkout", "-q", "feature")
    three = compute("main...feature", str(repo))
    assert three.files["a.txt"].added == {2} and three.base == main_tip and three.merge_base != main_tip
    two = compute("main..feature", str(repo))
    # From main's tip itself: main's own change shows up as a difference too.
    assert two.files["a.txt"].added == {2, 19}


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("nope...HEAD", "unknown revision 'nope'. Fetch it first"),
        ("main...main", "working tree is at"),
    ],
)
def test_errors_say_what_to_do(tmp_path: Path, spec: str, expected: str) -> None:
    repo = new_repo(tmp_path / "r", {"a.txt": "a\n"})
    git(repo, "checkout", "-qb", "feature")
    commit(repo, {"a.txt": "b\n"})
    with pytest.raises(DiffError, match=expected):
        compute(spec, str(repo))


def test_not_a_repository_and_no_common_history(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    with pytest.raises(DiffError, match="needs a git repository"):
        compute("main...HEAD", str(tmp_path / "plain"))
    repo = new_repo(tmp_path / "r", {"a.txt": "a\n"})
    git(repo, "checkout", "-q", "--orphan", "other")
    commit(repo, {"b.txt": "b\n"}, "unrelated")
    with pytest.raises(DiffError, match=r"no common ancestor.*--diff main\.\.HEAD"):
        compute("main...HEAD", str(repo))


def test_shallow_clone_hint(tmp_path: Path) -> None:
    origin = new_repo(tmp_path / "origin", {"a.txt": "a\n"})
    base = git(origin, "rev-parse", "HEAD")
    commit(origin, {"a.txt": "b\n"})
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth=1", f"file://{origin}", str(clone))
    with pytest.raises(DiffError, match="shallow clone: fetch more history"):
        compute(f"{base}...HEAD", str(clone))


BASE_BUILDSPEC = """version: 0.2
phases:
  install:
    runtime-versions:
      python: 3.12
  build:
    commands:
      - make
    finaly:
      - echo done
"""


def test_lint_diff_reports_only_findings_on_changed_lines(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "r", {"buildspec.yml": BASE_BUILDSPEC, "README.md": "hi\n"})
    git(repo, "checkout", "-qb", "feature")
    # An old finding stays (finaly, line 9) and a new one arrives (comands, line 8).
    commit(
        repo, {"buildspec.yml": BASE_BUILDSPEC.replace("    commands:\n      - make\n", "    comands:\n      - make\n")}
    )
    code, out, err = run_cli(
        "lint", "--isolated", "--no-cache", "--format", "concise", "--diff", "main...HEAD", cwd=str(repo)
    )
    assert (code, err) == (1, "")
    assert [line.split(": ")[0] for line in out.splitlines()[:-1]] == ["buildspec.yml:7:5"]
    assert 'CWB001 unknown key "comands"' in out
    # Without --diff both are reported.
    code, out, _ = run_cli("lint", "--isolated", "--no-cache", "--format", "concise", cwd=str(repo))
    assert code == 1 and out.count("CWB001") == 2


def test_fix_with_diff_fixes_only_changed_lines(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "r", {"buildspec.yml": BASE_BUILDSPEC})
    git(repo, "checkout", "-qb", "feature")
    head = BASE_BUILDSPEC.replace("    commands:\n      - make\n", "    comands:\n      - make\n")
    commit(repo, {"buildspec.yml": head})
    code, _, err = run_cli("lint", "--isolated", "--fix", "--diff", "main...HEAD", cwd=str(repo))
    text = (repo / "buildspec.yml").read_text()
    # The new misspelling (a changed line) is fixed; the old one (finaly) is left for its own change.
    assert "comands" not in text and "finaly" in text
    assert "Fixed 1 finding." in err and code == 0


def test_lint_diff_with_nothing_relevant_changed(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "r", {"buildspec.yml": BASE_BUILDSPEC, "README.md": "hi\n"})
    commit(repo, {"README.md": "hello\n"})
    code, out, err = run_cli("lint", "--isolated", "--no-cache", "--format", "json", "--diff", "HEAD~1", cwd=str(repo))
    assert code == 0 and err == ""
    assert '"findings": []' in out
    # A named file that did not change is not linted at all.
    code, out, _ = run_cli("lint", "--isolated", "--no-cache", "--diff", "HEAD~1", "buildspec.yml", cwd=str(repo))
    assert code == 0


def test_lint_diff_usage_errors(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "r", {"buildspec.yml": BASE_BUILDSPEC})
    code, _, err = run_cli("lint", "--no-cache", "--diff", "missing...HEAD", cwd=str(repo))
    assert code == 2 and err.startswith("codeward: error: --diff: unknown revision 'missing'")
    code, _, err = run_cli("lint", "--no-cache", "--format", "codecommit", cwd=str(repo))
    assert code == 2 and "--format codecommit needs --diff BASE...HEAD" in err
    code, _, err = run_cli("lint", "--no-cache", "--format", "codecommit", "--diff", "HEAD", cwd=str(repo))
    assert code == 2 and "needs --repo REPOSITORY_NAME and --pr PULL_REQUEST_ID" in err
    code, _, err = run_cli("lint", "--no-cache", "--diff", "--upload-pack=touch /tmp/x", cwd=str(repo))
    assert code == 2 and "is not a revision" in err and "Traceback" not in err


def test_changeset_type_is_plain_data(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "r", {"a.txt": "a\n"})
    commit(repo, {"a.txt": "a\nb\n"})
    changes = compute("HEAD~1..HEAD", str(repo))
    assert isinstance(changes, ChangeSet) and changes.root == os.path.realpath(repo)
    assert changes.spec == "HEAD~1..HEAD" and len(changes.head) == 40
