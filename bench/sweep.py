"""Where chosen rules report over many real files, to check a new or changed rule for false errors.

    python -m bench.sweep sets --select CWB139,CWB140            # every labelled file of every bench/realworld set
    python -m bench.sweep heads --select CWB139,CWB140           # definition-like files at HEAD of every mirror
    python -m bench.sweep heads --terraform --select CWP         # the Terraform pipeline folders at HEAD

`sets` extracts each file of the sets (bench/realworld/*.tsv) at its commit, alone in a folder of its own (so only
rules that read the file itself are measured, not the revision around it), and prints each finding with the file's
label: a new rule's errors should fall on `defect` files only. `heads` takes, from the HEAD of every repository in
the mirror ($CODEWARD_MIRROR, default /work/.mirror), the files named like a buildspec, an AppSpec or a pipeline (at
most --per-repo a repository), or with --terraform every folder whose `.tf` files declare an `aws_codepipeline` (the
folder's `.tf` files together, as Terraform reads a module). Files are read with `git show`, never executed.
Each file is linted without the repository around it, so rules that read the repository (hook scripts in the
revision, artifact paths, CWB131, CWP133) are not measured this way: alone in a folder, every such path is missing.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bench.realworld import OUT as REALWORLD_OUT
from bench.realworld import ROOT, git_dir

OUT = REALWORLD_OUT.parent / "sweep"
DEFINITION = re.compile(r"(buildspec|appspec|pipeline)[^/]*\.(ya?ml|json)$", re.IGNORECASE)


def _git(git: Path, *args: str) -> bytes | None:
    try:
        return subprocess.run(["git", "--git-dir", str(git), *args], capture_output=True, check=True).stdout
    except subprocess.CalledProcessError:
        return None


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def extract_sets(mirror: Path, target: Path) -> tuple[dict[str, str], int]:
    """Each labelled file into target/<set>-<id>/<name>; the label of each folder, and how many were unavailable."""
    labels: dict[str, str] = {}
    missing = 0
    for tsv in sorted((ROOT / "bench" / "realworld").glob("*.tsv")):
        with open(tsv, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                git = git_dir(mirror, row["repository"])
                data = _git(git, "show", f"{row['commit']}:{row['path']}") if git else None
                if data is None:
                    missing += 1
                    continue
                folder = f"{tsv.stem}-{row['id']}"
                _write(target / folder / os.path.basename(row["path"]), data)
                labels[folder] = row["label"]
    return labels, missing


def _repositories(mirror: Path) -> list[tuple[str, Path]]:
    found = []
    for entry in sorted(mirror.iterdir()):
        git = git_dir(mirror, entry.name.replace("+", "/", 1)) if entry.is_dir() else None
        if git is not None:
            found.append((entry.name, git))
    return found


def extract_heads(mirror: Path, target: Path, per_repo: int, terraform: bool) -> int:
    """Definition-like files (or Terraform pipeline folders) at HEAD of every mirrored repository; how many."""
    count = 0
    for name, git in _repositories(mirror):
        listing = _git(git, "ls-tree", "-r", "--name-only", "HEAD")
        paths = listing.decode("utf-8", "replace").splitlines() if listing else []
        if terraform:
            folders: dict[str, list[str]] = {}
            for path in paths:
                if path.endswith(".tf"):
                    folders.setdefault(os.path.dirname(path), []).append(path)
            for folder, files in folders.items():
                texts = {path: _git(git, "show", f"HEAD:{path}") or b"" for path in files}
                if not any(b'resource "aws_codepipeline"' in text for text in texts.values()):
                    continue
                for path, text in texts.items():
                    _write(target / name / folder.replace("/", "_") / os.path.basename(path), text)
                count += sum(b'resource "aws_codepipeline"' in text for text in texts.values())
            continue
        chosen = [path for path in paths if DEFINITION.search(os.path.basename(path))][:per_repo]
        for path in chosen:
            data = _git(git, "show", f"HEAD:{path}")
            if data is not None:
                # One folder per file keeps a file's name (kinds are read from names and content).
                _write(target / name / path.replace("/", "_") / os.path.basename(path), data)
                count += 1
    return count


def lint(target: Path, select: str, jobs: int) -> list[dict]:
    command = [sys.executable, "-m", "codeward", "lint", "--isolated", "--no-cache", "--format", "json"]
    command += ["--select", select, "--jobs", str(jobs), "."]
    result = subprocess.run(command, cwd=target, capture_output=True, text=True)
    if result.returncode not in (0, 1):
        sys.exit(f"codeward lint failed ({result.returncode}): {result.stderr.strip()}")
    report = json.loads(result.stdout or "[]")
    return report if isinstance(report, list) else report.get("findings", [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("sets", "heads"))
    parser.add_argument("--select", required=True, help="rule codes or prefixes, as codeward lint --select")
    parser.add_argument("--per-repo", type=int, default=20, help="heads: at most this many files a repository")
    parser.add_argument("--terraform", action="store_true", help="heads: Terraform pipeline folders instead")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    mirror = Path(os.environ.get("CODEWARD_MIRROR", "/work/.mirror"))
    target = OUT / args.what
    shutil.rmtree(target, ignore_errors=True)
    labels: dict[str, str] = {}
    if args.what == "sets":
        labels, missing = extract_sets(mirror, target)
        print(f"{len(labels)} labelled files extracted ({missing} not in the mirror)")
    else:
        count = extract_heads(mirror, target, args.per_repo, args.terraform)
        what = "Terraform files with an aws_codepipeline" if args.terraform else "definition-like files"
        print(f"{count} {what} from the HEAD of {len(_repositories(mirror))} mirrored repositories")
    findings = lint(target, args.select, args.jobs)
    by_rule: Counter[tuple[str, str, str]] = Counter()
    for finding in findings:
        path = str(finding.get("path") or finding.get("filename") or "")
        folder = Path(path).parts[0] if Path(path).parts else ""
        label = labels.get(folder, "-")
        by_rule[(finding.get("code", ""), finding.get("severity", ""), label)] += 1
        print(f"  {path}:{finding.get('line')}: {finding.get('severity')} {finding.get('code')} [{label}]")
    print(f"{len(findings)} findings")
    for (code, severity, label), number in sorted(by_rule.items()):
        print(f"  {code} {severity} on {label}: {number}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
