"""The one masking step, exactly: what each function keeps, stars and leaves alone (tests/test_hostile_masking.py
checks every output format end to end)."""

from __future__ import annotations

from codeward.findings import Finding, Severity, Span
from codeward.masking import Masker, known_tokens, mask_segment, mask_value, scrub_tokens


def test_mask_value_keeps_a_quarter_and_at_most_four() -> None:
    assert mask_value("") == ""
    assert mask_value("abc") == "***"  # a quarter of 3 is 0 characters
    assert mask_value("abcdefgh") == "ab******"
    assert mask_value("abcdefghijklmnop") == "abcd" + "*" * 12
    assert mask_value("AKIAIOSFODNN7QWERTYZ") == "AKIA" + "*" * 16  # four at most


def test_mask_segment_keeps_the_literals_shape_on_its_first_line() -> None:
    assert mask_segment("", True) == ""
    assert mask_segment('"abcdefghijkl"', True) == '"abc*********"'
    assert mask_segment("'abcdefgh'", True) == "'ab******'"
    assert mask_segment('b"abcdefgh"', True) == 'b"ab******"'
    assert mask_segment('rb"abcdefgh"', True) == 'rb"ab******"'
    assert mask_segment('"""abcdefghijklmnop"""', True) == '"""abcd************"""'
    assert mask_segment('"abcdefgh', True) == '"ab******'  # the span ends before the closing quote
    assert mask_segment("abcdefghijklmnop", True) == "abcd" + "*" * 12  # no quote: nothing kept as prefix
    assert mask_segment("bcdefghi", True) == "bc******"  # a prefix letter without a quote is text
    # Later lines of a multi-line span: everything starred, quotes included.
    assert mask_segment('abcdefgh"""', False) == "*" * 11


def test_masker_spans_mask_their_lines_and_teach_the_values() -> None:
    masker = Masker()
    finding = Finding("CWR201", "m", "app.py", Span(2, 7, 2, 29), Severity.ERROR)
    other = Finding("CWR102", "m", "app.py", Span(1, 1, 1, 5), Severity.ERROR)
    masker.add_findings([finding, other], lambda code: code == "CWR201")
    assert masker.spans == {"app.py": [Span(2, 7, 2, 29)]}
    lines = ["import os", 'KEY = "AKIAIOSFODNN7QWERTYZ"  # AKIAIOSFODNN7QWERTYZ', "print(KEY)"]
    masker.learn_values("app.py", lines)
    assert masker.values == {"AKIAIOSFODNN7QWERTYZ"}
    masked = masker.lines("app.py", list(lines))
    assert masked == ["import os", f'KEY = "AKIA{"*" * 16}"  # AKIA{"*" * 16}', "print(KEY)"]
    # Elsewhere: another file's line, free text, a JSON document (keys too).
    assert masker.lines("other.py", ["x = 'AKIAIOSFODNN7QWERTYZ'"]) == [f"x = 'AKIA{'*' * 16}'"]
    assert masker.text("key AKIAIOSFODNN7QWERTYZ.") == f"key AKIA{'*' * 16}."
    document = {"AKIAIOSFODNN7QWERTYZ": ["AKIAIOSFODNN7QWERTYZ", 3, None, ("x",)], 7: "ok"}
    assert masker.data(document) == {f"AKIA{'*' * 16}": [f"AKIA{'*' * 16}", 3, None, ["x"]], 7: "ok"}


def test_a_span_over_several_lines() -> None:
    masker = Masker()
    masker.add_span("a.yml", Span(1, 8, 3, 9))
    lines = ["token: |", "  abcdefghijkl", "  mnopqrstuv", "next: 1"]
    lines[0] = "token: abcdefghij"
    masker.learn_values("a.yml", lines)
    # The span ends before column 9 of line 3: "mnopqr" is in it, "stuv" is not.
    assert masker.values == {"abcdefghij", "abcdefghijkl", "mnopqr"}
    assert masker.lines("a.yml", list(lines)) == ["token: ab********", "  ************", "  ******stuv", "next: 1"]


def test_a_span_past_the_end_of_the_file_is_cut_to_it() -> None:
    masker = Masker()
    masker.add_span("a.txt", Span(2, 1, 9, 1))
    assert masker.lines("a.txt", ["keep", "abcdefgh"]) == ["keep", "ab******"]


def test_values_shorter_than_six_are_not_learned_and_longer_ones_win() -> None:
    masker = Masker()
    for value in ("  abcde  ", "abcdef", "abcdefghijkl", "abcdef"):
        masker.add_value(value)
    assert masker.values == {"abcdef", "abcdefghijkl"}
    # The longer value first, so that a secret containing a shorter one is masked whole.
    assert masker.text("abcdefghijkl and abcdef") == "abc********* and a*****"
    assert Masker().text("abcdef") == "abcdef"
    assert Masker().data({"a": "abcdef"}) == {"a": "abcdef"}
    assert masker.text("") == ""


