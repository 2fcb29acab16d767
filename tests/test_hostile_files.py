"""Committed symbolic links: codeward never reads a file whose real path leaves the repository, and never
writes through a link (reports, fixes, baselines, simulator artifacts). Each test is an attacker's pull
request in a real git repository, run as CI runs it."""

from __future__ import annotations

import os

from tests import hostile as h

TYPO_BUILDSPEC = "version: 0.2\nphases:\n  build:\n    comands:\n      - make\n"
UNSAFE_YAML = 'import yaml\n\ndata = yaml.load(open("settings.yml"))\n'


def test_links_out_of_the_repository_are_not_read(tmp_path) -> None:
    attack = h.attacker_pr(
        tmp_path,
        {"app.py": h.BASE_APP},
        {"app.py": h.PAYLOAD},
        links={"appspec.yml": "../outside/secret.txt", "leak.py": "../outside/victim.py", "src": "../outside"},
    )
    commands = []
    for fmt in ("text", "sarif", "json"):
        commands += [
            ("lint", "--isolated", "--format", fmt, "."),
            ("review", "--isolated", "--format", fmt, ".", "src"),
        ]
    runs = h.run_codeward_many(attack, *commands)  # one interpreter, the runs' shared home as before
    for lint, review in zip(runs[::2], runs[1::2], strict=True):
        h.assert_blocks(lint, "CWF012")
        assert "outside the repository" in lint.stdout, lint.args
        h.assert_contained(attack, lint)
        h.assert_blocks(review, "CWR102", "CWR003")
        assert review.stdout.count("outside the repository") == 2, review.args  # leak.py, and the folder src itself
        h.assert_contained(attack, review, (h.AWS_KEY,))


def test_reports_are_not_written_through_links(tmp_path) -> None:
    attack = h.attacker_pr(
        tmp_path,
        {"app.py": h.BASE_APP},
        {"app.py": h.PAYLOAD},
        links={"codeward.sarif": "../outside/secret.txt", "reports": "../outside"},
    )
    outputs = ("codeward.sarif", "reports/codeward.sarif")
    for run in h.run_codeward_many(
        attack, *(("review", "--isolated", "--format", "sarif", "-o", out, ".") for out in outputs)
    ):
        assert "not writing the report" in run.stderr and "is a symbolic link" in run.stderr, run.args
        # The verdict is not lost: the report goes to standard output and the run still fails.
        assert '"ruleId": "CWR102"' in run.stdout, run.args
        h.assert_blocks(run, "CWR201")
        h.assert_contained(attack, run, (h.AWS_KEY,))
    assert os.path.islink(attack.repo / "codeward.sarif")


def test_fixes_are_not_written_through_links(tmp_path) -> None:
    attack = h.attacker_pr(
        tmp_path,
        {"app.py": h.BASE_APP},
        {"ci/real.yml": TYPO_BUILDSPEC, "lib/real.py": UNSAFE_YAML},
        links={"buildspec.yml": "ci/real.yml", "loader.py": "lib/real.py", "outside.py": "../outside/victim.py"},
    )
    inside = h.tree_state(attack.repo / "ci"), h.tree_state(attack.repo / "lib")
    lint, review = h.run_codeward_many(
        attack,
        ("lint", "--isolated", "--fix", "--format", "concise", "buildspec.yml"),
        ("review", "--isolated", "--fix", "--format", "concise", "loader.py", "outside.py"),
    )
    assert "not writing the fix to buildspec.yml: it is a symbolic link" in lint.stderr
    h.assert_blocks(lint, "buildspec.yml:4:5: CWB001")
    h.assert_contained(attack, lint)
    assert "not writing the fix to loader.py: it is a symbolic link" in review.stderr
    h.assert_blocks(review, "loader.py:3:8: CWR106", "outside.py:1:1: CWR003")
    h.assert_contained(attack, review)
    assert (h.tree_state(attack.repo / "ci"), h.tree_state(attack.repo / "lib")) == inside


