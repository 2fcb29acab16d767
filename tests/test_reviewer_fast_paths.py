"""Shortcuts the review takes for speed decide exactly as the slow path they skip.

CWR120 reads a project's query helper from the printed text of the callee (`db.run_query(...)`); printing
every call of a file was a large part of the rule's time, so a plain name or attribute is decided from its
name alone. These cases pin the forms where the printed text differs from the name (parentheses, blanks,
comments, line continuations, text shortened past 80 characters): each was checked against the review
before the shortcut existed.
"""

from __future__ import annotations

import pytest
from codeward.reviewer.review import review_text

# The statement is a module constant: a callee named like a query helper reads SQL text anywhere in reach, any
# other callee only text written in its own function (none here), so the name alone decides.
_HEAD = "DELETE = 'DELETE FROM sessions WHERE uid = %s'\n"
_DELETE = "(DELETE % user)\n"

CASES = {
    "attribute": ("def purge(db, user):\n    db.run_query" + _DELETE, "db.run_query()"),
    "parenthesized": ("def purge(db, user):\n    (db.run_query)" + _DELETE, "(db.run_query)()"),
    "blanks around the dot": ("def purge(db, user):\n    db . run_query" + _DELETE, "db . run_query()"),
    "comment after the dot": (
        "def purge(db, user):\n    (db.  # the helper\n        run_query)" + _DELETE,
        "(db. # the helper run_query)()",
    ),
    # The printed callee is what follows the last dot, here inside the comment: it names a query helper.
    "comment naming a query": (
        "def purge(db, user):\n    (db.  # query\n        run)" + _DELETE,
        "(db. # query run)()",
    ),
    # ... and here after the name, before the closing parenthesis.
    "comment before the parenthesis": (
        "def purge(db, user):\n    (db.run  # query\n    )" + _DELETE,
        "(db.run # query )()",
    ),
    "line continuation": ("def purge(db, user):\n    db.\\\n        run_query" + _DELETE, "db.\\ run_query()"),
    "bare name": ("def purge(user):\n    run_sql" + _DELETE, "run_sql()"),
    "not a helper": ("def purge(db, user):\n    db.run" + _DELETE, None),
    # Printed text over 80 characters is shortened to end in "...": nothing follows its last dot.
    "shortened": ("def purge(db, user):\n    db." + "a" * 90 + ".run_query" + _DELETE, None),
}


@pytest.mark.parametrize("name", CASES)
def test_query_helper_callee_is_read_as_printed(name: str) -> None:
    source, callee = CASES[name]
    found = [
        (f.code, f.span.line, f.span.column, f.message) for f in review_text("x.py", _HEAD + source, "CWR120".__eq__)
    ]
    expected = []
    if callee is not None:
        message = f"{callee} runs SQL built by formatting `user` into the text (CWE-89)"
        expected = [("CWR120", 3, 5, message)]
    assert found == expected


def test_review_workers_collect_garbage_less_often() -> None:
    """A review worker raises the collector's first threshold to GC_THRESHOLD (never lowers it), keeping the
    other two: at Python's default of 700, full collections were a fifth of Django's review time."""
    import gc

    from codeward.reviewer import review

    saved = gc.get_threshold()
    try:
        gc.set_threshold(700, 11, 12)
        review.collect_less_often()
        assert gc.get_threshold() == (10_000, 11, 12)
        gc.set_threshold(50_000, 11, 12)
        review.collect_less_often()
        assert gc.get_threshold() == (50_000, 11, 12)
    finally:
        gc.set_threshold(*saved)


def test_a_reviewed_file_s_analyses_are_freed_without_the_cyclic_collector(tmp_path) -> None:
    """Each analysis refers back to its module's ModuleInfo: unless the review's end breaks that cycle, the
    file's tree and values wait for the cyclic collector, whose runs then traverse them all (a twentieth of
    Django's review)."""
    import gc
    import weakref

    from codeward.reviewer.dataflow.engine import Engine
    from codeward.reviewer.dataflow.models import build_models
    from codeward.reviewer.parse import forget, parse_module

    path = str(tmp_path / "app.py")
    text = "import os\n\ndef run(cmd):\n    os.system(cmd)\n    return cmd\n"
    module = parse_module(text)
    forget()
    engine = Engine(build_models())
    info = engine.start_file(path, module, text)
    function = info.functions["run"]
    assert info.analysis(function) is not None and info.summary(function) is not None
    alive = weakref.ref(info)
    del info
    gc.disable()
    try:
        engine.finish_file(path)
        assert alive() is None
    finally:
        gc.enable()