def test_values_added_after_use_are_masked_too() -> None:
    masker = Masker()
    masker.add_value("abcdefgh")
    assert masker.text("abcdefgh 12345678") == "ab****** 12345678"
    masker.add_value("12345678")
    assert masker.text("abcdefgh 12345678") == "ab****** 12******"


def test_known_tokens_come_from_the_token_variables_only() -> None:
    env = {"GITHUB_TOKEN": "ghp_abcdefghijklmnop", "GITLAB_TOKEN": "  abc  ", "HOME": "/root/abcdefgh",
           "AWS_SESSION_TOKEN": "sessiontoken123"}  # fmt: skip
    assert known_tokens(env) == ["ghp_abcdefghijklmnop", "sessiontoken123"]
    assert known_tokens({}) == []


def test_scrub_tokens_removes_every_spelling(monkeypatch) -> None:
    token = "tok\r\nen-abcdefgh"
    text = f"raw {token} | repr {token!r} | stripped line en-abcdefgh"
    assert scrub_tokens(text, [token]) == "raw *** | repr '***' | stripped line ***"
    assert scrub_tokens("tok alone", [token]) == "tok alone"  # a line of it shorter than six is left
    assert scrub_tokens('header "ghp_abcdefghijkl"', ["ghp_abcdefghijkl"]) == 'header "***"'
    assert scrub_tokens(repr("ghp_\xff1234".encode()), ["ghp_\xff1234"]) == "b'***'"  # as bytes print it
    assert scrub_tokens("short abc", ["abc"]) == "short abc"
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_fromtheenvironment")
    assert scrub_tokens("token ghp_fromtheenvironment") == "token ***"


# -- cases the first mutation run showed no test distinguished (bench/mutation-report.md) ------------------------


def test_mask_segment_edge_shapes() -> None:
    assert mask_segment("'''abcdefghijklmnop'''", True) == "'''abcd************'''"  # triple single quotes
    assert mask_segment("XYZabcdefghijklmnopq", True) == "XYZa" + "*" * 16  # a letter that is no quote is text
    # Prefix letters not followed by a quote are text: nothing of them is kept as a prefix.
    assert mask_segment("bufferXYZ12345", True) == "buf***********"
    assert mask_segment("abcdXXXX", False) == "********"  # a later line keeps nothing


def test_learn_values_takes_exactly_the_spans_text() -> None:
    masker = Masker()
    masker.add_span("a.py", Span(1, 5, 2, 13))
    masker.learn_values("a.py", ['KEY="AKIAIOSFODNN7QWERTYZ', "abcdefghijkl + rest"])
    assert masker.values == {"AKIAIOSFODNN7QWERTYZ", "abcdefghijkl"}


def test_longer_values_are_masked_first_whatever_their_letters() -> None:
    masker = Masker()
    masker.add_value("zabcdef")
    masker.add_value("xxzabcdefyy")  # holds the shorter one, and sorts before it alphabetically
    assert masker.text("xxzabcdefyy zabcdef") == "xx********* z******"


def test_a_token_of_exactly_six_characters_counts() -> None:
    assert known_tokens({"GITHUB_TOKEN": "abcdef", "GH_TOKEN": "abcde"}) == ["abcdef"]
    assert scrub_tokens("x abcdef y", ["abcdef"]) == "x *** y"
    assert scrub_tokens("x abcdef y", ["abcdef\nghijklmn"]) == "x *** y"  # a line of six


def test_scrub_tokens_each_escaped_spelling_on_its_own() -> None:
    # repr of the text (é stays, \x01 is escaped) differs from repr of its bytes and from JSON.
    token = "tok\xe9n\x01abcdefgh"
    assert scrub_tokens(f"got {token!r}", [token]) == "got '***'"
    json_token = "tok\xe9n-abcdefgh"  # JSON writes é as \u00e9, repr keeps it
    assert scrub_tokens('{"h": "tok\\u00e9n-abcdefgh"}', [json_token]) == '{"h": "***"}'
    # Lines: a carriage return ends one as a newline does; spaces do not.
    assert scrub_tokens("line ijklmnop", ["abcdefgh\rijklmnop"]) == "line ***"
    assert scrub_tokens("abcdef alone", ["abcdef ghijkl"]) == "abcdef alone"
    # The longest spelling first: the stripped token inside the raw one does not leave the spaces behind.
    assert scrub_tokens("[ abcdefgh ]", [" abcdefgh "]) == "[***]"
