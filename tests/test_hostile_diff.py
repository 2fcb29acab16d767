"""Attacks on `--diff`: a pull request that tries to make `review --diff` / `lint --diff` see nothing.

Each test is the attacker's pull request in a real git repository (base on `main`, the attack committed on
top), codeward run as CI runs it, and the same four checks: the finding is still reported, the run exits 1,
nothing outside the repository is read or written, and no secret appears in the output."""

from __future__ import annotations

from tests import hostile as h

REVIEW = ("review", "--isolated", "--diff", "main...HEAD", "--format", "concise")
LINT = ("lint", "--isolated", "--diff", "main...HEAD", "--format", "concise")


def _review(attack):
    return h.run_codeward(attack, *REVIEW)


def _lint(attack):
    return h.run_codeward(attack, *LINT)


def test_gitattributes_cannot_turn_the_diff_binary(tmp_path) -> None:
    # `*.py -diff` and `*.yml binary` make git print "Binary files differ" for both files.
    attack = h.attacker_pr(
        tmp_path,
        {"app.py": h.BASE_APP, "buildspec.yml": h.BASE_BUILDSPEC},
        {"app.py": h.PAYLOAD, "buildspec.yml": h.SECRET_BUILDSPEC, ".gitattributes": "*.py -diff\n*.yml binary\n"},
    )
    review, lint = h.run_codeward_many(attack, REVIEW, LINT)
    h.assert_blocks(review, "CWR102", "CWR201")
    h.assert_contained(attack, review, (h.AWS_KEY,))
    h.assert_blocks(lint, "CWB104")
    h.assert_contained(attack, lint, (h.BUILD_SECRET,))


def test_bare_carriage_returns_map_onto_gits_lines(tmp_path) -> None:
    # git sees one line where Python and codeward see seven: the finding sits on codeward's line 8.
    payload = "import os\n" + h.INJECTION.replace("\n", "\r")
    attack = h.attacker_pr(tmp_path, {"app.py": "import os\n"}, {"app.py": payload})
    run = _review(attack)
    h.assert_blocks(run, "app.py:8:12: CWR102")
    h.assert_contained(attack, run)


def test_utf16_file_counts_as_a_whole(tmp_path) -> None:
    # git splits UTF-16 on bytes inside characters: its line numbers mean nothing, so the file counts whole.
    attack = h.attacker_pr(
        tmp_path, {"buildspec.yml": h.BASE_BUILDSPEC}, {"buildspec.yml": h.SECRET_BUILDSPEC.encode("utf-16")}
    )
    run = _lint(attack)
    h.assert_blocks(run, "buildspec.yml:4:16: CWB104")
    h.assert_contained(attack, run, (h.BUILD_SECRET,))


def test_a_huge_line_elsewhere_cannot_hide_the_file(tmp_path) -> None:
    # Appending 5 MiB makes the file "too large, skipped", a finding at 1:1 on a line that did not change.
    padding = "#" + "x" * (5 * 1024 * 1024) + "\n"
    attack = h.attacker_pr(
        tmp_path,
        {"app.py": h.BASE_APP, "buildspec.yml": h.BASE_BUILDSPEC},
        {"app.py": h.BASE_APP + h.PAYLOAD + padding, "buildspec.yml": h.SECRET_BUILDSPEC + padding},
    )
    review, lint = h.run_codeward_many(attack, REVIEW, LINT)
    h.assert_blocks(review, "app.py:1:1: CWR003")
    h.assert_contained(attack, review, (h.AWS_KEY,))
    h.assert_blocks(lint, "buildspec.yml:1:1: CWF005")
    h.assert_contained(attack, lint, (h.BUILD_SECRET,))


def test_a_syntax_error_on_an_unchanged_line_is_kept(tmp_path) -> None:
    # An added line that opens a bracket closed nowhere: the syntax error is reported on the old last line.
    base = h.BASE_APP + "\n\nVALUE = 1\n"
    attack = h.attacker_pr(tmp_path, {"app.py": base}, {"app.py": h.PAYLOAD + "call = dict(\n" + base})
    run = _review(attack)
    h.assert_blocks(run, "CWR001")
    h.assert_contained(attack, run, (h.AWS_KEY,))


def test_changing_only_the_source_line_of_a_flow_is_enough(tmp_path) -> None:
    # The sink line is unchanged; the pull request only makes its argument come from the request.
    base = (
        "import subprocess\n\nfrom flask import request\n\n\ndef run():\n"
        '    command = "ls"\n    return subprocess.run(command, shell=True, timeout=5)\n'
    )
    attack = h.attacker_pr(tmp_path, {"app.py": base}, {"app.py": base.replace('"ls"', 'request.args["c"]')})
    run = _review(attack)
    h.assert_blocks(run, "app.py:8:12: CWR102")
    h.assert_contained(attack, run)


def test_binary_looking_file_is_reported_not_skipped(tmp_path) -> None:
    # A NUL byte makes the file binary for every reader: "not reviewed" is a finding, whatever line changed.
    attack = h.attacker_pr(tmp_path, {"app.py": h.BASE_APP}, {"app.py": h.BASE_APP + h.PAYLOAD + "# \0\n"})
    run = _review(attack)
    h.assert_blocks(run, "CWR003")
    h.assert_contained(attack, run, (h.AWS_KEY,))


def test_a_deep_chain_elsewhere_cannot_hide_the_file(tmp_path) -> None:
    # Nesting too deep to review is reported for the whole file (1:1 when CPython itself gives up), kept
    # whatever line it sits on.
    chain = "x = " + "+".join(["a"] * 10_000) + "\n"
    attack = h.attacker_pr(tmp_path, {"app.py": h.BASE_APP}, {"app.py": h.BASE_APP + h.PAYLOAD + chain})
    run = _review(attack)
    h.assert_blocks(run, "app.py:", "CWR003")
    h.assert_contained(attack, run, (h.AWS_KEY,))
