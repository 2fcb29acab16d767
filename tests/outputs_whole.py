"""Every finding of a reviewed or linted text stated whole (span, severity, message, notes, data flow, fix),
kept in tests/outputs_whole_expected.py and compared by the tests that review or lint the text.

The data-flow tables (tests/test_dataflow*.py) state the lines and codes a program gives, the corpora
(tests/corpus, tests/reviewer_corpus) the codes or positions; mutation testing (bench/mutation-report.md)
showed that the rest (a trace's steps, a message's wording, a span's end, a note) could change unnoticed. A
test hands what it reviewed to `check_whole`, which compares it with the table when the text is there.

The tests never write the table. After a deliberate change of what the reviewer or the linter reports,
regenerate it and read the diff before committing it:

    .venv/bin/python -m tests.outputs_whole --write && git diff tests/outputs_whole_expected.py

The regeneration runs the tests listed in TESTS with CODEWARD_WHOLE_RECORD set: `check_whole` then records
what each text gives instead of comparing. A text is found by its kind, name and a checksum of its content,
so editing one case never shifts another's entry. A text not in the table fails its test, saying to
regenerate: a new or edited case is stated whole from the start, never silently left uncompared."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Any

EXPECTED_FILE = Path(__file__).with_name("outputs_whole_expected.py")
RECORD = "CODEWARD_WHOLE_RECORD"
TESTS = (
    "tests/test_dataflow.py",
    "tests/test_dataflow_details.py",
    "tests/test_dataflow_calls.py",
    "tests/test_dataflow_guards.py",
    "tests/test_dataflow_sources.py",
    "tests/test_dataflow_validated.py",
    "tests/test_dataflow_archives.py",
    "tests/test_dataflow_ast.py",
    "tests/test_review_rule_details.py",
    "tests/test_lint_rule_details.py",
    "tests/test_reviewer_corpus.py",
    "tests/test_corpus.py",
    "tests/test_rule_cases.py",
    "tests/test_reviewer_rules.py",
)


def text_key(kind: str, name: str, text: str) -> str:
    return f"{kind} {name} {zlib.crc32(text.encode('utf-8', 'surrogateescape')):08x}"


def _span(span: Any) -> tuple[int, int, int, int]:
    return (span.line, span.column, span.end_line, span.end_column)


def whole(findings: list[Any], folder: str | None = None) -> list[tuple]:
    """Each finding as a plain tuple, in report order; `folder` (a test's temporary folder, named in some
    messages) is written as <tmp>."""

    def plain(words: str) -> str:
        return words.replace(folder, "<tmp>") if folder else words

    out = []
    for f in findings:
        fix = None
        if f.fix is not None:
            fix = (plain(f.fix.description), tuple((*_span(e.span), plain(e.text)) for e in f.fix.edits))
        flow = tuple((_span(where), plain(what)) for where, what in f.flow)
        notes = tuple(plain(note) for note in f.notes)
        out.append((_span(f.span), f.code, str(f.severity), plain(f.message), notes, flow, fix))
    return out


def case_text(case: Any) -> str:
    """A rule case's files as one text (for its key)."""
    return f"{case.filename}\0{case.source}" + "".join(f"\0{n}\0{t}" for n, t in sorted(case.files.items()))


def check_whole(kind: str, name: str, text: str, findings: list[Any], folder: str | None = None) -> None:
    """Compare the findings `text` gave with the table (or, under the regeneration, record them)."""
    key, found = text_key(kind, name, text), whole(findings, folder)
    folder = os.environ.get(RECORD)
    if folder:
        with open(Path(folder) / f"{os.getpid()}.txt", "a", encoding="utf-8") as out:
            out.write(repr((key, found)) + "\n")
        return
    from tests.outputs_whole_expected import EXPECTED

    # A text missing from the table fails too: left uncompared, a new case (or an edited one, whose checksum
    # changed) would state nothing beyond what its own test picks out of its findings.
    assert key in EXPECTED, (
        f"{name} ({key}) has no entry in tests/outputs_whole_expected.py: a new or edited text; regenerate the "
        "table (.venv/bin/python -m tests.outputs_whole --write), read `git diff tests/outputs_whole_expected.py` "
        "and commit it with the change"
    )
    assert found == EXPECTED[key], (
        f"the findings of {name} ({key}) differ from tests/outputs_whole_expected.py; if the change is meant, "
        "regenerate it (.venv/bin/python -m tests.outputs_whole --write) and read the diff"
    )


def reviewed(path: str, text: str, *args: Any, **options: Any) -> list[Any]:
    """`review_text`, with the whole findings compared with the table (a review with other rules selected or
    other options is not: its findings differ from the default review's)."""
    from codeward.reviewer.review import review_text

    found = review_text(path, text, *args, **options)
    if not args and not options:
        check_whole("review", path, text, found)
    return found


def collect(root: Path) -> dict[str, list[tuple]]:
    """Run TESTS recording every checked text's findings; the same text must give the same findings each
    time it is reviewed."""
    table: dict[str, list[tuple]] = {}
    with tempfile.TemporaryDirectory() as folder:
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-n", "2", "-p", "no:cacheprovider", *TESTS],
            cwd=root, env={**os.environ, RECORD: folder},
        )  # fmt: skip
        if run.returncode != 0:
            raise SystemExit("the tests fail: fix them (or the code) before regenerating the table")
        for record in sorted(Path(folder).iterdir()):
            for line in record.read_text(encoding="utf-8").splitlines():
                key, found = ast.literal_eval(line)
                if table.setdefault(key, found) != found:
                    raise SystemExit(f"{key} gave different findings in two reviews: not deterministic")
    return table


if __name__ == "__main__":
    from tests.findings_whole import render

    text = render(collect(Path(__file__).resolve().parent.parent), "outputs_whole")
    if sys.argv[1:] == ["--write"]:
        EXPECTED_FILE.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
