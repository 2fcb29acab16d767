"""Benchmark: codeward lint against check-jsonschema on the same generated set, and cold start.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/run.py            # prints a Markdown table; --write updates README.md

Both tools get the same files and codeward's own schemas; check-jsonschema needs one invocation per
schema (it validates every file against one schema), codeward one invocation for everything and also
runs its semantic rules. Times are wall-clock, median of several runs, caches off.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from codeward.linters.kinds import KINDS, kind_by_name  # noqa: E402

from bench.generate import generate  # noqa: E402

BIN = Path(sys.executable).parent


# Installed tools have their bytecode compiled; a sandbox that sets PYTHONDONTWRITEBYTECODE would make
# every run recompile every module and measure the compiler instead.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(commands: list[list[str]], runs: int, cwd: Path) -> tuple[float, list[int]]:
    for cmd in commands:  # warm-up: bytecode and file-system caches
        subprocess.run(cmd, cwd=cwd, capture_output=True, env=ENV)
    samples = []
    codes: list[int] = []
    for _ in range(runs):
        start = time.perf_counter()
        codes = [subprocess.run(cmd, cwd=cwd, capture_output=True, env=ENV).returncode for cmd in commands]
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), codes


def main() -> None:
    out = ROOT / "bench" / "out"
    defs = out / "defs"
    if defs.exists():
        shutil.rmtree(defs)
    files = generate(defs, 1000)
    by_kind: dict[str, list[str]] = {k: [] for k in KINDS}
    for path in files:
        by_kind[kind_by_name(str(path)) or "pipeline"].append(str(path.relative_to(ROOT)))
    codeward = str(BIN / "codeward")
    cjs = shutil.which("check-jsonschema", path=str(BIN)) or shutil.which("check-jsonschema")
    rows = []
    t, codes = timed(
        [[codeward, "lint", "--no-cache", "--isolated", "--format", "concise", str(defs.relative_to(ROOT))]], 3, ROOT
    )
    rows.append(("codeward lint (schema + all rules), 1,000 files, 2 processes", t, codes))
    t1, _ = timed(
        [[codeward, "lint", "--no-cache", "--isolated", "-j", "1", "--format", "concise", str(defs.relative_to(ROOT))]],
        3,
        ROOT,
    )
    rows.append(("codeward lint, 1,000 files, 1 process", t1, []))
    if cjs:
        commands = [
            [cjs, "--schemafile", str(ROOT / "schemas" / f"{KINDS[kind].schema}.schema.json"), *paths]
            for kind, paths in by_kind.items()
            if paths
        ]
        t, codes = timed(commands, 3, ROOT)
        rows.append(("check-jsonschema (schema only), 1,000 files", t, codes))
    single = str(next(p for p in files if kind_by_name(str(p)) == "buildspec").relative_to(ROOT))
    t, _ = timed([[codeward, "lint", "--no-cache", "--isolated", single]], 15, ROOT)
    rows.append(("codeward lint, one buildspec (cold start, no cache)", t, []))
    t, _ = timed([[codeward, "lint", "--isolated", single]], 15, ROOT)
    rows.append(("codeward lint, one buildspec (cached)", t, []))
    t, _ = timed([[sys.executable, "-c", "pass"]], 15, ROOT)
    rows.append(("python -c pass (interpreter start-up floor)", t, []))
    if cjs:
        schema = str(ROOT / "schemas" / "buildspec.schema.json")
        t, _ = timed([[cjs, "--schemafile", schema, single]], 15, ROOT)
        rows.append(("check-jsonschema, one buildspec", t, []))
    header = f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    table = [header, "", "| run | time |", "|---|---|"]
    table += [f"| {name} | {seconds * 1000:,.0f} ms |" for name, seconds, _ in rows]
    text = "\n".join(table) + "\n"
    print(text)
    (out / "results.md").write_text(text)
    if "--write" in sys.argv:
        readme = ROOT / "README.md"
        body = readme.read_text()
        start, end = "<!-- bench:start -->", "<!-- bench:end -->"
        if start in body and end in body:
            body = body[: body.index(start) + len(start)] + "\n" + text + body[body.index(end) :]
            readme.write_text(body)


if __name__ == "__main__":
    main()
