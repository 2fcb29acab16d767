"""Values that reach a sink from a function's parameters, where no caller is in view (function-level code:
a library's helper, a fixing commit's function): how the shape rules judge what the function builds from them.
Each construct has a vulnerable and a safe variant, and the tests state exactly which lines are reported."""

from __future__ import annotations

import textwrap

import pytest
from codeward.reviewer.review import review_text

HEAD = "import os, shlex, subprocess\n"


def lines(body: str, code: str) -> list[int]:
    """Lines (counted within the dedented `body`) reported with `code`."""
    findings = review_text("case.py", HEAD + textwrap.dedent(body))
    offset = HEAD.count("\n")
    return sorted(f.line - offset for f in findings if f.code == code)


# -- a command built with `+=` ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("added", "expected"),
    [
        ("cmd += path", [4]),  # the parameter goes in unquoted
        ("cmd += ' ' + path", [4]),
        ("cmd += shlex.quote(path)", []),
        ("cmd += ' -l'", []),  # constants only: the module's own command
    ],
)
def test_a_command_built_with_augmented_assignment(added: str, expected: list[int]) -> None:
    body = f"def listing(path):\n    cmd = 'ls '\n    {added}\n    os.system(cmd)\n"
    assert lines(body, "CWR103") == expected


def test_a_command_extended_in_a_loop_and_a_branch() -> None:
    body = """\
    def remove(files, force):
        cmd = "rm"
        if force:
            cmd += " -f"
        for name in files:
            cmd += " " + name
        subprocess.call(cmd, shell=True)


    def remove_constant(force):
        cmd = "rm"
        if force:
            cmd += " -f"
        cmd += " /tmp/cache"
        subprocess.call(cmd, shell=True)
    """
    assert lines(body, "CWR103") == [7]
