"""`python -m codeward.reviewer.ml.dataset`: build the labelled candidates the classifier learns from, offline.

Sources and labelling rules (docs/ml.md explains them at length):

- secrets, generated: synthetic projects (`reviewer.ml.generate`) with credentials in each provider's real
  format (checksums included where the format defines one) and look-alikes (documentation example keys,
  placeholders, digests, UUIDs, Secrets Manager and SSM ids, environment variable names, base64 blobs, URLs,
  paths, regexes, test fixtures) embedded in Python, .env, YAML, JSON and INI files. A candidate is
  positive when its value contains a planted credential, negative otherwise.
- secrets, mined: the string literals of the installed third-party packages (the project's virtualenv), all
  negative; literals in a known provider format are dropped rather than trusted either way. Each
  distribution is one group; detect-secrets and CredSweeper (the bench's baselines) are never mined.
- injection, generated: functions with a sink whose safety is known by construction (untrusted source or
  constant; f-string, `%`, `+`, `.format`, bound parameters, argument lists; known sanitizers, custom
  validators, allow-list lookups; sinks in helpers that receive the untrusted value from their caller).
- injection, rule cases: the taint rules' own VALID/INVALID cases and the labelled corpus
  (`tests/reviewer_corpus/injection`).

Every record carries its group (a project, a distribution, a rule); the split keeps each group on one side.
The output is JSON lines: features, label, group, where, and what the two baselines say.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

from codeward.reviewer.ml.candidates import python_secret_candidates, sink_candidates, text_secret_candidates
from codeward.reviewer.ml.features import (
    SecretCandidate,
    entropy,
    provider_of,
    secret_features,
    sink_features,
)

# Under the cache directory: ignored by git and never reviewed (the generated projects hold fake credentials).
DEFAULT_OUT = ".codeward_cache/ml"
SECRET_CODES = frozenset({"CWR201", "CWR202", "CWR203"})
EXCLUDED_DISTRIBUTIONS = frozenset({"detect-secrets", "detect_secrets", "credsweeper", "codeward"})
_HEX = re.compile(r"[0-9a-fA-F]+")
_B64 = re.compile(r"[A-Za-z0-9+/_=-]+")


def held_out(group: str) -> str:
    """The side of a group: "test" (a fifth), "calibration" (a fifth) or "train", fixed by its name."""
    slot = zlib.crc32(group.encode()) % 5
    return "test" if slot == 0 else "calibration" if slot == 1 else "train"


def regex_entropy(value: str) -> bool:
    """The classic baseline: a known provider format, or a long string of high Shannon entropy (the
    thresholds detect-secrets uses by default: 4.5 bits for base64 strings, 3.0 for hex)."""
    if provider_of(value)[0]:
        return True
    if len(value) < 20:
        return False
    if _HEX.fullmatch(value):
        return entropy(value) > 3.0
    return bool(_B64.fullmatch(value)) and entropy(value) > 4.5


def _rule_hits(path: str, text: str) -> set[tuple[int, int]]:
    """(line, column) of the secret rules' findings on a file (the rules-alone baseline)."""
    if path.endswith(".py"):
        from codeward.reviewer.review import review_text

        findings = review_text(path, text, lambda code: code in SECRET_CODES)
    else:
        from codeward.reviewer.review import scan_secrets

        from codeward.config import Config

        findings = [f for r in scan_secrets([path], Config()) for f in r.findings]
    return {(f.span.line, f.span.column) for f in findings if f.code in SECRET_CODES}


def _flagged(candidate: SecretCandidate, hits: set[tuple[int, int]]) -> bool:
    return any(
        line == candidate.line and candidate.column <= column < max(candidate.end_column, candidate.column + 1)
        if candidate.end_line == candidate.line
        else line == candidate.line and column >= candidate.column
        for line, column in hits
    )


def secret_candidates(path: str, text: str) -> list[SecretCandidate]:
    return python_secret_candidates(path, text) if path.endswith(".py") else text_secret_candidates(path, text)


def _secret_record(c: SecretCandidate, label: int, group: str, source: str, rule: bool) -> dict:
    numeric, hashed = secret_features(c)
    return {"category": "secrets", "group": group, "source": source, "path": c.path, "line": c.line,
            "column": c.column, "label": label, "numeric": [round(x, 6) for x in numeric], "hashed": hashed,
            "rule": int(rule), "regex": int(regex_entropy(c.value))}  # fmt: skip


def generated_secrets(out: Path, projects: int, seed: int) -> Iterator[dict]:
    from codeward.reviewer.ml.generate import secret_project

    for number in range(projects):
        project = secret_project(seed * 100_003 + number)
        for generated in project.files:
            path = out / "projects" / project.name / generated.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(generated.text, encoding="utf-8")
            hits = _rule_hits(str(path), generated.text)
            for c in secret_candidates(str(path), generated.text):
                label = int(any(s in c.value or (c.value in s and len(c.value) >= 16) for s in generated.secrets))
                yield _secret_record(c, label, project.name, "generated", _flagged(c, hits))


def _distributions(site: Path) -> dict[str, list[Path]]:
    """Installed distribution -> its top-level package directories (from each RECORD file)."""
    out: dict[str, list[Path]] = {}
    for info in sorted(site.glob("*.dist-info")):
        name = info.name.split("-", 1)[0].lower().replace("_", "-")
        if name.replace("-", "_") in EXCLUDED_DISTRIBUTIONS or name in EXCLUDED_DISTRIBUTIONS:
            continue
        record = info / "RECORD"
        if not record.is_file():
            continue
        tops = set()
        for line in record.read_text(encoding="utf-8", errors="replace").splitlines():
            top = line.split(",", 1)[0].split("/", 1)[0]
            if top and not top.endswith((".dist-info", ".data")) and (site / top).is_dir() and top != "__pycache__":
                tops.add(top)
        if tops:
            out[name] = [site / t for t in sorted(tops)]
    return out


