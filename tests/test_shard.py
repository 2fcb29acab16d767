"""`--shard K/N` and `codeward report merge`: shards partition the files exactly, the split is stable, and the
merged results are byte for byte what one unsharded run writes, down to one pull-request review."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from codeward.shard import parse, shard_of
from tests.github_api.gitrepo import GIT_ENV, commit, git, new_repo
from tests.github_api.server import FakeGitHub, serve
from tests.helpers import ROOT, run_cli, run_process

SECRET = (
    "version: 0.2\nenv:\n  variables:\n    DB_PASSWORD: Zq8v2LmT9xWc4RbK\nphases:\n  build:\n    commands: [make]\n"
)
TOKEN = "ghp_" + "ShardMergeToken0123456789abcdefghijklmn"


def test_parse_and_stable_hash() -> None:
    assert parse("2/4") == (2, 4) and parse(" 1 / 1 ") == (1, 1)
    for bad in ("0/4", "5/4", "1/0", "a/b", "3"):
        with pytest.raises(ValueError, match="--shard"):
            parse(bad)
    # The split must not change between releases, machines or Python versions: these are sha256-based constants.
    assert [shard_of(p, 4) for p in ("buildspec.yml", "ci/buildspec.yml", "src/app.py", "a\\b.py")] == [4, 1, 1, 1]
    assert shard_of("a\\b.py", 4) == shard_of("a/b.py", 4)
    code, _, err = run_cli("lint", "--shard", "3/2")
    assert code == 2 and "--shard 3/2: K must be between 1 and N" in err


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every broken and valid definition file of the test corpus and examples, Python files with findings, a
    plaintext secret (masked in every format) and fixable findings, in nested folders."""
    root = tmp_path_factory.mktemp("monorepo")
    for name in ("buildspec", "appspec", "pipeline"):
        shutil.copytree(Path(ROOT, "tests", "corpus", name), root / "corpus" / name)
        shutil.copytree(Path(ROOT, "examples", name), root / "examples" / name)
    shutil.copytree(Path(ROOT, "tests", "reviewer_corpus"), root / "src")
    (root / "services" / "billing").mkdir(parents=True)
    (root / "services" / "billing" / "buildspec.yml").write_text(SECRET)
    return root


def _run(tree: Path, *args: str) -> tuple[int, str]:
    code, out, err = run_cli(*args, cwd=str(tree))
    assert code in (0, 1), err
    return code, out


@pytest.mark.parametrize("command", ["lint", "review"])
def test_shards_partition_the_files_and_merge_to_the_unsharded_output(tree: Path, command: str) -> None:
    common = (command, "--isolated", "--no-cache", "--jobs", "1", "--color", "never")
    # The unsharded run in each format: the first fills a results cache of its own, the others read it (the
    # formats render the same findings; reviewing the corpus again for each cost most of this test's time).
    cache = tree / f"cache-{command}"
    shutil.rmtree(cache, ignore_errors=True)
    unsharded = (command, "--isolated", "--cache-dir", str(cache), "--jobs", "1", "--color", "never")
    _run(tree, *unsharded, "--format", "json", "-o", f"full-{command}.json")
    full = json.loads((tree / f"full-{command}.json").read_text())
    assert len(full["checked"]) > 40 and len(full["findings"]) > 40
    parts = []
    for k in (1, 2, 3, 4):
        parts.append(f"part-{command}-{k}.json")
        _run(tree, *common, "--shard", f"{k}/4", "--exit-zero", "--format", "json", "-o", parts[-1])
    checked = [json.loads((tree / p).read_text())["checked"] for p in parts]
    assert sum(len(c) for c in checked) == len(full["checked"])
    assert sorted(name for c in checked for name in c) == full["checked"]
    assert all(len(c) >= 5 for c in checked)  # every shard gets a share
    for fmt in ("json", "sarif", "text", "junit", "gitlab", "github"):
        _run(tree, *unsharded, "--format", fmt, "-o", f"full-{command}.{fmt}")
        code, _ = _run(tree, "report", "merge", *parts, "--format", fmt, "--color", "never", "-o", f"merged.{fmt}")
        assert code == 1
        assert (tree / f"merged.{fmt}").read_bytes() == (tree / f"full-{command}.{fmt}").read_bytes(), fmt
    if command == "lint":
        assert "Zq8v" in (tree / "merged.sarif").read_text()
        assert "Zq8v2LmT9xWc4RbK" not in (tree / "merged.json").read_text()
    _, stats = _run(tree, "report", "merge", *parts, "--statistics")
    assert stats == _run(tree, *unsharded, "--statistics")[1]


