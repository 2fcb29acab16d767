"""Secrets side by side: codeward, detect-secrets and CredSweeper on the same files; and the scorer's speed.

    .venv/bin/pip install -e '.[dev,bench]'    # detect-secrets and credsweeper come with the bench extra
    .venv/bin/python -m bench.ml.run           # prints Markdown tables; --runs N

Two sets of files, both held out from training (by project and by distribution):

- projects: the held-out synthetic projects of `python -m codeward.reviewer.ml.dataset` (Python, .env, YAML, JSON
  and INI files) with credentials in each provider's real format among look-alikes: documentation example
  keys, placeholders, digests, UUIDs, Secrets Manager and SSM ids, environment variable names, base64 blobs,
  test fixtures. A line is positive when a planted credential starts on it.
- packages: Python files of installed distributions on the held-out side (`pkg-*` groups), where no line
  is positive: every finding there is a false positive.

Each tool runs once per measured run as a user would run it, on a copy of the files; a finding counts for
the line it names. codeward runs `codeward review` (Python files) plus `codeward review --secrets-only`
(the other files), at the default confidence threshold, with the secret rules selected (CWR201-CWR205).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "out" / "ml"
BIN = Path(sys.executable).parent
ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "CODEWARD_FORMAT")}


def prepare(dataset_dir: Path, package_files: int, seed: int) -> tuple[Path, Path, dict[str, set[int]]]:
    """Copy the held-out projects and package files under bench/out/ml; the positive lines per project file."""
    from codeward.reviewer.ml.dataset import _distributions, _site_packages, build, held_out, write
    from codeward.reviewer.ml.generate import secret_project

    if not (dataset_dir / "projects").is_dir():
        write(build(dataset_dir, progress=True), dataset_dir / "dataset.jsonl")
    projects, packages = OUT / "projects", OUT / "packages"
    for target in (projects, packages):
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
    truth: dict[str, set[int]] = {}
    for directory in sorted((dataset_dir / "projects").glob("gen-secrets-*")):
        if held_out(directory.name) != "test":
            continue
        project = secret_project(int(directory.name.rsplit("-", 1)[1]))
        for generated in project.files:
            path = projects / directory.name / generated.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(generated.text, encoding="utf-8")
            lines = generated.text.split("\n")
            truth[str(path.relative_to(OUT))] = {
                number
                for secret in generated.secrets
                for number, line in enumerate(lines, start=1)
                if secret.split("\n", 1)[0] in line
            }
    site = _site_packages()
    rng = random.Random(seed)
    chosen: list[Path] = []
    for name, tops in _distributions(site).items() if site else ():
        if held_out(f"pkg-{name}") == "test":
            chosen += [p for top in tops for p in top.rglob("*.py") if p.stat().st_size < 200_000]
    rng.shuffle(chosen)
    for index, source in enumerate(sorted(chosen[:package_files])):
        target = packages / f"{index:04d}_{source.parent.name}_{source.name}"
        shutil.copyfile(source, target)
    return projects, packages, truth


def _timed(command: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=ENV, check=False)
    return time.perf_counter() - started, done


def run_codeward(target: Path) -> tuple[float, set[tuple[str, int]]]:
    with tempfile.TemporaryDirectory() as tmp:
        python_out, other_out = Path(tmp) / "py.json", Path(tmp) / "other.json"
        common = [
            "--format",
            "json",
            "--no-cache",
            "--isolated",
            "--exit-zero",
            "--select",
            "CWR201,CWR202,CWR203,CWR205",
        ]
        a, done = _timed([str(BIN / "codeward"), "review", str(target), *common, "-o", str(python_out)], OUT)
        if done.returncode != 0:
            raise SystemExit(f"codeward review failed: {done.stderr}")
        b, done = _timed([str(BIN / "codeward"), "review", "--secrets-only", str(target), *common, "-o", str(other_out)], OUT)  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(f"codeward review --secrets-only failed: {done.stderr}")
        found = set()
        for report, python in ((python_out, True), (other_out, False)):
            for f in json.loads(report.read_text())["findings"]:
                if f["path"].endswith((".py", ".pyi")) == python:
                    found.add((_relative(f["path"]), f["line"]))
    return a + b, found


def run_detect_secrets(target: Path) -> tuple[float, set[tuple[str, int]]]:
    seconds, done = _timed([str(BIN / "detect-secrets"), "scan", "--all-files", str(target)], OUT)
    if done.returncode != 0:
        raise SystemExit(f"detect-secrets failed: {done.stderr}")
    results = json.loads(done.stdout)["results"]
    return seconds, {(_relative(path), s["line_number"]) for path, items in results.items() for s in items}


def run_credsweeper(target: Path) -> tuple[float, set[tuple[str, int]]]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "out.json"
        command = [str(BIN / "credsweeper"), "--path", str(target), "--save-json", str(report), "--no-stdout",
                   "--log", "error"]  # fmt: skip
        seconds, done = _timed(command, OUT)
        if done.returncode != 0 or not report.exists():
            raise SystemExit(f"credsweeper failed: {done.stderr}")
        items = json.loads(report.read_text())
    return seconds, {(_relative(d["path"]), d["line_num"]) for item in items for d in item["line_data_list"]}


def _relative(path: str) -> str:
    absolute = Path(path) if os.path.isabs(path) else OUT / path
    try:
        return str(absolute.resolve().relative_to(OUT.resolve()))
    except ValueError:
        return path


TOOLS = {"codeward": run_codeward, "detect-secrets": run_detect_secrets, "CredSweeper": run_credsweeper}


def available(tool: str) -> bool:
    return (
        BIN / {"codeward": "codeward", "detect-secrets": "detect-secrets", "CredSweeper": "credsweeper"}[tool]
    ).exists()


def line_scores(found: set[tuple[str, int]], truth: dict[str, set[int]], prefix: str) -> tuple[int, int, int]:
    positives = {(path, line) for path, lines in truth.items() for line in lines}
    flagged = {item for item in found if item[0].startswith(prefix)}
    tp = len(flagged & positives)
    return tp, len(flagged - positives), len(positives - flagged)


def scoring_speed(projects: Path, dataset_dir: Path, count: int = 10_000) -> dict[str, float]:
    """Milliseconds to score `count` candidates: features + model, and the model alone; both categories."""
    from codeward.reviewer.ml.candidates import python_secret_candidates, sink_candidates
    from codeward.reviewer.ml.features import secret_features, sink_features
    from codeward.reviewer.ml.score import shipped

    model = shipped()
    secrets = []
    sinks = []
    for path in sorted(projects.rglob("*.py")):
        secrets += python_secret_candidates(str(path), path.read_text(encoding="utf-8"))
    for path in sorted((dataset_dir / "projects").glob("gen-injection-*/**/*.py"))[:40]:
        sinks += [c for c, _ in sink_candidates(str(path), path.read_text(encoding="utf-8"))]
    out: dict[str, float] = {}
    for name, items, featurize in (("secrets", secrets, secret_features), ("injection", sinks, sink_features)):
        if not items:
            continue
        batch = (items * (count // len(items) + 1))[:count]
        scorer = model[name]
        samples_all, samples_model = [], []
        for _ in range(5):
            started = time.perf_counter()
            vectors = [featurize(c) for c in batch]
            middle = time.perf_counter()
            for v in vectors:
                scorer.probability(v)
            done = time.perf_counter()
            samples_all.append(done - started)
            samples_model.append(done - middle)
        out[f"{name}: features + model"] = statistics.median(samples_all) * 1000
        out[f"{name}: model only"] = statistics.median(samples_model) * 1000
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ml.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default=str(ROOT / ".codeward_cache" / "ml"), help="reviewer.ml.dataset output")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per tool and set (median)")
    parser.add_argument("--package-files", type=int, default=300, help="held-out package files to scan")
    args = parser.parse_args(argv)
    projects, packages, truth = prepare(Path(args.dataset), args.package_files, seed=7)
    n_projects = sum(1 for p in projects.rglob("*") if p.is_file())
    n_packages = sum(1 for p in packages.rglob("*") if p.is_file())
    positives = sum(len(v) for v in truth.values())
    print(f"projects: {n_projects} files, {positives} lines with a real-format credential; "
          f"packages: {n_packages} files of held-out distributions\n")  # fmt: skip
    print("| tool | set | precision | recall | F1 | findings | false positives | time (median) |")
    print("|---|---|---|---|---|---|---|---|")
    for tool, runner in TOOLS.items():
        if not available(tool):
            print(f"| {tool} | not installed | | | | | | |")
            continue
        for label, target in (("projects", projects), ("packages", packages)):
            times = []
            found: set[tuple[str, int]] = set()
            for _ in range(args.runs):
                seconds, found = runner(target)
                times.append(seconds)
            tp, fp, fn = line_scores(found, truth if label == "projects" else {}, label)
            precision = tp / (tp + fp) if tp + fp else (1.0 if label == "packages" else 0.0)
            recall = tp / (tp + fn) if tp + fn else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            cells = f"{precision:.3f} | {recall:.3f} | {f1:.3f}" if label == "projects" else "- | - | -"
            print(f"| {tool} | {label} | {cells} | {len(found)} | {fp} | {statistics.median(times):.2f} s |")
    print("\n| scoring 10,000 candidates | time (median of 5) |\n|---|---|")
    for name, ms in scoring_speed(projects, Path(args.dataset)).items():
        print(f"| {name} | {ms:.0f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