def mined_secrets(site: Path, files_per_package: int, per_package: int, seed: int) -> Iterator[dict]:
    rng = random.Random(seed)
    for distribution, tops in _distributions(site).items():
        files = sorted(p for top in tops for p in top.rglob("*.py") if p.stat().st_size < 200_000)
        rng.shuffle(files)
        kept = 0
        for path in files[:files_per_package]:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            candidates = [c for c in python_secret_candidates(str(path), text) if not provider_of(c.value)[0]]
            if not candidates:
                continue
            rng.shuffle(candidates)
            candidates = candidates[: max(1, per_package // max(1, files_per_package // 2))]
            hits = _rule_hits(str(path), text)
            for c in candidates:
                yield _secret_record(c, 0, f"pkg-{distribution}", "mined", _flagged(c, hits))
                kept += 1
            if kept >= per_package:
                break


def _sink_record(c, label: int, group: str, source: str, fires: bool) -> dict:
    numeric, hashed = sink_features(c)
    return {"category": "injection", "group": group, "source": source, "path": c.path, "line": c.line,
            "column": c.column, "label": label, "numeric": numeric, "hashed": hashed, "rule": int(fires),
            "regex": int(c.build not in ("literal",)), "code": c.code}  # fmt: skip


def generated_injection(out: Path, projects: int, seed: int) -> Iterator[dict]:
    from codeward.reviewer.ml.generate import injection_project

    for number in range(projects):
        project = injection_project(seed * 100_019 + number + 7)
        for generated in project.files:
            path = out / "projects" / project.name / generated.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(generated.text, encoding="utf-8")
            for c, fires in sink_candidates(str(path), generated.text):
                yield _sink_record(c, int(c.line in generated.vulnerable), project.name, "generated", fires)


def rule_case_injection(root: Path) -> Iterator[dict]:
    from codeward.reviewer.rules import all_rules
    from codeward.reviewer.rules._base import TaintSink

    for rule in all_rules():
        if not issubclass(rule, TaintSink):
            continue
        for index, case in enumerate((*rule.VALID, *rule.INVALID)):
            path = f"rule-cases/{rule.code}/{index}.py"
            for c, fires in sink_candidates(path, case.source):
                if c.code != rule.code:
                    continue
                label = int(hasattr(case, "line") and (c.line, c.column) == (case.line, case.column))  # type: ignore[union-attr]
                yield _sink_record(c, label, f"rule-{rule.code}", "rule-cases", fires)
    corpus = root / "tests" / "reviewer_corpus" / "injection"
    for path in sorted(corpus.glob("*.py")) if corpus.is_dir() else ():
        text = path.read_text(encoding="utf-8")
        header = re.match(r"# codeward-corpus: (vulnerable|safe) (CWR\d+)", text)
        if header is None:
            continue
        stem = path.name.rsplit("_", 1)[0]
        for c, fires in sink_candidates(str(path), text):
            if c.code == header.group(2):
                yield _sink_record(c, int(header.group(1) == "vulnerable"), f"corpus-{stem}", "corpus", fires)


def build(out: Path, *, secret_projects: int = 240, injection_projects: int = 160, files_per_package: int = 80,
          per_package: int = 700, seed: int = 1, site: Path | None = None, root: Path | None = None,
          progress: bool = False) -> list[dict]:  # fmt: skip
    """Build every record (and write the generated projects under `out/projects/`)."""
    out.mkdir(parents=True, exist_ok=True)
    root = root or Path(__file__).resolve().parents[2]
    site = site or _site_packages()
    records: list[dict] = []
    steps = (
        ("generated secrets", lambda: generated_secrets(out, secret_projects, seed)),
        ("mined literals", lambda: mined_secrets(site, files_per_package, per_package, seed) if site else iter(())),
        ("generated injection", lambda: generated_injection(out, injection_projects, seed)),
        ("rule cases", lambda: rule_case_injection(root)),
    )
    for label, step in steps:
        before = len(records)
        records.extend(step())
        if progress:
            print(f"  {label}: {len(records) - before} candidates", file=sys.stderr)
    return records


def _site_packages() -> Path | None:
    import sysconfig

    path = Path(sysconfig.get_paths()["purelib"])
    return path if path.is_dir() else None


def write(records: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, separators=(",", ":")) + "\n")


def read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m codeward.reviewer.ml.dataset", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"output directory (default: {DEFAULT_OUT})")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--secret-projects", type=int, default=240)
    parser.add_argument("--injection-projects", type=int, default=160)
    parser.add_argument("--files-per-package", type=int, default=80)
    parser.add_argument("--quick", action="store_true", help="a small slice (for tests and quick checks)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if args.quick:
        args.secret_projects, args.injection_projects, args.files_per_package = 30, 20, 4
    records = build(out, secret_projects=args.secret_projects, injection_projects=args.injection_projects,
                    files_per_package=args.files_per_package, seed=args.seed, progress=True)  # fmt: skip
    write(records, out / "dataset.jsonl")
    by = {}
    for r in records:
        key = (r["category"], held_out(r["group"]))
        pos, n = by.get(key, (0, 0))
        by[key] = (pos + r["label"], n + 1)
    for (category, side), (pos, n) in sorted(by.items()):
        print(f"{category:10} {side:12} {n:7} candidates, {pos:6} positive")
    print(f"wrote {len(records)} records to {out / 'dataset.jsonl'}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
