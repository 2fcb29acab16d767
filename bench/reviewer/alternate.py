"""Two versions of codeward side by side: `codeward review --no-cache` on Django, in alternating rounds with bandit.

    .venv/bin/python -m bench.reviewer.alternate --rounds 4 main HEAD
    .venv/bin/python -m bench.reviewer.alternate --rounds 4 --jobs 1 main HEAD   # one review process

Each revision is exported (`git archive`) under bench/out/alternate and imported from there by a small launcher in
place of the installed package, so both run with the same interpreter and dependencies. Rounds alternate the
commands, so that a machine whose load changes during the measurement disturbs each alike. Prints each command's
CPU time (user + system of all its processes) per round and the medians, and whether the versions' findings are
the same.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from bench.reviewer.run import BIN, ENV, OUT, ROOT, fetch_django

# Imports codeward from the export named by its first argument, then runs its command line with the rest.
LAUNCHER = """
import importlib.util, sys
from importlib.machinery import PathFinder
root = sys.argv.pop(1)
places = {"codeward": "codeward", "codeward.linters": "linters", "codeward.profiler": "profiler",
          "codeward.reviewer": "reviewer", "codeward.schemas": "schemas"}
places = {name: root + "/" + folder for name, folder in places.items()}
class Finder:
    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if fullname in places:
            return importlib.util.spec_from_file_location(
                fullname, places[fullname] + "/__init__.py", submodule_search_locations=[places[fullname]])
        parent = fullname.rpartition(".")[0]
        return PathFinder.find_spec(fullname, path=[places[parent]]) if parent in places else None
sys.meta_path.insert(0, Finder)
from codeward.cli import main
sys.argv[0] = "codeward"
sys.exit(main())
"""


def export(revision: str) -> Path:
    target = OUT.parent / "alternate" / revision.replace("/", "_")
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    with tempfile.TemporaryFile() as archive:
        subprocess.run(["git", "archive", revision], cwd=ROOT, stdout=archive, check=True)
        archive.seek(0)
        with tarfile.open(fileobj=archive) as tar:
            tar.extractall(target, filter="data")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("revisions", nargs=2, help="two git revisions (e.g. main HEAD)")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--version", default="5.2.8", help="Django version (default: 5.2.8)")
    parser.add_argument("--jobs", type=int, help="codeward's --jobs (default: its own, one worker per CPU)")
    args = parser.parse_args(argv)
    source = fetch_django(args.version)
    launcher = OUT.parent / "alternate" / "launch.py"
    launcher.parent.mkdir(parents=True, exist_ok=True)
    launcher.write_text(LAUNCHER, encoding="utf-8")
    review = ["review", source.name, "--isolated", "--no-cache", "--format", "json", "--exit-zero"]
    if args.jobs:
        review += ["--jobs", str(args.jobs)]
    commands = {rev: [sys.executable, str(launcher), str(export(rev)), *review] for rev in args.revisions}
    bandit = shutil.which("bandit", path=str(BIN))
    if bandit:
        commands["bandit"] = [bandit, "-q", "-r", source.name, "-f", "json"]
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    findings: dict[str, object] = {}
    for number in range(args.rounds):
        for name, command in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            result = subprocess.run(command, cwd=source.parent, capture_output=True, text=True, env=ENV)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            if name != "bandit":
                findings[name] = json.loads(result.stdout)["findings"]
        row = ", ".join(f"{name} {seconds[-1]:.2f} s" for name, seconds in cpu.items())
        print(f"round {number + 1}: {row}; load {os.getloadavg()[0]:.1f}", flush=True)
    for name, seconds in cpu.items():
        print(f"{name}: min {min(seconds):.2f} s, median {statistics.median(seconds):.2f} s CPU")
    if bandit:
        for rev in args.revisions:
            # Per round too: the two ran a minute apart, under about the same load.
            ratios = [mine / theirs for mine, theirs in zip(cpu[rev], cpu["bandit"], strict=True)]
            print(
                f"{rev} / bandit = {statistics.median(cpu[rev]) / statistics.median(cpu['bandit']):.2f} (medians),"
                f" per round min {min(ratios):.2f}, median {statistics.median(ratios):.2f}"
            )
    first, second = args.revisions
    print("same findings:", findings[first] == findings[second])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
