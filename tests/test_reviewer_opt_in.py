"""Kinds of findings off by default (judged wrong on real code too often to show even at info), reported when the
rule is asked for by name: `--extend-select CODE`, `--select CODE`, a prefix, or ALL."""

from __future__ import annotations

from pathlib import Path

import pytest
from codeward.reviewer.measured import opt_in_code

from tests.test_reviewer_defaults import review

# CWR103's "shell command built from a variable" (0 true, 7 false, 2 not worth a comment on real code): here a
# value the function makes itself (a parameter of a function no caller in view calls is shown, below).
SHELL = "import os, tempfile\n\n\ndef rm():\n    os.system('rm -rf ' + tempfile.mkdtemp())\n"
# A local source (the command line) evaluated: CWR104's weak flow (8 of 8 such flows judged wrong).
LOCAL_EVAL = "import sys\n\n\ndef main():\n    return eval(sys.argv[1])\n"
# CWR605 on a value only assumed to be a dict (0 true, 3 false: s3cmd's SortedDict returns a list from keys()).
MAYBE_DICT = "def prune(files):\n    for name in files.keys():\n        if not name:\n            del files[name]\n"
# CWR203 in a docstring: an example, it connects to nothing.
DOCSTRING_URL = 'class URL:\n    """\n    url = URL("https://jo%40e.com:a%20secret@example.de:1234/p")\n    """\n'


@pytest.mark.parametrize(
    ("source", "code", "line", "asked_severity"),
    [(SHELL, "CWR103", 5, "warning"), (LOCAL_EVAL, "CWR104", 5, "info"), (MAYBE_DICT, "CWR605", 4, "info")],
)
def test_opt_in_findings_are_off_by_default_and_shown_when_the_rule_is_asked(
    tmp_path: Path, source: str, code: str, line: int, asked_severity: str
) -> None:
    files = {"m.py": source}
    assert [f for f in review(tmp_path, files, "--isolated") if f["code"] == code] == []
    for asked in (["--extend-select", code], ["--extend-select", code[:4]], ["--select", "ALL"]):
        found = [(f["line"], f["severity"]) for f in review(tmp_path, files, "--isolated", *asked) if f["code"] == code]
        assert found == [(line, asked_severity)], asked
    # Ignoring the rule ignores its opt-in findings too.
    ignored = review(tmp_path, files, "--isolated", "--select", "ALL", "--ignore", code)
    assert [f for f in ignored if f["code"] == code] == []


def test_the_opt_in_name_starts_with_the_rule_code() -> None:
    # Prefix selection (`CWR1`, `CWR103`) and per-file ignores match it because of that.
    assert opt_in_code("CWR103").startswith("CWR103") and opt_in_code("CWR103") != "CWR103"


def test_a_password_in_a_docstring_url_is_not_reported(tmp_path: Path) -> None:
    assert [f for f in review(tmp_path, {"m.py": DOCSTRING_URL}, "--isolated", "--select", "ALL")
            if f["code"] == "CWR203"] == []  # fmt: skip


# Shown by default, at info: a parameter taken as outside input from its name (CWR107's inferred flow, none judged
# on real code), and CWR103's command line naming its program formatted from a parameter no caller in view passes.
INFERRED = "def do_open(user_input):\n    with open(user_input) as f:\n        return f.read()\n"
UNCALLED = "import os\n\n\ndef rm(p):\n    os.system('rm -rf ' + p)\n"
# CWR103's command line for a project's runner whose code is not in view, formatted from a value not quoted (a file
# name from a listing; 2026-12-07: 15 of the validation half's command cases, no judged-false finding left on real
# code once base64 and digests count as quoted), and CWR102's tool's own command line into a shell, unquoted.
RUNNER = "def hook():\n    for name in get_lines('git diff'):\n        cmd = 'git show :%s' % name\n        get_output(cmd)\n"
LOCAL_SHELL = "import subprocess, sys\nsubprocess.run('ls ' + sys.argv[1], shell=True, timeout=5)\n"


@pytest.mark.parametrize(
    ("source", "code", "line"),
    [(INFERRED, "CWR107", 2), (UNCALLED, "CWR103", 5), (RUNNER, "CWR103", 4), (LOCAL_SHELL, "CWR102", 2)],
)
def test_weak_findings_shown_by_default_at_info(tmp_path: Path, source: str, code: str, line: int) -> None:
    for asked in ([], ["--extend-select", code]):
        found = [(f["line"], f["severity"]) for f in review(tmp_path, {"m.py": source}, "--isolated", *asked)
                 if f["code"] == code]  # fmt: skip
        assert found == [(line, "info")], asked
