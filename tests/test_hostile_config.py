"""A pull request controls the checkout's configuration and feedback file. Pinned from the base branch
(`--config`), or ignored (`--isolated`), they cannot silence a finding."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests import hostile as h
from tests.github_api.gitrepo import GIT_ENV, git

BASE_CONFIG = '[project]\nname = "demo"\n\n[tool.codeward]\nextend-exclude = ["vendor/**"]\n'
SILENCING = (
    '[project]\nname = "demo"\n\n[tool.codeward]\nexclude = ["**"]\nignore = ["ALL"]\nfail-on = "error"\n'
    "\n[tool.codeward.reviewer]\nmin-confidence = 1.0\n"
)


def test_a_silencing_configuration_is_harmless_once_pinned(tmp_path) -> None:
    attack = h.attacker_pr(
        tmp_path,
        {"app.py": h.BASE_APP, "buildspec.yml": h.BASE_BUILDSPEC, "pyproject.toml": BASE_CONFIG},
        {
            "app.py": h.PAYLOAD,
            "buildspec.yml": h.SECRET_BUILDSPEC,
            "pyproject.toml": SILENCING,
            "vendor/x.py": h.PAYLOAD,
        },
    )
    # Pinned: the base branch's pyproject.toml, copied under another name outside the checkout.
    pinned = tmp_path / "base-pyproject.toml"
    pinned.write_text(git(attack.repo, "show", "main:pyproject.toml") + "\n")
    naive, review, lint = h.run_codeward_many(
        attack,
        ("review", "--diff", "main...HEAD", "--format", "concise"),
        ("review", "--config", str(pinned), "--diff", "main...HEAD", "--format", "concise"),
        ("lint", "--config", str(pinned), "--diff", "main...HEAD", "--format", "concise"),
    )
    # Trusted, the pull request's configuration switches codeward off: that is why CI must pin it.
    assert naive.code == 0 and naive.stdout == "No files checked.\n", naive.stdout  # everything excluded
    h.assert_blocks(review, "app.py:7:12: CWR102", "CWR201")
    assert "vendor/" not in review.stdout  # the pinned configuration's own excludes apply to the checkout
    h.assert_contained(attack, review, (h.AWS_KEY,))
    h.assert_blocks(lint, "CWB104")
    h.assert_contained(attack, lint, (h.BUILD_SECRET,))


def test_a_codeward_toml_is_accepted_too(tmp_path) -> None:
    attack = h.attacker_pr(tmp_path, {"app.py": h.BASE_APP}, {"app.py": h.PAYLOAD, "pyproject.toml": SILENCING})
    settings = tmp_path / "codeward.toml"
    settings.write_text('select = ["CWR1"]\n')
    run = h.run_codeward(attack, "review", "--config", str(settings), "--format", "concise", ".")
    h.assert_blocks(run, "CWR102")
    assert "CWR201" not in run.stdout  # the pinned selection, not the pull request's, decides
    h.assert_contained(attack, run, (h.AWS_KEY,))


def test_committed_verdicts_hide_nothing_under_isolated_or_config(tmp_path) -> None:
    attack = h.attacker_pr(tmp_path, {"app.py": h.BASE_APP, "pyproject.toml": BASE_CONFIG}, {"app.py": h.PAYLOAD})
    # The attacker computes the fingerprints offline and records every finding as "not useful".
    listed = h.run_codeward(attack, "review", "--format", "json", ".")
    fingerprints = [finding["fingerprint"] for finding in json.loads(listed.stdout)["findings"]]
    assert len(fingerprints) == 2, listed.stdout
    for marked in h.run_codeward_many(attack, *(("feedback", mark, "--not-useful") for mark in fingerprints)):
        assert marked.code == 0, marked.stderr
    git(attack.repo, "add", "-A")
    git(attack.repo, "commit", "-qm", "not useful")
    pinned = tmp_path / "base.toml"
    pinned.write_text(git(attack.repo, "show", "main:pyproject.toml") + "\n")
    naive, isolated, config, named = h.run_codeward_many(
        attack,
        ("review", "--diff", "main...HEAD", "--format", "concise"),
        ("review", "--isolated", "--diff", "main...HEAD", "--format", "concise"),
        ("review", "--config", str(pinned), "--diff", "main...HEAD", "--format", "concise"),
        # Named, a verdicts file counts (here the checkout's own, as a user would name a pinned copy).
        ("review", "--isolated", "--feedback", ".codeward-feedback.json", "."),
    )
    assert naive.code == 0, naive.stdout  # trusted, the checkout's verdicts hide the findings
    for run in (isolated, config):
        h.assert_blocks(run, "CWR102", "CWR201")
        h.assert_contained(attack, run, (h.AWS_KEY,))
    assert named.code == 0, named.stdout


def test_the_workflow_examples_pinning_step_works(tmp_path) -> None:
    import subprocess

    import yaml

    from tests.helpers import ROOT

    workflow = yaml.safe_load((Path(ROOT) / "examples" / "ci" / "github-actions.yml.example").read_text())
    (pin,) = [s for s in workflow["jobs"]["review"]["steps"] if s.get("name", "").startswith("Pin codeward")]
    attack = h.attacker_pr(
        tmp_path,
        {"app.py": h.BASE_APP, "pyproject.toml": BASE_CONFIG},
        {"app.py": h.PAYLOAD, "pyproject.toml": SILENCING},
    )
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    env = {**os.environ, **GIT_ENV, "TRUSTED": git(attack.repo, "rev-parse", "main"), "RUNNER_TEMP": str(temp)}
    done = subprocess.run(["bash", "-c", pin["run"]], cwd=attack.repo, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (temp / "codeward.toml").read_text().strip() == BASE_CONFIG.strip()
    run = h.run_codeward(attack, "review", "--config", str(temp / "codeward.toml"), "--diff", "main...HEAD")
    h.assert_blocks(run, "CWR102", "CWR201")
    h.assert_contained(attack, run, (h.AWS_KEY,))