def test_a_module_reviewed_just_before_is_not_parsed_again_as_a_dependency(tmp_path, monkeypatch) -> None:
    """A reviewed file's tree waits among the recent ones (RECENT_CHARS of text at most): a dependency load
    of the same text takes it instead of parsing; a changed file is parsed again."""
    import os

    from codeward.reviewer import parse
    from codeward.reviewer.dataflow import project as project_module

    parsed: list[str] = []
    real = parse.parse_module
    monkeypatch.setattr(parse, "parse_module", lambda text: parsed.append(text) or real(text))
    project = project_module.Project()
    files = []
    for name in ("a", "b", "c"):
        path = os.path.abspath(tmp_path / f"{name}.py")
        text = f"def {name}(value):\n    return value\n"
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        module = real(text)
        project.add(path, module, text)
        project.reviewed(path)
        files.append((path, text, module))
    loaded = project.load(files[0][0])
    assert loaded is not None and loaded.module is files[0][2] and parsed == []
    assert project.load(files[0][0]) is loaded  # now a dependency like any other
    with open(files[1][0], "w", encoding="utf-8") as handle:
        handle.write("def b(value):\n    return value + 1\n")
    loaded = project.load(files[1][0])
    assert (
        loaded is not None and loaded.module is not files[1][2] and parsed == ["def b(value):\n    return value + 1\n"]
    )
    # At most RECENT_CHARS characters of text are kept: the oldest trees go first.
    monkeypatch.setattr(project_module, "RECENT_CHARS", 2 * len(files[0][1]))
    for path, text, module in files:
        project.add(path, module, text)
        project.reviewed(path)
    assert list(project._recent) == [files[1][0], files[2][0]]
    assert project._recent_chars == 2 * len(files[0][1])


# CWR120 asks what a query passed in a variable was built from. A parameter the function never binds again
# holds its value on entry there (no constant start): the answer is "nothing" without an analysis. Every way
# of binding it again must send the question to the analysis, which sees the SQL text formatted into it.
_REBOUND = {
    "assignment": "    q = 'SELECT * FROM t WHERE a = %s' % a\n",
    "tuple target": "    q, n = 'SELECT * FROM t WHERE a = %s' % a, 1\n",
    "augmented": "    q += ' WHERE a = %s' % a\n",
    "annotated": "    q: str = 'SELECT * FROM t WHERE a = %s' % a\n",
    "walrus": "    (q := 'SELECT * FROM t WHERE a = %s' % a)\n",
    "for target": "    for q in ['SELECT * FROM t WHERE a = %s' % a]:\n        pass\n",
    "with as": "    with wrap(a) as q:\n        pass\n",
}


@pytest.mark.parametrize("form", _REBOUND)
def test_a_parameter_bound_again_is_asked_of_the_analysis(form: str, monkeypatch) -> None:
    from codeward.reviewer.rules import injection

    source = "def rows(cur, q, a):\n" + _REBOUND[form] + "    cur.execute(q)\n"
    if form == "augmented":
        source = source.replace("q += ", "q = 'SELECT * FROM t' + q\n    q += ")
    found = [(f.code, f.span.line, f.message) for f in review_text("x.py", source, "CWR120".__eq__)]
    monkeypatch.setattr(injection, "_parameter_as_passed", lambda ctx, node: False)
    assert found == [(f.code, f.span.line, f.message) for f in review_text("x.py", source, "CWR120".__eq__)]
    if form not in ("for target", "with as"):  # (the analysis reads no SQL start into a loop's or `with`'s name)
        assert [line for _, line, _ in found] == [source.count("\n")]


def test_a_parameter_never_bound_again_needs_no_analysis(monkeypatch) -> None:
    from codeward.reviewer.dataflow.module import ModuleInfo

    analysed: list[str] = []
    original = ModuleInfo.analysis

    def counted(self, node):
        analysed.append(getattr(getattr(node, "name", None), "value", type(node).__name__))
        return original(self, node)

    monkeypatch.setattr(ModuleInfo, "analysis", counted)
    source = "Q = 'SELECT * FROM t'\n\ndef rows(cur, q, params):\n    if q:\n        cur.execute(q, params)\n"
    assert review_text("x.py", source, "CWR120".__eq__) == []
    assert "rows" not in analysed
    # The same call with the parameter bound again is asked of the analysis (and reported).
    rebound = source.replace("    if q:\n", "    q = 'SELECT * FROM t WHERE a = %s' % params\n    if q:\n")
    assert [f.code for f in review_text("x.py", rebound, "CWR120".__eq__)] == ["CWR120"]
    assert "rows" in analysed


def test_a_dependency_reviewed_on_its_own_keeps_what_other_files_learnt_of_it(tmp_path) -> None:
    """A module loaded as a dependency and then reviewed (the same tree: the review takes the parsed one) is
    reviewed with a fresh ModuleInfo and budget; after the review the dependency's ModuleInfo and its summaries
    stand again, so later files do not analyse its functions once more. A review of another tree of the same
    path (the text changed) does not bring the old one back."""
    import os

    from codeward.reviewer.dataflow.engine import Engine
    from codeward.reviewer.dataflow.models import build_models
    from codeward.reviewer.parse import parse_module

    path = os.path.abspath(tmp_path / "helpers.py")
    text = "import os\n\ndef run(cmd):\n    os.system(cmd)\n    return cmd\n"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    engine = Engine(build_models())
    dependency = engine.module(path)
    assert dependency is not None
    function = dependency.functions["run"]
    summary = dependency.summary(function)
    assert summary is not None and [(s[0], s[2]) for s in summary.sinks] == [("command", "os.system")]
    module = engine.project.parsed(path, text)
    assert module is dependency.module
    reviewed = engine.start_file(path, module, text)
    assert reviewed is not dependency and engine.module(path) is reviewed
    assert engine.module_of(function) is reviewed
    engine.finish_file(path)
    assert engine.module(path) is dependency and engine.module_of(function) is dependency
    assert dependency.summary(function) is summary
    # Reviewed from a tree of its own: the review's ModuleInfo goes and nothing stands in for it.
    other = engine.start_file(path, parse_module(text), text)
    engine.finish_file(path)
    again = engine.module(path)
    assert again is not None and again is not other and again is not dependency
