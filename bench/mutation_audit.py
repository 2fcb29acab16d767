"""The mutations an audit found the whole suite blind to (issue 19), each applied to a copy of the code and run
against the tests that must now notice it (which first pass on the unmutated copy). A mutation the tests do not notice is printed as SURVIVED and the
command exits 1.

    .venv/bin/python -m bench.mutation_audit

The copy is bench/mutation.py's work folder (the checkout's tracked files in the installed layout); the
checkout is never modified.
"""

from __future__ import annotations

import os
import subprocess
import sys

from bench.mutation import PACKAGES, installed_name, prepare

# (what it breaks, file in the checkout, text, mutated text, tests that must fail)
AUDIT: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("CWA111 reports ContainerPort 65535", "linters/rules/appspec/CWA111_ecs_container_port.py",
     "1 <= value <= 65535", "1 <= value < 65535", ("tests/test_rule_cases.py", "-k", "CWA111")),
    ('CWA111 reports ContainerPort "65535" (a string)', "linters/rules/appspec/CWA111_ecs_container_port.py",
     "1 <= int(text) <= 65535", "1 <= int(text) < 65535", ("tests/test_rule_cases.py", "-k", "CWA111")),
    ("// suppressions in JSON stop working", "codeward/suppress.py",
     r"(?:#|//)\s*codeward", r"(?:#)\s*codeward", ("tests/test_promises.py", "tests/test_suppression.py")),
    ("url_has_allowed_host_and_scheme leaves the reviewer's validator models", "reviewer/dataflow/models/builtins.py",
     '        ("django.utils.http.url_has_allowed_host_and_scheme", 0, _SAFE_URL, "url"),\n', "",
     ("tests/test_promises.py", "-k", "validator")),
    ("url_has_allowed_host_and_scheme leaves the validators known by name", "reviewer/dataflow/analysis.py",
     '("url_has_allowed_host_and_scheme", "is_safe_url")', '("is_safe_url",)',
     ("tests/test_promises.py", "-k", "validator")),
    ("the profiler's heap-budget-percent default is 2.0, not 0.2", "profiler/settings.py",
     "        0.2,\n        0.0,\n        50.0,\n", "        2.0,\n        0.0,\n        50.0,\n",
     ("tests/test_documented_defaults.py", "tests/test_profiler_settings.py")),
)  # fmt: skip


def main() -> int:
    work = prepare("audit", PACKAGES["suppression"])
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "CODEWARD_CACHE_DIR")}

    def pytest(tests: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-n", "0", "-p", "no:cacheprovider", *tests],
            cwd=work, env=env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip

    # The same tests pass on the unmutated copy: a failure below is the mutation's doing.
    for tests in sorted({tests for *_, tests in AUDIT}):
        baseline = pytest(tests)
        if baseline.returncode != 0:
            print(f"the unmutated copy fails {' '.join(tests)}:\n{baseline.stdout[-2000:]}", file=sys.stderr)
            return 2
    survived = 0
    for what, name, text, mutated, tests in AUDIT:
        target = work / installed_name(name)
        original = target.read_text(encoding="utf-8")
        assert original.count(text) == 1, f"{name}: the text to mutate is not there once: {text!r}"
        target.write_text(original.replace(text, mutated), encoding="utf-8")
        try:
            run = pytest(tests)
        finally:
            target.write_text(original, encoding="utf-8")
        failed = [line for line in run.stdout.splitlines() if line.startswith("FAILED")]
        if run.returncode == 0:
            survived += 1
        print(
            f"{'killed' if run.returncode else 'SURVIVED'}: {what} ({name})" + (f"\n    {failed[0]}" if failed else "")
        )
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
