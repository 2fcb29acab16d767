"""tests/outputs_whole.py's comparison: a text's findings must equal its entry, and a text with no entry fails
(a new or edited case is never silently left uncompared)."""

from __future__ import annotations

import pytest
from codeward.reviewer.review import review_text

from tests import outputs_whole, outputs_whole_expected
from tests.outputs_whole import check_whole, text_key, whole

SOURCE = "import os\nfrom flask import request\n\nos.system(request.args['c'])\n"


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.delenv(outputs_whole.RECORD, raising=False)
    entries: dict = {}
    monkeypatch.setattr(outputs_whole_expected, "EXPECTED", entries)
    return entries


def test_a_text_with_no_entry_fails_and_says_how_to_regenerate(table: dict) -> None:
    found = review_text("case.py", SOURCE)
    with pytest.raises(AssertionError) as failure:
        check_whole("review", "case.py", SOURCE, found)
    message = str(failure.value)
    assert message.startswith(f"case.py ({text_key('review', 'case.py', SOURCE)}) has no entry in ")
    assert "python -m tests.outputs_whole --write" in message
    assert "git diff tests/outputs_whole_expected.py" in message


def test_a_text_is_compared_with_its_entry(table: dict) -> None:
    found = review_text("case.py", SOURCE)
    assert [f.code for f in found] == ["CWR102"]
    table[text_key("review", "case.py", SOURCE)] = whole(found)
    check_whole("review", "case.py", SOURCE, found)  # equal: passes
    span, code, severity, message, notes, flow, fix = whole(found)[0]
    table[text_key("review", "case.py", SOURCE)] = [(span, code, severity, message + ".", notes, flow, fix)]
    with pytest.raises(AssertionError, match=r"the findings of case\.py \(review case\.py [0-9a-f]{8}\) differ"):
        check_whole("review", "case.py", SOURCE, found)
    # Another kind or name of the same text is another entry.
    with pytest.raises(AssertionError, match="has no entry"):
        check_whole("review-file", "case.py", SOURCE, found)
