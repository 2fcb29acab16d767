"""Lint the real-world corpus (bench/realworld/corpus.tsv) as users would, and score it against the hand labels.

Each repository is extracted at the listed commit (from a local git mirror, see bench/realworld/README.md)
into bench/out/realworld/, and every file is checked from the root of its checkout:

- named on the command line: `codeward lint PATH`;
- by every codeward pre-commit hook whose `files`/`types` select it (lint, simulate), as pre-commit runs them;
- `codeward lint --fix` on a copy, to see whether it would rewrite a file.

Figures: false errors / files AWS accepts (an error of any of the runs on a file labelled `ok`), defects found /
files with real defects (an error on the file; and at a labelled line), warnings or errors on files that are not
AWS definitions, and files `--fix` would rewrite although they are not defects.

    python bench/realworld.py [--set corpus|validation|extension|holdout|fresh|fresh2|fresh3|fresh4|fresh5|fresh6|fresh7|fresh8|fresh9|fresh10|fresh11] [--show] [--json OUT] [--jobs N] [--only ID,ID]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The corpus used while fixing (in-sample) and a validation set gathered and labelled afterwards (out-of-sample),
# from repositories that are not in the corpus.
SETS = {
    "corpus": ROOT / "bench" / "realworld" / "corpus.tsv",
    "validation": ROOT / "bench" / "realworld" / "validation.tsv",
    # Labelled by hand after the fixes for the validation set, before codeward ran on any of them, from
    # repositories in neither list: more defects to measure the defect side on.
    "extension": ROOT / "bench" / "realworld" / "extension.tsv",
    # Labelled after the extension set's fixes, before codeward ran on them: out of sample for those fixes.
    "holdout": ROOT / "bench" / "realworld" / "holdout.tsv",
    # Gathered and labelled after all of the above (labels committed alone, 4e5c162), from repositories in none of
    # them: out of sample at its first run.
    "fresh": ROOT / "bench" / "realworld" / "fresh.tsv",
    # Gathered and labelled after the fresh set's fixes (labels committed alone, dbf81d4), from repositories in
    # none of the sets above: out of sample at its first run.
    "fresh2": ROOT / "bench" / "realworld" / "fresh2.tsv",
    # Gathered and labelled after the fresh2 set's fixes (labels committed alone, 429eff7), from repositories in
    # none of the sets above, favouring abandoned samples and commits that issue threads report as failing.
    "fresh3": ROOT / "bench" / "realworld" / "fresh3.tsv",
    # Gathered and labelled after the fresh3 set's fixes, from repositories in none of the sets above, taken at
    # commits that a later fix commit of the same repository shows broken (and those fixes themselves).
    "fresh4": ROOT / "bench" / "realworld" / "fresh4.tsv",
    # Gathered and labelled after the fresh4 set's fixes, from repositories in none of the sets above: each defect
    # label rests on a later fix commit of the same repository, and the fixed versions are in the set as `ok`.
    "fresh5": ROOT / "bench" / "realworld" / "fresh5.tsv",
    # Gathered and labelled after the fresh5 set's fixes, from repositories in none of the sets above (22 owners):
    # each defect label rests on a later fix commit of the same repository, the fixed versions are in as `ok`.
    "fresh6": ROOT / "bench" / "realworld" / "fresh6.tsv",
    # Gathered and labelled after the fresh6 set's fixes, from repositories in none of the sets above (16 owners),
    # weighted toward pipelines (CLI JSON, CloudFormation, Terraform) and AppSpecs: each defect label rests on a
    # later commit of the same repository that repairs it, the repaired versions are in as `ok`.
    "fresh7": ROOT / "bench" / "realworld" / "fresh7.tsv",
    # Gathered and labelled after the fresh7 set's fixes, from repositories in none of the sets above, weighted
    # toward Terraform pipelines and the buildspecs and AppSpecs beside them: each defect label rests on a later
    # commit of the same repository that repairs it, the repaired versions are in as `ok`.
    "fresh8": ROOT / "bench" / "realworld" / "fresh8.tsv",
    # Gathered and labelled after the fresh8 set's fixes (labels committed alone, e8c6dc4), from repositories of
    # owners in none of the sets above, weighted toward Terraform pipelines and AppSpecs with hooks: each defect
    # label rests on a later commit of the same repository that repairs it, the repaired versions are in as `ok`.
    "fresh9": ROOT / "bench" / "realworld" / "fresh9.tsv",
    # Gathered and labelled after the fresh9 set's fixes (labels committed alone), from repositories of owners in
    # none of the sets above, weighted toward Terraform pipelines and AppSpecs with hooks: each defect label rests on
    # a later commit of the same repository that repairs it, the repaired versions are in as `ok`.
    "fresh10": ROOT / "bench" / "realworld" / "fresh10.tsv",
    # Gathered and labelled after the fresh10 set's fixes (labels committed alone), from repositories of owners in
    # none of the sets above, weighted toward the buildspecs, Terraform pipelines and AppSpecs whose first-run recall
    # was weakest: each defect label rests on a later commit of the same repository that repairs it (a few, said so,
    # on the repository's last version), the repaired versions are in as `ok`.
    "fresh11": ROOT / "bench" / "realworld" / "fresh11.tsv",
    # Gathered and labelled after the fresh11 set's fixes (labels committed alone), from 23 repositories of owners
    # in none of the sets above (code-search results and find_files listings), before codeward ran on any of them.
    "fresh12": ROOT / "bench" / "realworld" / "fresh12.tsv",
}
OUT = ROOT / "bench" / "out" / "realworld"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
ACCEPTED = ("ok",)


@dataclass
class Entry:
    id: str
    repository: str
    commit: str
    path: str
    kind: str
    label: str
    lines: list[int]
    evidence: str


@dataclass
class Outcome:
    entry: Entry
    missing: str = ""
    # (run, severity, code, line, message)
    findings: list[tuple[str, str, str, int, str]] = field(default_factory=list)
    rewritten: bool = False
    crashed: list[str] = field(default_factory=list)

    def severities(self, severity: str) -> list[tuple[str, str, str, int, str]]:
        return [f for f in self.findings if f[1] == severity]

    @property
    def errors(self) -> list[tuple[str, str, str, int, str]]:
        return self.severities("error")

    def error_at_label(self) -> bool:
        return any(abs(f[3] - line) <= 1 for f in self.errors for line in self.entry.lines)


def read_corpus(only: set[str] | None, corpus: Path = SETS["corpus"]) -> list[Entry]:
    entries = []
    with open(corpus, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if only and row["id"] not in only:
                continue
            lines = [int(x) for x in row["lines"].split(",") if x.strip().isdigit()]
            entries.append(
                Entry(
                    row["id"],
                    row["repository"],
                    row["commit"],
                    row["path"],
                    row["kind"],
                    row["label"],
                    lines,
                    row["evidence"],
                )
            )
    return entries


def git_dir(mirror: Path, repository: str) -> Path | None:
    base = mirror / repository.replace("/", "+", 1) / "repo"
    for candidate in (base / ".git", base):
        if (candidate / "objects").is_dir():
            return candidate
    return None


def checkout(mirror: Path, entry: Entry) -> Path | str:
    """The repository's tree at the commit, extracted once and reused by later runs."""
    target = OUT / "checkouts" / f"{entry.repository.replace('/', '+', 1)}@{entry.commit[:12]}"
    if (target / ".complete").exists():
        return target
    gdir = git_dir(mirror, entry.repository)
    if gdir is None:
        return f"no mirror of {entry.repository} (fetch it into {mirror})"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    problem = extract(gdir, entry.commit, target)
    if problem:
        return problem
    (target / ".git").mkdir()  # a checkout's root, as users have it (codeward finds the repository's buildspecs)
    (target / ".complete").touch()
    return target


