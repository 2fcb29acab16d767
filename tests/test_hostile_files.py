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
    for fmt in ("text", "sarif", "json"):
        lint = h.run_codeward(attack, "lint", "--isolated", "--format", fmt, ".")
        h.assert_blocks(lint, "CWF012")
        assert "outside the repository" in lint.stdout
        h.assert_contained(attack, lint)
        review = h.run_codeward(attack, "review", "--isolated", "--format", fmt, ".", "src")
        h.assert_blocks(review, "CWR102", "CWR003")
        assert review.stdout.count("outside the repository") == 2  # leak.py, and the folder src itself
        h.assert_contained(attack, review, (h.AWS_KEY,))


def test_reports_are_not_written_through_links(tmp_path) -> None:
    attack = h.attacker_pr(
        tmp_path,
        {"app.py": h.BASE_APP},
        {"app.py": h.PAYLOAD},
        links={"codeward.sarif": "../outside/secret.txt", "reports": "../outside"},
    )
    for output in ("codeward.sarif", "reports/codeward.sarif"):
        run = h.run_codeward(attack, "review", "--isolated", "--format", "sarif", "-o", output, ".")
        assert "not writing the report" in run.stderr and "is a symbolic link" in run.stderr
        # The verdict is not lost: the report goes to standard output and the run still fails.
        assert '"ruleId": "CWR102"' in run.stdout
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
    lint = h.run_codeward(attack, "lint", "--isolated", "--fix", "--format", "concise", "buildspec.yml")
    assert "not writing the fix to buildspec.yml: it is a symbolic link" in lint.stderr
    h.assert_blocks(lint, "buildspec.yml:4:5: CWB001")
    h.assert_contained(attack, lint)
    review = h.run_codeward(attack, "review", "--isolated", "--fix", "--format", "concise", "loader.py", "outside.py")
    assert "not writing the fix to loader.py: it is a symbolic link" in review.stderr
    h.assert_blocks(review, "loader.py:3:8: CWR106", "outside.py:1:1: CWR003")
    h.assert_contained(attack, review)
    assert (h.tree_state(attack.repo / "ci"), h.tree_state(attack.repo / "lib")) == inside


def test_baselines_through_links(tmp_path) -> None:
    attack = h.attacker_pr(
        tmp_path, {"app.py": h.BASE_APP}, {"app.py": h.PAYLOAD}, links={"baseline.json": "../outside/secret.txt"}
    )
    write = h.run_codeward(attack, "review", "--isolated", "--baseline", "baseline.json", "--write-baseline", ".")
    assert write.code == 2 and "not writing the baseline baseline.json: it is a symbolic link" in write.stderr
    h.assert_contained(attack, write, (h.AWS_KEY,))
    # Read through a link out of the repository: not read, so every finding is new.
    read = h.run_codeward(attack, "review", "--isolated", "--baseline", "baseline.json", "--format", "concise", ".")
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
