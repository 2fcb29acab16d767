"""Mutation testing with mutmut, package by package: how many small, meaningful changes to the code the
tests notice (the mutation score), and which ones they do not (the survivors, each to get a test or a
written reason in bench/mutation-report.md).

    .venv/bin/pip install -e '.[mutation]'
    .venv/bin/python -m bench.mutation suppression masking configuration profiler-settings   # small packages
    .venv/bin/python -m bench.mutation dataflow --sample 150 --budget 1500                   # a large one, sampled

Why mutmut (3.x): it is the one of the three candidates (mutmut, cosmic-ray, pytest-gremlins) that mutates
strings and numbers as well as operators, and two of the four mutations an audit found the suite blind to
were of that kind (the `//` of the suppression pattern, the 0.2 of the heap budget); it runs each mutant
by forking a warm process and only the tests that reach the mutated function, which is what makes it
affordable on a shared two-core machine. cosmic-ray starts the whole test command for each mutant and has no
string operator; pytest-gremlins has neither string nor number operators. All three install from PyPI.

mutmut imports the code from a copy (`mutants/`), and it finds modules by their file's path. codeward's
folders are mapped into the `codeward` package by setup.py, so the copy here is built in the installed
layout (`codeward/linters/...`) in a work folder, with the tests and the data they read beside it; the
checkout is never modified. Mutants that only a subprocess would reach count as "no tests": mutmut sees
which tests reach a function in the test process only.

Each run is bounded (`--budget` seconds for the package, then the run is stopped and what was checked is
reported) and uses one core unless `--jobs` says otherwise: mutation runs are CPU-heavy and the machine is
shared.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("linters", "reviewer", "profiler", "schemas")
WORK = Path(os.environ.get("CODEWARD_MUTATION_DIR", "/tmp/codeward-mutation"))


@dataclass(frozen=True)
class Package:
    """What to mutate (paths in the installed layout; globs end in *) and the tests that should notice."""

    mutate: tuple[str, ...]
    tests: tuple[str, ...]
    skip: tuple[str, ...] = ()
    # Tests that cannot run in the installed layout of the work folder (they start a checkout path such as
    # profiler/_bootstrap in a subprocess, which never reaches the mutant anyway).
    deselect: tuple[str, ...] = ()


PACKAGES: dict[str, Package] = {
    "suppression": Package(
        ("codeward/suppress.py",),
        ("tests/test_cli.py", "tests/test_promises.py", "tests/test_reviewer_defaults.py", "tests/test_suppression.py"),
    ),
    "masking": Package(
        ("codeward/masking.py",),
        (
            "tests/test_masking.py",
            "tests/test_output_formats.py",
            "tests/test_reviewer_engine.py",
            "tests/test_github_post.py",
        ),
    ),
    "configuration": Package(
        ("codeward/config.py",),
        ("tests/test_cli.py", "tests/test_promises.py", "tests/test_configuration.py", "tests/test_hostile_config.py"),
    ),
    "profiler-settings": Package(
        ("codeward/profiler/settings.py", "codeward/profiler/options.py"),
        ("tests/test_profiler.py", "tests/test_documented_defaults.py", "tests/test_profiler_settings.py"),
        deselect=(
            "tests/test_profiler.py::test_bad_environment_setting_leaves_the_program_running",
            # Under mutmut the mutated options.py imports mutmut's trampoline helpers (typing, dataclasses, ...)
            # before the program: the lean start-up is a property of the unmutated code, checked by the suite.
            "tests/test_profiler.py::test_codeward_profile_starts_the_program_before_its_heavy_imports",
        ),
    ),
    "lint-rules": Package(
        ("codeward/linters/engine.py", "codeward/linters/rule.py", "codeward/linters/rules/*"),
        (
            "tests/test_rule_cases.py",
            "tests/test_lint_rule_details.py",
            "tests/test_inline_buildspec.py",
            "tests/test_revision.py",
            "tests/test_loading.py",
            "tests/test_corpus.py",
            "tests/test_seeded_defects.py",
            "tests/test_cli.py",
            "tests/test_promises.py",
        ),
    ),
    "review-rules": Package(
        ("codeward/reviewer/rules/*",),
        (
            "tests/test_reviewer_rules.py",
            "tests/test_review_rule_details.py",
            # The data-flow tests state the flow rules' findings too (CWR101-CWR120, the shape rules).
            "tests/test_dataflow.py",
            "tests/test_dataflow_details.py",
            "tests/test_dataflow_calls.py",
            "tests/test_dataflow_guards.py",
            "tests/test_reviewer_corpus.py",
            "tests/test_reviewer_engine.py",
            "tests/test_promises.py",
        ),
        deselect=("tests/test_dataflow.py::test_a_cached_result_is_redone_when_a_module_it_used_changes",),
    ),
    "dataflow": Package(
        ("codeward/reviewer/dataflow/*",),
        (
            "tests/test_dataflow.py",
            "tests/test_dataflow_details.py",
            "tests/test_dataflow_units.py",
            "tests/test_dataflow_calls.py",
            "tests/test_dataflow_guards.py",
            "tests/test_dataflow_sources.py",
            "tests/test_dataflow_validated.py",
            "tests/test_dataflow_wrappers.py",
            # Engine tests the selection left out until the eleventh pass (seed 39's survivors included mutants
            # that test_dataflow_params kills: bench/mutation-report.md).
            "tests/test_dataflow_params.py",
            "tests/test_dataflow_prefilter.py",
            "tests/test_dataflow_values.py",
            "tests/test_reviewer_sql_words.py",
            "tests/test_reviewer_opt_in.py",
            "tests/test_reviewer_parse.py",
            "tests/test_reviewer_rules.py",
            "tests/test_review_rule_details.py",
            "tests/test_reviewer_corpus.py",
            "tests/test_reviewer_engine.py",
            "tests/test_promises.py",
        ),
        # Passes under plain pytest in the work folder, fails under mutmut's stats run (its trampolines): the
        # review cache's record of the modules a result used; no engine mutant needs it to be seen.
        deselect=("tests/test_dataflow.py::test_a_cached_result_is_redone_when_a_module_it_used_changes",),
    ),
}


# -- the work folder ---------------------------------------------------------------------------------------------


def tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [name for name in listed.decode().split("\0") if name and (ROOT / name).is_file()]


def installed_name(name: str) -> str:
    """The path a checkout file has in the installed layout: linters/x.py -> codeward/linters/x.py."""
    top = name.split("/", 1)[0]
    return f"codeward/{name}" if top in PARTS else name


def pyproject(package: Package, tops: list[str], debug: bool = False) -> str:
    """The checkout's pyproject.toml with a [tool.mutmut] table for this package; `tops` are the other
    top-level files and folders the tests read (examples/, docs/, README.md, ...), copied beside the code."""

    def toml_list(items: tuple[str, ...] | list[str]) -> str:
        return "[" + ", ".join(json.dumps(item) for item in items) + "]"

    tests = [t for t in package.tests if (ROOT / t).is_file()]
    deselected = ["-p", "mutation_inprocess", *(arg for test in package.deselect for arg in ("--deselect", test))]
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return text + (
        "\n[tool.mutmut]\n"
        'source_paths = ["codeward/"]\n'
        f"only_mutate = {toml_list(package.mutate)}\n"
        f"do_not_mutate = {toml_list(package.skip)}\n"
        # One process (mutmut forks per mutant), no pytest cache in the copy, and only this package's tests.
        f"pytest_add_cli_args = {toml_list(['-n', '0', '-p', 'no:cacheprovider', '-x', '-q', *deselected])}\n"
        f"pytest_add_cli_args_test_selection = {toml_list(tests)}\n"
        "timeout_multiplier = 5.0\n"
        "timeout_constant = 10.0\n"
        "use_git_change_detection = false\n"
        f"also_copy = {toml_list(tops)}\n"
        # mutmut hides pytest's output unless asked: a clean run that fails says only "Failed to run pytest".
        f"debug = {json.dumps(debug)}\n"
    )


def prepare(name: str, package: Package, debug: bool = False) -> Path:
    """A fresh work folder: the checkout's tracked files in the installed layout (uncommitted edits included)."""
    work = WORK / name
    if work.exists():
        shutil.rmtree(work)
    for file in tracked_files():
        target = work / installed_name(file)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / file, target)
        if target != work / file:
            # Also at its checkout path, read as text only (tests/test_documented_defaults.py reads the
            # defaults stated in reviewer/command.py): the code imported is the installed layout's.
            (work / file).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / file, work / file)
    # Tests that start codeward in a subprocess put the copy on PYTHONPATH: there this runs first. While mutmut
    # maps which tests reach which function ("stats"), a child process would fail looking for mutmut's
    # settings in its own working directory: it runs the code unrecorded instead. While a mutant is checked,
    # the child runs the mutant too, so subprocess tests can kill it.
    (work / "sitecustomize.py").write_text(
        "import os\nif os.environ.get('MUTANT_UNDER_TEST') == 'stats':\n    os.environ['MUTANT_UNDER_TEST'] = ''\n"
    )
    # The reviewer reviews each file in a worker process (codeward.runner.run_isolated), where mutmut's map of
    # which tests reach which function cannot see: every CLI-level review test would count as reaching no
    # dataflow or rule function, and never be run against their mutants. Under mutmut (and only in this
    # copy), files are reviewed in the test process; a file whose review raises becomes the same
    # not-reviewed result a dead worker gives.
    (work / "mutation_inprocess.py").write_text(INPROCESS, encoding="utf-8")
    # The checkout is a git repository, and rules that read "the repository" find its root by its `.git`
    # (codeward.linters.revision.project_root): CWB141 looks there for a file that sets a variable. Without one
    # the copy's root was the linted file's folder, and the corpus's findings differed from the checkout's
    # (lint seed 50's clean run stopped on tests/corpus/buildspec/unterminated-quote.yml: a CWB141 more). A
    # marker, not a repository: git commands in the copy fail as they did without it.
    (work / ".git").mkdir()
    (work / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    tops = sorted({file.split("/", 1)[0] for file in tracked_files()} - {"codeward", "tests"})
    tops += ["sitecustomize.py", "mutation_inprocess.py", ".git"]
    (work / "pyproject.toml").write_text(pyproject(package, tops, debug), encoding="utf-8")
    return work


INPROCESS = """\
import os

import pytest


@pytest.fixture(autouse=True)
def _review_in_process(monkeypatch):
    if os.environ.get("MUTANT_UNDER_TEST"):
        import codeward.runner

        def run_isolated(fn, items, jobs, on_failure, limits=None, progress=None, prepare=None):
            if prepare is not None:
                prepare()
            out = []
            for count, item in enumerate(items, start=1):
                try:
                    out.append(fn(item))
                except Exception as exc:
                    out.append(on_failure(item, f"{type(exc).__name__}: {exc}"))
                if progress is not None:
                    progress(count)
            return out

        monkeypatch.setattr(codeward.runner, "run_isolated", run_isolated)
    yield


# mutmut runs pytest several times in one process (its test listing, the stats run, the clean run, each forked
# mutant). pytest 9.2 keeps the ids it generated for a parametrize mark on the mark and, in the next session,
# takes them as given ids and escapes them again: an id with a backslash (a regex, "\\x00") is another id the
# second time, and mutmut's clean run, naming the ids the stats run saw, stopped with "not found" (exit 4).
# Each session makes its ids afresh.
@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc):
    for marker in metafunc.definition.iter_markers(name="parametrize"):
        if marker._param_ids_from is not None:
            object.__setattr__(marker._param_ids_from, "_param_ids_generated", None)
"""


# -- running mutmut ----------------------------------------------------------------------------------------------


def mutmut(work: Path, *args: str, budget: float | None = None) -> tuple[int, str]:
    """`mutmut ARGS` in the work folder; stopped (with its children) when `budget` seconds have passed."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "CODEWARD_CACHE_DIR")}
    log = work / "mutmut.log"
    with log.open("a") as out:
        child = subprocess.Popen(
            [sys.executable, "-m", "mutmut", *args], cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            code = child.wait(timeout=budget)
        except subprocess.TimeoutExpired:
            code = -1
        finally:  # over budget, or this script stopped: mutmut and its forks never outlive it
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
                try:
                    child.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
                    child.wait()
    return code, log.read_text(errors="replace")


STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", 36: "timeout",
          24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout", 37: "killed"}  # fmt: skip


@dataclass
class Result:
    package: str
    statuses: dict[str, str] = field(default_factory=dict)  # mutant name -> status
    generated: int = 0
    seconds: float = 0.0
    stopped: bool = False

    def count(self, status: str) -> int:
        return sum(1 for s in self.statuses.values() if s == status)

    @property
    def score(self) -> float | None:
        """Killed (timeouts count as killed: the change broke the program) over the mutants tests reach."""
        checked = self.count("killed") + self.count("timeout") + self.count("survived")
        return (self.count("killed") + self.count("timeout")) / checked if checked else None


def read_results(work: Path) -> dict[str, int | None]:
    """Mutant name -> exit code, from mutmut's .meta files (None: not checked)."""
    out: dict[str, int | None] = {}
    for meta in (work / "mutants").rglob("*.meta"):
        data = json.loads(meta.read_text())
        out.update(data.get("exit_code_by_key", {}))
    return out


def run_package(
    name: str, sample: int | None, budget: float, jobs: int, seed: int, only: str | None = None, debug: bool = False
) -> Result:
    package = PACKAGES[name]
    work = prepare(name, package, debug)
    started = time.monotonic()
    # Generation, the tests' call graph and the clean run; then the mutants (all, or a sample).
    code, log = mutmut(work, "run", "--max-children", str(jobs), "__none__", budget=budget)
    generated = read_results(work)
    result = Result(name, generated=len(generated))
    if not generated:
        result.seconds = time.monotonic() - started
        print(log[-3000:], file=sys.stderr)
        return result
    names = sorted(n for n in generated if only is None or n.startswith(only + "."))
    if sample and sample < len(names):
        names = sorted(random.Random(seed).sample(names, sample))
    left = budget - (time.monotonic() - started)
    code, log = mutmut(work, "run", "--max-children", str(jobs), *names, budget=max(left, 60))
    result.stopped = code == -1
    exits = read_results(work)
    result.statuses = {n: STATUS.get(exits.get(n), "not checked") if exits.get(n) is not None else "not checked"
                       for n in names}  # fmt: skip
    result.seconds = time.monotonic() - started
    (work / "result.json").write_text(json.dumps(result.__dict__, indent=1))
    return result


def survivors(name: str, result: Result) -> list[str]:
    """`mutmut show` for each survivor: the diff a person reads to write a test or a reason."""
    work = WORK / name
    out = []
    for mutant, status in sorted(result.statuses.items()):
        if status == "survived":
            (work / "mutmut.log").write_text("")  # mutmut() appends: only this diff, not the run's progress
            _, text = mutmut(work, "show", mutant, budget=60)
            out.append(text.split("\n", 1)[-1] if text.startswith("     ") else text)
    return out


def recheck(
    name: str, only: list[str] | None = None, keyword: str | None = None, mutants: list[str] | None = None
) -> list[tuple[str, str]]:
    """The survivors of the last run of `name`, each run again against the checkout's tests as they are now
    (copied into the work folder), through mutmut's own switch (MUTANT_UNDER_TEST): whether tests written since
    kill them, without a new run (which would draw a new sample once the package's code has changed). `only`:
    these test files instead of the package's selection (faster; a kill by them is a kill, a survivor may
    still be killed by the rest); `keyword`: pytest's -k within them; `mutants`: only the survivors whose name
    contains one of these (a case written for one survivor is checked in seconds, not the whole list)."""
    work = WORK / name
    result = json.loads((work / "result.json").read_text())
    package = PACKAGES[name]
    for test in tracked_files():
        if test.startswith("tests/"):
            (work / "mutants" / test).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / test, work / "mutants" / test)
    tests = only or [t for t in package.tests if (ROOT / t).is_file()]
    deselected = [arg for test in package.deselect for arg in ("--deselect", test)]
    if keyword:
        deselected += ["-k", keyword]
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "CODEWARD_CACHE_DIR")}
    out = []
    survived = sorted(m for m, status in result["statuses"].items() if status == "survived")
    if mutants:
        survived = [m for m in survived if any(part in m for part in mutants)]
    for mutant in ["", *survived]:
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-n", "0", "-p", "no:cacheprovider", "-p", "mutation_inprocess",
             *deselected, *tests],
            cwd=work / "mutants", env={**env, "MUTANT_UNDER_TEST": mutant, "PYTHONPATH": str(work / "mutants")},
            capture_output=True, text=True,
        )  # fmt: skip
        if not mutant:
            if run.returncode != 0:
                raise SystemExit(f"the tests fail without a mutant:\n{run.stdout[-3000:]}")
            continue
        out.append((mutant, "killed" if run.returncode != 0 else "survived"))
        print(f"{out[-1][1]}: {mutant}", flush=True)
    return out


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through mutmut()'s `finally`, which stops mutmut's process group


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _stop)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("packages", nargs="*", metavar="PACKAGE", help=f"default: all of {', '.join(PACKAGES)}")
    parser.add_argument("--sample", type=int, help="check this many mutants of each package, chosen at random")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--budget", type=float, default=900, help="seconds per package, then it is stopped")
    parser.add_argument("--jobs", type=int, default=1, help="mutants checked at once (default 1: a shared machine)")
    parser.add_argument("--show", action="store_true", help="print each survivor's diff")
    parser.add_argument("--recheck", action="store_true", help="run the last run's survivors against today's tests")
    parser.add_argument("--debug", action="store_true", help="mutmut's debug mode: pytest's own output in mutmut.log")
    parser.add_argument("--tests", nargs="+", metavar="FILE", help="with --recheck: only these test files")
    parser.add_argument("-k", dest="keyword", metavar="EXPR", help="with --recheck: pytest's -k within those tests")
    parser.add_argument("--mutants", nargs="+", metavar="PART", help="with --recheck: only survivors naming one")
    parser.add_argument(
        "--only", metavar="MODULE", help="only the mutants of this module (codeward.reviewer.dataflow.fold)"
    )
    options = parser.parse_args(argv)
    unknown = sorted(set(options.packages) - set(PACKAGES))
    if unknown:
        parser.error(f"unknown package(s): {', '.join(unknown)}")
    if options.recheck:
        for name in options.packages or list(PACKAGES):
            checked = recheck(name, options.tests, options.keyword, options.mutants)
            killed = sum(1 for _, status in checked if status == "killed")
            print(f"{name}: {killed} of {len(checked)} survivors killed by today's tests")
        return 0
    rows = []
    for name in options.packages or list(PACKAGES):
        result = run_package(
            name, options.sample, options.budget, options.jobs, options.seed, options.only, options.debug
        )
        score = f"{result.score:.1%}" if result.score is not None else "n/a"
        rows.append(
            f"| {name} | {result.generated} | {len(result.statuses)} | {result.count('killed')} | "
            f"{result.count('timeout')} | {result.count('survived')} | {result.count('no tests')} | "
            f"{result.count('not checked')} | **{score}** | {result.seconds:.0f} s{' (stopped)' if result.stopped else ''} |"
        )
        print(rows[-1], flush=True)
        if options.show:
            for diff in survivors(name, result):
                print(diff)
    print("\n| package | mutants | checked | killed | timeout | survived | no tests | not checked | score | time |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