def test_baselines_through_links(tmp_path) -> None:
    attack = h.attacker_pr(
        tmp_path, {"app.py": h.BASE_APP}, {"app.py": h.PAYLOAD}, links={"baseline.json": "../outside/secret.txt"}
    )
    write, read = h.run_codeward_many(
        attack,
        ("review", "--isolated", "--baseline", "baseline.json", "--write-baseline", "."),
        ("review", "--isolated", "--baseline", "baseline.json", "--format", "concise", "."),
    )
    assert write.code == 2 and "not writing the baseline baseline.json: it is a symbolic link" in write.stderr
    h.assert_contained(attack, write, (h.AWS_KEY,))
    # Read through a link out of the repository: not read, so every finding is new.
    assert "every finding counts as new" in read.stderr
    h.assert_blocks(read, "CWR102", "CWR201")
    h.assert_contained(attack, read, (h.AWS_KEY,))


def test_simulated_artifacts_copy_no_links(tmp_path) -> None:
    buildspec = (
        "version: 0.2\nphases:\n  build:\n    commands:\n      - echo built\nartifacts:\n  files:\n    - '**/*'\n"
    )
    attack = h.attacker_pr(
        tmp_path,
        {"buildspec.yml": buildspec},
        {"app.txt": "app\n"},
        links={"stolen.txt": "../outside/secret.txt", "inner.txt": "app.txt"},
    )
    run = h.run_codeward(attack, "simulate", "--isolated", "--execute", "--artifacts-dir", str(tmp_path / "artifacts"),
                       "buildspec.yml")  # fmt: skip
    assert run.code == 0, run.stdout + run.stderr
    copied = sorted(os.listdir(tmp_path / "artifacts" / "primary"))
    assert copied == ["app.txt", "buildspec.yml"], copied
    assert "not copied: stolen.txt is a symbolic link" in run.stdout
    assert h.CANARY not in run.stdout and h.CANARY not in (tmp_path / "artifacts" / "primary" / "app.txt").read_text()
    assert h.tree_state(attack.outside) == attack.snapshot


def test_an_env_file_linked_out_of_the_repository_is_not_read(tmp_path) -> None:
    attack = h.attacker_pr(
        tmp_path, {"buildspec.yml": h.BASE_BUILDSPEC}, {}, links={".env.ci": "../outside/secret.txt"}
    )
    run = h.run_codeward(attack, "simulate", "--isolated", "--env-file", ".env.ci", "buildspec.yml")
    # A usage error: the job named the file, and it is not what the job meant.
    assert run.code == 2 and "--env-file .env.ci is a symbolic link to a place outside the repository" in run.stderr
    h.assert_contained(attack, run)


def test_runs_made_by_one_interpreter_are_the_runs_made_one_by_one(tmp_path) -> None:
    """The harness: h.run_codeward_many gives each run the exit status, output, error output and opened files
    a process of its own gives it (a review with findings, a usage error, a configuration read from outside the
    repository, which the audit log must show, in the run that read it only)."""
    attack = h.attacker_pr(
        tmp_path, {"app.py": h.BASE_APP}, {"app.py": h.PAYLOAD}, outside_files={"pinned.toml": 'select = ["CWR1"]\n'}
    )
    commands = (
        ("review", "--isolated", "--format", "concise", "app.py"),
        ("lint", "--no-such-option"),
        ("review", "--config", str(attack.outside / "pinned.toml"), "app.py"),
    )
    batched = h.run_codeward_many(attack, *commands)
    alone = [h.run_codeward(attack, *args) for args in commands]
    assert [(run.code, run.stdout, run.stderr) for run in batched] == [
        (run.code, run.stdout, run.stderr) for run in alone
    ]
    assert [run.code for run in batched] == [1, 2, 1]
    outside = [sorted({path for _, path in run.opened if path.startswith(str(attack.outside))}) for run in batched]
    assert outside == [[], [], [str(attack.outside / "pinned.toml")]]
    assert outside[2] == sorted({path for _, path in alone[2].opened if path.startswith(str(attack.outside))})