def test_merge_refuses_overlapping_or_foreign_parts(tree: Path) -> None:
    _run(tree, "lint", "--isolated", "--no-cache", "--shard", "1/2", "--format", "json", "-o", "half.json")
    code, _, err = run_cli("report", "merge", "half.json", "half.json", cwd=str(tree))
    assert code == 2 and "is in both half.json and half.json: were the shards run with one N?" in err
    (tree / "other.json").write_text('{"version": "2.1.0"}')
    code, _, err = run_cli("report", "merge", "other.json", cwd=str(tree))
    assert code == 2 and err.startswith("codeward: error: other.json is not a result of `codeward lint|review")
    code, _, err = run_cli("report", "merge", "missing.json", cwd=str(tree))
    assert code == 2 and "cannot read missing.json" in err


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_merged_shards_post_one_review_like_an_unsharded_run(tmp_path: Path) -> None:
    base_files = {f"svc{i}/buildspec.yml": "version: 0.2\nphases:\n  build:\n    commands: [make]\n" for i in range(8)}
    repo = new_repo(tmp_path / "r", base_files)
    base = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-qb", "feature")
    head = commit(
        repo, {f"svc{i}/buildspec.yml": "version: 0.2\nphases:\n  build:\n    comands: [make]\n" for i in range(8)}
    )
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7, "head": {"sha": head}, "base": {"sha": base}}}))

    def env(fake: FakeGitHub) -> dict[str, str]:
        return {**GIT_ENV, "GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": fake.repo, "GITHUB_EVENT_PATH": str(event),
                "GITHUB_API_URL": fake.url, "CODEWARD_FORMAT": ""}  # fmt: skip

    diff = ("--diff", f"{base}...HEAD")
    with serve(FakeGitHub(token=TOKEN, head_sha=head)) as fake:
        done = run_process("lint", "--no-cache", *diff, "--post", "github", cwd=str(repo), env=env(fake))
        assert done.returncode == 1, done.stderr
        (unsharded,) = fake.posted_reviews
    with serve(FakeGitHub(token=TOKEN, head_sha=head)) as fake:
        for k in (1, 2, 3):
            done = run_process("lint", "--no-cache", *diff, "--shard", f"{k}/3", "--exit-zero", "--format", "json",
                               "-o", f"part{k}.json", cwd=str(repo), env=env(fake))  # fmt: skip
            assert done.returncode == 0, done.stderr
        assert fake.posted_reviews == []
        parts = ("part1.json", "part2.json", "part3.json")
        done = run_process("report", "merge", *parts, *diff, "--post", "github", cwd=str(repo), env=env(fake))
        assert done.returncode == 1, done.stderr
        assert done.stderr == (
            "codeward: posted 1 review on octo/demo#7: 8 comments, 0 findings in the summary, 0 already there\n"
        )
        (merged,) = fake.posted_reviews
    assert merged.body == unsharded.body
    assert len(merged.body["comments"]) == 8


def test_merge_masks_the_secrets_of_findings_the_parts_hid(tmp_path: Path) -> None:
    """A credential whose finding falls below --min-confidence is not reported but stays masked on the lines
    other findings show (the snippet of the yaml.load finding, scored above the threshold): the merged SARIF
    masks it the same way."""
    # A weak password scores low with the secret classifier (a live-format AWS key would be reported).
    app = 'import yaml\n\n\ndef load(s):\n    password = "hunter22"; return yaml.load(s), password\n'
    for index in range(6):
        (tmp_path / f"app{index}.py").write_text(app)
    common = ("review", "--isolated", "--no-cache", "--min-confidence", "0.6")
    _run(tmp_path, *common, "--format", "sarif", "-o", "full.sarif")
    for k in (1, 2):
        _run(tmp_path, *common, "--shard", f"{k}/2", "--format", "json", "-o", f"part{k}.json")
    _run(tmp_path, "report", "merge", "part1.json", "part2.json", "--format", "sarif", "-o", "merged.sarif")
    merged = (tmp_path / "merged.sarif").read_text()
    assert merged == (tmp_path / "full.sarif").read_text()
    assert "hunter22" not in merged and '\\"hu******\\"' in merged
    assert [r["ruleId"] for r in json.loads(merged)["runs"][0]["results"]] == ["CWR106"] * 6
