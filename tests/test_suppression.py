"""Suppression comments parsed exactly: codeward's own (`#` and `//`), and bandit's, ruff's and SonarQube's,
in the process (the reviewer reads the foreign ones in its worker processes, where a mutation run cannot
see which tests reach them)."""

from __future__ import annotations

from codeward.suppress import Suppression, find_foreign, find_suppressions, is_suppressed, same_problem


def parsed(text: str) -> list[tuple[int, int, frozenset[str] | None, int]]:
    return [(s.line, s.column, s.codes, s.covers) for s in find_suppressions(text)]


def test_codeward_comments_their_codes_and_the_lines_they_cover() -> None:
    text = (
        "a: 1  # codeward: ignore[cwb101, CWB104 ,]\n"  # trailing: its own line only; codes upper-cased, blanks dropped
        "  # codeward: ignore\n"  # alone: this line and the next; every code
        "b: 2\n"
        "c: 3 #codeward:ignore[CWB1]\n"
        '"d": 4 // codeward: ignore[CWA111]\n'
        "  // codeward:   ignore[CWF]\n"
    )
    assert parsed(text) == [
        (1, 7, frozenset({"CWB101", "CWB104"}), 1),
        (2, 3, None, 3),
        (4, 6, frozenset({"CWB1"}), 4),
        (5, 8, frozenset({"CWA111"}), 5),
        (6, 3, frozenset({"CWF"}), 7),
    ]


def test_other_text_mentioning_codeward_is_not_a_suppression_and_does_not_stop_the_scan() -> None:
    text = "# codeward: see docs\nx: 1\ny: 2  # codeward: ignore[CWB101]\n# codeward ignore\n"
    assert parsed(text) == [(3, 7, frozenset({"CWB101"}), 3)]
    assert find_suppressions("nothing here\n") == []


def test_is_suppressed_matches_prefixes_on_the_covered_lines_and_records_use() -> None:
    (trailing, alone) = find_suppressions("a  # codeward: ignore[CWB1]\n# codeward: ignore\nb\nc\n")
    suppressions = [trailing, alone]
    assert is_suppressed(suppressions, "CWB104", 1)
    assert trailing.used == {"CWB104"}
    assert not is_suppressed([trailing], "CWA104", 1)  # another prefix
    assert not is_suppressed([trailing], "CWB104", 2)  # a trailing comment covers its own line only
    assert is_suppressed([alone], "CWA101", 3) and is_suppressed([alone], "CWP1", 2)
    assert not is_suppressed([alone], "CWA101", 4)
    assert alone.used == {"CWA101", "CWP1"}
    assert Suppression(1, 1, None, 1).matches("ANY")


def foreign(text: str) -> list[tuple[int, int, str | None, frozenset[str] | None]]:
    return [(s.line, s.column, s.foreign, s.foreign_ids) for s in find_foreign(text)]


def test_bandit_ruff_and_sonar_comments() -> None:
    text = (
        "run(cmd, shell=True)  # nosec\n"
        "run(cmd, shell=True)  # nosec B602, b607\n"
        "run(cmd, shell=True)  # nosec: B602\n"
        "run(cmd, shell=True)  # noqa: S602, E501,S607\n"
        "run(cmd, shell=True)  # noqa: E501\n"  # no bandit code: nothing to map
        "run(cmd, shell=True)  # NOSONAR\n"
        "x = 'NOSONAR'\n"  # not in a comment
        "y = 1  # nosec B602 # noqa: S607\n"
    )
    assert foreign(text) == [
        (1, 23, "nosec", None),
        (2, 23, "nosec B602, B607", frozenset({"B602", "B607"})),
        (3, 23, "nosec B602", frozenset({"B602"})),
        (4, 23, "noqa: S602, S607", frozenset({"S602", "S607"})),
        (6, 25, "NOSONAR", None),  # at the word itself
        (8, 8, "nosec B602", frozenset({"B602"})),
        (8, 21, "noqa: S607", frozenset({"S607"})),
    ]
    for s in find_foreign(text):
        assert s.codes == frozenset() and s.covers == s.line
    assert find_foreign("x = 1  # an ordinary comment\n") == []


def test_each_marker_alone_is_found() -> None:
    assert foreign("a()  # nosec\n") == [(1, 6, "nosec", None)]
    assert foreign("a()  # noqa: S101\n") == [(1, 6, "noqa: S101", frozenset({"S101"}))]
    assert foreign("a()  # NOSONAR\n") == [(1, 8, "NOSONAR", None)]


def test_noqa_takes_only_bandit_numbers_in_either_case() -> None:
    assert foreign("a()  # noqa: s602, X100, SA603\n") == [(1, 6, "noqa: S602", frozenset({"S602"}))]


def test_nosonar_counts_only_in_a_comment() -> None:
    text = "# a comment\nx = 'NOSONAR'\ny = 'NOSONAR'  # NOSONAR\n"
    assert foreign(text) == [(3, 18, "NOSONAR", None)]


def test_simulate_and_lint_codes_for_one_problem() -> None:
    assert same_problem("CWA104") == ("CWA104", "CWA204")
    assert same_problem("CWA204") == ("CWA204", "CWA104")
    assert same_problem("CWA106") == ("CWA106", "CWA205", "CWA206")
    assert same_problem("CWA205") == ("CWA205", "CWA106", "CWA206")
    assert same_problem("CWB101") == ("CWB101",)
    (suppression,) = find_suppressions("x  # codeward: ignore[CWA104]\n")
    assert suppression.matches("CWA204") and not suppression.matches("CWA205")
