"""`python -m codeward.reviewer.ml.evaluate`: precision, recall, F1 and PR-AUC per category on the held-out groups.

The classifier is scored by the plain-Python scorer from the model file, exactly as the reviewer scores.
Baselines on the same candidates: regex-plus-entropy alone (secrets: a known provider format, or a string of
high entropy with detect-secrets' default limits; injection: the sink pattern alone, i.e. any sink call whose
argument is not a plain literal), the rules alone (codeward's own rules without the classifier), and
detect-secrets where it is installed (its findings mapped to candidates by line).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from codeward.reviewer.ml.dataset import DEFAULT_OUT, held_out, read
from codeward.reviewer.ml.score import MODEL_PATH, load
from codeward.reviewer.ml.train import CATEGORIES, average_precision


@dataclass
class Scores:
    precision: float
    recall: float
    f1: float
    pr_auc: float
    n: int
    positives: int


def scores(labels: list[int], predicted: list[bool], ranking: list[float]) -> Scores:
    tp = sum(1 for y, p in zip(labels, predicted, strict=True) if y and p)
    fp = sum(1 for y, p in zip(labels, predicted, strict=True) if not y and p)
    fn = sum(1 for y, p in zip(labels, predicted, strict=True) if y and not p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, average_precision(labels, ranking), len(labels), sum(labels))


def detect_secrets_lines(paths: set[str]) -> dict[str, set[int]] | None:
    """Lines detect-secrets flags in each file with its default plugins and filters, or None if it is not
    installed."""
    try:
        from detect_secrets import SecretsCollection
        from detect_secrets.settings import default_settings
    except ImportError:
        return None
    out: dict[str, set[int]] = {}
    with default_settings():
        collection = SecretsCollection()
        for path in sorted(paths):
            collection.scan_file(path)
        for filename, secret in collection:
            out.setdefault(str(Path(filename).resolve()), set()).add(secret.line_number)
    return out


def _lines(rows: list[dict], probs: list[float]) -> tuple[list[dict], list[float]]:
    merged: dict[tuple[str, int], tuple[dict, float]] = {}
    for row, p in zip(rows, probs, strict=True):
        key = (row["path"], row["line"])
        old = merged.get(key)
        if old is None:
            merged[key] = ({"path": row["path"], "line": row["line"], "label": row["label"], "regex": row["regex"],
                            "rule": row["rule"]}, p)  # fmt: skip
        else:
            kept = old[0]
            for field in ("label", "regex", "rule"):
                kept[field] = max(kept[field], row[field])
            merged[key] = (kept, max(old[1], p))
    return [m[0] for m in merged.values()], [m[1] for m in merged.values()]


def evaluate(records: list[dict], model_path: str = MODEL_PATH, *, detect_secrets: bool = True) -> dict:
    """{category: {method: Scores}} on the held-out side; also "secrets (generated)": the real-format
    credentials and look-alikes only, without the mined literals; and both by line, where detect-secrets
    joins the comparison."""
    model = load(model_path)
    report: dict[str, dict[str, Scores]] = {}
    for category in CATEGORIES:
        test = [r for r in records if r["category"] == category and held_out(r["group"]) == "test"]
        if not test:
            continue
        scorer = model[category]
        probabilities = [scorer.probability((r["numeric"], r["hashed"])) for r in test]
        subsets = [(category, test, probabilities, False)]
        if category == "secrets":
            keep = [i for i, r in enumerate(test) if r["source"] == "generated"]
            generated = ([test[i] for i in keep], [probabilities[i] for i in keep])
            subsets.append(("secrets (generated)", *generated, False))
            # Line-level tools (detect-secrets) are compared by line: a line is positive if any of its
            # candidates is, and flagged if any of its candidates is.
            subsets.append(("secrets, by line", test, probabilities, True))
            subsets.append(("secrets (generated), by line", *generated, True))
        for label, rows, probs, by_line in subsets:
            if by_line:
                rows, probs = _lines(rows, probs)
            labels = [r["label"] for r in rows]
            table = {
                "classifier": scores(labels, [p >= scorer.threshold for p in probs], probs),
                "regex + entropy" if category == "secrets" else "sink pattern": scores(
                    labels, [bool(r["regex"]) for r in rows], [float(r["regex"]) for r in rows]
                ),
                "rules alone": scores(labels, [bool(r["rule"]) for r in rows], [float(r["rule"]) for r in rows]),
            }
            if by_line and detect_secrets:
                flagged = detect_secrets_lines({str(Path(r["path"]).resolve()) for r in rows})
                if flagged is not None:
                    hits = [r["line"] in flagged.get(str(Path(r["path"]).resolve()), ()) for r in rows]
                    table["detect-secrets"] = scores(labels, hits, [float(h) for h in hits])
            report[label] = table
    return report


def markdown(report: dict) -> str:
    lines = [
        "| category | method | precision | recall | F1 | PR-AUC | candidates (positive) |",
        "|---|---|---|---|---|---|---|",
    ]
    for category, table in report.items():
        for method, s in table.items():
            lines.append(f"| {category} | {method} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | "
                         f"{s.pr_auc:.3f} | {s.n} ({s.positives}) |")  # fmt: skip
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m codeward.reviewer.ml.evaluate", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--dataset", default=f"{DEFAULT_OUT}/dataset.jsonl")
    parser.add_argument("--model", default=MODEL_PATH)
    parser.add_argument("--no-detect-secrets", action="store_true", help="skip the detect-secrets baseline")
    args = parser.parse_args(argv)
    dataset = Path(args.dataset)
    if not dataset.is_file():
        print(
            f"codeward: error: {dataset} does not exist; build it with python -m codeward.reviewer.ml.dataset",
            file=sys.stderr,
        )
        return 2
    from codeward.reviewer.ml.score import ModelError

    try:
        report = evaluate(read(dataset), args.model, detect_secrets=not args.no_detect_secrets)
    except ModelError as exc:
        print(f"codeward: error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