def extract(gdir: Path, commit: str, target: Path) -> str:
    """Write the commit's tree under target. The mirrors lack files of 4 MiB and more (binaries, media): those
    become empty files, so a path that exists in the repository exists here too. Symbolic links become files
    holding their target, submodules are left out."""
    listing = subprocess.run(
        ["git", "--git-dir", str(gdir), "ls-tree", "-r", "-z", "--full-tree", commit], capture_output=True
    )
    if listing.returncode:
        return f"git ls-tree failed: {listing.stderr.decode(errors='replace').strip()}"
    blobs = []
    for record in listing.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        _mode, kind, sha = meta.split()
        relative = os.path.normpath(name.decode("utf-8", "surrogateescape"))
        if kind != b"blob" or relative.startswith(("..", "/")):
            continue
        blobs.append((sha.decode(), relative))
    with subprocess.Popen(
        ["git", "--git-dir", str(gdir), "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as batch:
        assert batch.stdin is not None and batch.stdout is not None
        for sha, relative in blobs:
            batch.stdin.write(sha.encode() + b"\n")
            batch.stdin.flush()
            header = batch.stdout.readline().split()
            data = b""
            if len(header) == 3:
                data = batch.stdout.read(int(header[2]))
                batch.stdout.read(1)
            path = target / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        batch.stdin.close()
    return ""


def load_hooks() -> list[dict]:
    import yaml

    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    # Only the definition hooks: lint and simulate (review and secrets look at other files).
    return [h for h in hooks if h["entry"].split()[:2] in (["codeward", "lint"], ["codeward", "simulate"])]


def hook_selects(hook: dict, tree: Path, path: str) -> bool:
    from identify.identify import tags_from_path

    if not re.search(hook.get("files", ""), path) or re.search(hook.get("exclude", "^$"), path):
        return False
    tags = tags_from_path(str(tree / path))
    if hook.get("types") and not set(hook["types"]) <= tags:
        return False
    return not (hook.get("types_or") and not set(hook["types_or"]) & tags)


def run_codeward(args: list[str], cwd: Path) -> tuple[list[dict], str]:
    done = subprocess.run(
        [sys.executable, "-m", "codeward", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    if done.returncode == 2 or not done.stdout.strip():
        return [], f"exit {done.returncode}: {done.stderr.strip()[-400:]}"
    findings: list[dict] = []
    # simulate prints one JSON document per file; lint one for the run.
    decoder = json.JSONDecoder()
    text = done.stdout.strip()
    while text:
        document, end = decoder.raw_decode(text)
        findings += document.get("findings", [])
        text = text[end:].strip()
    return findings, ""


def check(entry: Entry, mirror: Path, hooks: list[dict]) -> Outcome:
    outcome = Outcome(entry)
    tree = checkout(mirror, entry)
    if isinstance(tree, str):
        outcome.missing = tree
        return outcome
    runs: list[tuple[str, list[str]]] = [("lint", ["lint", "--isolated", "--no-cache", "--format", "json", entry.path])]
    for hook in hooks:
        if hook["id"] != "codeward-fix" and hook_selects(hook, tree, entry.path):
            argv = hook["entry"].split()[1:] + hook.get("args", [])
            runs.append((hook["id"], [*argv, "--isolated", "--format", "json", entry.path]))
    seen: set[tuple[str, int, str]] = set()
    for name, argv in runs:
        findings, problem = run_codeward(argv, tree)
        if problem:
            outcome.crashed.append(f"{name}: {problem}")
        for f in findings:
            key = (f["code"], f["line"], f["message"])
            if key not in seen:
                seen.add(key)
                outcome.findings.append((name, f["severity"], f["code"], f["line"], f["message"]))
    # --fix on a copy of the file, inside the same tree (AppSpec rules look at their revision).
    source = tree / entry.path
    if source.is_file():
        original = source.read_bytes()
        run_codeward(["lint", "--fix", "--isolated", "--no-cache", "--format", "json", entry.path], tree)
        if source.read_bytes() != original:
            outcome.rewritten = True
            source.write_bytes(original)
    return outcome


def summarize(outcomes: list[Outcome]) -> dict:
    accepted = [o for o in outcomes if not o.missing and o.entry.label in ACCEPTED]
    defects = [o for o in outcomes if not o.missing and o.entry.label == "defect"]
    others = [o for o in outcomes if not o.missing and o.entry.label == "other"]
    by_kind: dict[str, dict[str, int]] = {}
    for o in outcomes:
        if o.missing:
            continue
        row = by_kind.setdefault(
            o.entry.kind,
            dict.fromkeys(
                ("files", "accepted", "false_errors", "warned", "defects", "found", "at_line", "noisy", "rewritten"), 0
            ),
        )
        row["files"] += 1
        if o.entry.label in ACCEPTED:
            row["accepted"] += 1
            row["false_errors"] += bool(o.errors)
            row["warned"] += bool(o.severities("warning")) and not o.errors
            row["rewritten"] += o.rewritten
        elif o.entry.label == "defect":
            row["defects"] += 1
            row["found"] += bool(o.errors)
            row["at_line"] += o.error_at_label()
        elif o.entry.label == "other":
            row["noisy"] += bool(o.errors or o.severities("warning"))
            row["rewritten"] += o.rewritten
    return {
        "files": sum(1 for o in outcomes if not o.missing),
        "missing": [o.entry.repository for o in outcomes if o.missing],
        "accepted": len(accepted),
        "false_errors": sum(1 for o in accepted if o.errors),
        "defects": len(defects),
        "found": sum(1 for o in defects if o.errors),
        "found_at_line": sum(1 for o in defects if o.error_at_label()),
        "others": len(others),
        "others_noisy": sum(1 for o in others if o.errors or o.severities("warning")),
        "rewritten": sum(1 for o in outcomes if o.rewritten and o.entry.label != "defect"),
        # Not AWS definitions at all: --fix must never touch them.
        "others_rewritten": sum(1 for o in others if o.rewritten),
        # Definitions AWS accepts that a safe fix of a warning restyles (a quoted port written as a number).
        "accepted_restyled": sum(1 for o in accepted if o.rewritten),
        "crashes": sum(1 for o in outcomes if o.crashed),
        "by_kind": by_kind,
    }


def print_report(summary: dict, outcomes: list[Outcome], show: bool) -> None:
    def pct(a: int, b: int) -> str:
        return f"{100 * a / b:.1f}%" if b else "-"

    print(f"Real-world {summary['set']}: {summary['files']} files checked ({len(summary['missing'])} not available)")
    print()
    print(
        "| kind | files | AWS accepts | with a false error | warning only | with a defect | defect found "
        "| at the defect's line | not AWS, warned | rewritten by --fix |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for kind, row in sorted(summary["by_kind"].items()):
        print(
            f"| {kind} | {row['files']} | {row['accepted']} | {row['false_errors']} | {row['warned']} | "
            f"{row['defects']} | {row['found']} | {row['at_line']} | {row['noisy']} | {row['rewritten']} |"
        )
    print()
    print(
        f"False errors: {summary['false_errors']} / {summary['accepted']} files AWS accepts "
        f"({pct(summary['false_errors'], summary['accepted'])})"
    )
    print(
        f"Defects found: {summary['found']} / {summary['defects']} files with real defects "
        f"({pct(summary['found'], summary['defects'])}); at the defect's line: {summary['found_at_line']}"
    )
    print(
        f"Files that are not AWS definitions with a warning or error: {summary['others_noisy']} / {summary['others']}"
    )
    print(
        f"--fix: rewrites {summary['others_rewritten']} of the {summary['others']} files that are not AWS definitions; "
        f"restyles {summary['accepted_restyled']} of the files AWS accepts (safe fixes of warnings); "
        f"runs that crashed: {summary['crashes']}"
    )
    if not show:
        return
    for o in outcomes:
        if o.missing:
            print(f"\n#{o.entry.id} {o.entry.repository} {o.entry.path}: {o.missing}")
            continue
        bad = (
            (o.entry.label in ACCEPTED and (o.errors or o.rewritten))
            or (o.entry.label == "defect" and not o.error_at_label())
            or (o.entry.label == "other" and (o.errors or o.severities("warning") or o.rewritten))
            or o.crashed
        )
        if not bad:
            continue
        print(
            f"\n#{o.entry.id} [{o.entry.label} {o.entry.kind}] {o.entry.repository} {o.entry.path}"
            f"{' (rewritten by --fix)' if o.rewritten else ''}"
        )
        if o.entry.label == "defect":
            print(f"   defect at {o.entry.lines}: {o.entry.evidence}")
        for run, severity, code, line, message in o.findings:
            if severity != "info":
                print(f"   {run}: {line}: {severity} {code} {message}")
        for crash in o.crashed:
            print(f"   CRASH {crash}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirror", default=os.environ.get("CODEWARD_MIRROR", "/work/.mirror"))
    parser.add_argument("--set", choices=sorted(SETS), default="corpus", help="which labelled list to score")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", help="comma-separated ids")
    parser.add_argument("--show", action="store_true", help="list every false error, missed defect and noisy file")
    parser.add_argument("--json", metavar="OUT", help="write every file's findings and the summary as JSON")
    args = parser.parse_args()
    entries = read_corpus(set(args.only.split(",")) if args.only else None, SETS[args.set])
    hooks = load_hooks()
    mirror = Path(args.mirror)
    for entry in {(e.repository, e.commit): e for e in entries}.values():
        checkout(mirror, entry)  # once per repository, before the parallel runs share the trees
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        outcomes = list(pool.map(lambda e: check(e, mirror, hooks), entries))
    summary = summarize(outcomes)
    summary["set"] = args.set
    print_report(summary, outcomes, args.show)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(
                {
                    "summary": summary,
                    "files": [
                        {
                            "id": o.entry.id,
                            "label": o.entry.label,
                            "kind": o.entry.kind,
                            "findings": o.findings,
                            "rewritten": o.rewritten,
                            "missing": o.missing,
                            "crashed": o.crashed,
                        }
                        for o in outcomes
                    ],
                },
                handle,
                indent=1,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
