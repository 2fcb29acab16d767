"""Benchmark `codeward review` on a large real code base: Django's source, installed from PyPI.

    .venv/bin/pip install -e '.[bench]'        # bandit (ruff comes with the dev extra)
    .venv/bin/python -m bench.reviewer.run     # prints a Markdown table; --runs N, --version X.Y

In one run, on the same files: codeward cold (empty results cache), codeward warm (every file served
from the cache), bandit, and `ruff check --select S`. Wall-clock medians; every tool uses what it
uses by default for parallelism (codeward: one process per CPU; bandit: one process; ruff: threads).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "out" / "reviewer"
BIN = Path(sys.executable).parent
# Installed tools have their bytecode compiled already; PYTHONDONTWRITEBYTECODE would measure the compiler.
ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "CODEWARD_FORMAT")}


def fetch_django(version: str) -> Path:
    """Django's package source (`django/`), from the wheel on PyPI, unpacked under bench/out."""
    target = OUT / f"django-{version}"
    if (target / "django").is_dir():
        return target / "django"
    downloads = OUT / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d", str(downloads),
         f"django=={version}"],
        check=True, capture_output=True, env=ENV,
    )  # fmt: skip
    wheel = next(downloads.glob(f"[Dd]jango-{version}-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target, members=[m for m in archive.namelist() if m.startswith("django/")])
    return target / "django"


def timed(command: list[str], runs: int, before=None) -> tuple[float, subprocess.CompletedProcess[str]]:
    samples = []
    result: subprocess.CompletedProcess[str] | None = None
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, env=ENV, cwd=OUT)
        samples.append(time.perf_counter() - start)
    assert result is not None
    return statistics.median(samples), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--version", default="5.2.8", help="Django version to download (default: 5.2.8)")
    args = parser.parse_args(argv)
    source = fetch_django(args.version)
    files = sorted(source.rglob("*.py"))
    cache = OUT / "cache"

    def clear_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    codeward = [str(BIN / "codeward"), "review", str(source), "--isolated", "--format", "json", "--exit-zero"]
    rows = []
    # Cold: the cache directory is emptied before each run (results are still written, as in real use).
    env_cache = ["--config", str(OUT / "pyproject.toml")]
    (OUT / "pyproject.toml").write_text(f'[tool.codeward]\ncache-dir = "{cache.name}"\n', encoding="utf-8")
    codeward = [c for c in codeward if c != "--isolated"] + env_cache
    cold, result = timed(codeward, args.runs, clear_cache)
    findings = len(json.loads(result.stdout)["findings"])
    rows.append(("codeward review, cold (empty cache)", cold, findings))
    warm, result = timed(codeward, args.runs)
    rows.append(("codeward review, warm (cache)", warm, len(json.loads(result.stdout)["findings"])))
    bandit = shutil.which("bandit", path=str(BIN)) or shutil.which("bandit")
    if bandit:
        seconds, result = timed([bandit, "-q", "-r", str(source), "-f", "json"], args.runs)
        rows.append(("bandit -r", seconds, len(json.loads(result.stdout or "{}").get("results", []))))
    ruff = shutil.which("ruff", path=str(BIN)) or shutil.which("ruff")
    if ruff:
        command = [ruff, "check", "--isolated", "--no-cache", "--select", "S", "--output-format", "json",
                   "--exit-zero", str(source)]  # fmt: skip
        seconds, result = timed(command, args.runs)
        rows.append(("ruff check --select S", seconds, len(json.loads(result.stdout or "[]"))))
    print(
        f"Django {args.version} (`django/`, {len(files)} Python files), {os.cpu_count()} CPUs, median of {args.runs}\n"
    )
    print("| tool | wall time | findings |\n|---|---|---|")
    for name, seconds, count in rows:
        print(f"| {name} | {seconds:.2f} s | {count} |")
    print(f"\nwarm / cold = {warm / cold:.1%}")
    if bandit:
        bandit_time = next(s for n, s, _ in rows if n.startswith("bandit"))
        print(f"cold / bandit = {cold / bandit_time:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
