"""No secret in full in any output: every part (lint, review, simulate) and every format, and `--execute`
runs commands with a minimal environment, the CI's tokens only when named with --pass-env."""

from __future__ import annotations

import pytest

from tests import hostile as h

FORMATS = ("text", "concise", "json", "sarif", "github", "gitlab", "junit")
CI_TOKEN = "ghp_" + "CiTokenValue0123456789abcdefghijklmnop"


@pytest.fixture
def attack(tmp_path):
    app = h.INJECTION + f'\nKEY = "{h.AWS_KEY}"  # {h.AWS_KEY}\n'
    return h.attacker_pr(
        tmp_path,
        {"app.py": h.BASE_APP, "buildspec.yml": h.BASE_BUILDSPEC},
        {"app.py": app, "buildspec.yml": h.SECRET_BUILDSPEC},
    )


def test_lint_and_review_mask_secrets_in_every_format(attack) -> None:
    # One interpreter makes the fourteen runs, each with a home and cache of its own (run_codeward_many).
    commands = [(command, "--isolated", "--format", fmt, ".") for fmt in FORMATS for command in ("lint", "review")]
    runs = h.run_codeward_many(attack, *commands, own_home=True)
    assert [run.args[3] for run in runs[::2]] == list(FORMATS)
    for lint, review in zip(runs[::2], runs[1::2], strict=True):
        h.assert_blocks(lint, "CWB104")
        h.assert_contained(attack, lint, (h.BUILD_SECRET,))
        h.assert_blocks(review, "CWR201")
        h.assert_contained(attack, review, (h.AWS_KEY,))


def test_review_comment_formats_mask_secrets(attack) -> None:
    """The pull-request formats carry source lines and suggestions: the secret is masked there too."""
    diff = ("--diff", "main...HEAD", "--repo", "owner/repo", "--pr", "7")
    formats = ("github-review", "codecommit", "gitlab-discussions")
    commands = [
        (command, "--isolated", "--format", fmt, *diff, ".") for fmt in formats for command in ("lint", "review")
    ]
    runs = h.run_codeward_many(attack, *commands, own_home=True)
    for lint, review in zip(runs[::2], runs[1::2], strict=True):
        h.assert_blocks(lint, "CWB104")
        h.assert_contained(attack, lint, (h.BUILD_SECRET,))
        h.assert_blocks(review, "CWR201")
        h.assert_contained(attack, review, (h.AWS_KEY,))
        assert "AKIA" + "*" * 4 in review.stdout, review.args  # the masked form is what the comment shows


def test_the_source_line_is_shown_masked(attack) -> None:
    lint, review = h.run_codeward_many(
        attack, ("lint", "--isolated", "buildspec.yml"), ("review", "--isolated", "app.py")
    )
    assert f"    API_TOKEN: {h.BUILD_SECRET[:4]}{'*' * (len(h.BUILD_SECRET) - 4)}\n" in lint.stdout
    # The span and the same value elsewhere on the line (the comment) are both masked.
    assert f'KEY = "AKIA{"*" * 16}"  # AKIA{"*" * 16}' in review.stdout


def test_simulate_masks_plain_text_secrets_in_its_tables(attack) -> None:
    runs = h.run_codeward_many(
        attack, *(("simulate", "--isolated", "--format", fmt, "buildspec.yml") for fmt in ("text", "json"))
    )
    for run in runs:
        assert run.code == 0, (*run.args, run.stdout, run.stderr)
        assert "API_TOKEN" in run.stdout, run.args
        h.assert_contained(attack, run, (h.BUILD_SECRET,))


def test_execute_passes_a_minimal_environment(tmp_path) -> None:
    buildspec = (
        "version: 0.2\nenv:\n  variables:\n"
        f"    API_TOKEN: {h.BUILD_SECRET}\n"
        "phases:\n  build:\n    commands:\n"
        '      - echo "token=[$GITHUB_TOKEN] api=[$API_TOKEN]"\n'
        "      - env | cut -d= -f1 | sort > names.txt\n"
    )
    attack = h.attacker_pr(tmp_path, {"buildspec.yml": h.BASE_BUILDSPEC}, {"buildspec.yml": buildspec})
    env = {"GITHUB_TOKEN": CI_TOKEN, "AWS_SECRET_ACCESS_KEY": "aws/" + h.BUILD_SECRET[::-1]}
    run = h.run_codeward(attack, "simulate", "--isolated", "--execute", "buildspec.yml", env=env)
    assert run.code == 0, run.stdout + run.stderr
    assert f"token=[] api=[wJal{'*' * (len(h.BUILD_SECRET) - 4)}]" in run.stdout
    names = (attack.repo / "names.txt").read_text().split()
    assert "GITHUB_TOKEN" not in names and "AWS_SECRET_ACCESS_KEY" not in names and "PATH" in names
    h.assert_contained(attack, run, (h.BUILD_SECRET, CI_TOKEN, env["AWS_SECRET_ACCESS_KEY"]))
    # Named, a variable is passed on, and still never printed.
    run = h.run_codeward(attack, "simulate", "--isolated", "--execute", "--pass-env", "GITHUB_TOKEN", "buildspec.yml",
                       env=env)  # fmt: skip
    assert run.code == 0 and f"token=[ghp_{'*' * (len(CI_TOKEN) - 4)}]" in run.stdout, run.stdout
    assert "GITHUB_TOKEN" in (attack.repo / "names.txt").read_text().split()
    h.assert_contained(attack, run, (h.BUILD_SECRET, CI_TOKEN))


def test_a_buildspec_cannot_ask_for_the_ci_tokens_by_declaring_them(tmp_path) -> None:
    # parameter-store values may be supplied by exporting them, but only under names passed on.
    buildspec = (
        "version: 0.2\nenv:\n  parameter-store:\n    GITHUB_TOKEN: /ci/token\n"
        'phases:\n  build:\n    commands:\n      - echo "[$GITHUB_TOKEN]" > seen.txt\n'
    )
    attack = h.attacker_pr(tmp_path, {"buildspec.yml": h.BASE_BUILDSPEC}, {"buildspec.yml": buildspec})
    run = h.run_codeward(attack, "simulate", "--isolated", "--execute", "buildspec.yml", env={"GITHUB_TOKEN": CI_TOKEN})
    assert run.code == 1 and "CWB209" in run.stdout  # unresolved: the build does not run
    assert not (attack.repo / "seen.txt").exists()
    h.assert_contained(attack, run, (CI_TOKEN,))
