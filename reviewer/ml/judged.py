"""`python -m codeward.reviewer.ml.judged`: train and evaluate the finding-confidence model on judged real findings.

Material: the findings of `codeward review --select ALL` on the real projects of `bench/reviewer/realcode.py`
that independent judges labelled (`bench/reviewer/judgments.jsonl`: true = a reviewer wants the comment;
false and not-worth-a-comment are both negatives). Each judged file is reviewed again in this process so that
the features are exactly what a review computes (`finding.py`); a judgment whose finding the current rules no
longer produce is counted and left out.

Evaluation: leave one project out. For each project a model is fitted on the others' findings and scores the
held-out project's; the pooled held-out scores give the ROC AUC, the Brier score and a reliability table.
A baseline that knows only each rule's rate of true findings on the other projects shows how much the
features add to the rule's identity. Then one model is fitted on every project and written to
`reviewer/ml/findings.json` (`--write`), as JSON weights that `score.py` applies in plain Python.

Needs scikit-learn and the projects unpacked (`python -m bench.reviewer.realcode extract`); run from the
repository root.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import math
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from codeward.reviewer.ml.features import BUCKETS
from codeward.reviewer.ml.finding import (
    FINDING_NUMERIC,
    MODEL_FILE,
    TOKENS,
    combine,
    finding_features,
    is_secret_rule,
)
from codeward.reviewer.ml.score import FORMAT, VERSION

MODEL_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), MODEL_FILE)
# Regularisation of the logistic regression: fixed in advance, not tuned on the held-out projects.
C = 0.3
# Weight of a suite finding against a judged project finding: the suites are deliberately vulnerable code labelled
# by construction, the projects are what the model is for; the suites only fill in what the projects lack.
SUITE_WEIGHT = 0.25
BINS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0001)


def records(root: Path, jobs: int = 1) -> tuple[list[dict], Counter]:
    """One record per judged finding the current rules reproduce: project, label, features. Each project's files
    are reviewed from the project's own folder, in a process state fresh for that project, as `codeward review`
    run there sees them: relative to this checkout, a project's imports resolved against codeward's own files
    (or nothing), and one process's parsed dependencies (at most MAX_DEPENDENCIES) ran out across projects."""
    sys.path.insert(0, str(root))
    from bench.reviewer.realcode import PROJECTS, load_judgments

    judgments = load_judgments()
    by_project: dict[str, list[tuple[tuple, dict]]] = defaultdict(list)
    known = {p.name for p in PROJECTS}
    for k, item in judgments.items():
        if item["project"] in known:
            by_project[item["project"]].append((k, item))
    tasks = [(str(root), project, sorted(items)) for project, items in sorted(by_project.items())]
    out: list[dict] = []
    counts: Counter = Counter()
    if jobs > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(_project_records, tasks))
    else:
        results = [_project_records(task) for task in tasks]
    for rows, found in results:  # in the projects' order, whatever finished first
        out += rows
        counts.update(found)
    return out, counts


def _project_records(task: tuple[str, str, list[tuple[tuple, dict]]]) -> tuple[list[dict], Counter]:
    root, project, items = task
    sys.path.insert(0, root)
    from codeward.reviewer.dataflow import engine as engines
    from codeward.reviewer.dataflow import project as projects
    from codeward.reviewer.ml import finding as model
    from codeward.reviewer.review import review_text

    from bench.reviewer.realcode import OUT

    model.ENABLED = False  # the findings keep the category classifiers' scores, which are features here
    from codeward.reviewer import measured
    from codeward.reviewer.ml.score import ModelError

    from codeward.findings import Severity

    try:
        shipped, shipped_rules = model._model()
    except ModelError:  # no usable shipped model: its column is left out
        shipped, shipped_rules = None, frozenset()
    projects._PROJECT = None  # parsed dependencies and resolved imports of the previous project
    engines._ENGINES.clear()
    by_file: dict[str, list[tuple[tuple, dict]]] = defaultdict(list)
    for k, item in items:
        by_file[item["path"]].append((k, item))
    out: list[dict] = []
    counts: Counter = Counter()
    here = os.getcwd()
    os.chdir(OUT / "src" / project)
    try:
        for path, judged in sorted(by_file.items()):
            if not os.path.isfile(path):
                raise SystemExit(f"{project}/{path} is missing: run `python -m bench.reviewer.realcode extract` first")
            with open(path, encoding="utf-8", errors="surrogateescape") as handle:
                text = handle.read()
            found = {(f.span.line, f.code): f for f in review_text(path, text, lambda code: True)}
            lines = text.split("\n")
            for (_, _, line, code), item in judged:
                finding = found.get((line, code))
                if finding is None:
                    counts["not reproduced"] += 1
                    continue
                counts["used"] += 1
                numeric, hashed = finding_features(finding, lines, finding.confidence)
                # The confidence `codeward review` reports today (rules the shipped model was not trained on keep
                # their category score, or none: certain).
                reported = finding.confidence if finding.confidence is not None else 1.0
                if shipped is not None and code in shipped_rules:
                    reported = combine(shipped.probability((numeric, hashed)), finding.confidence)  # type: ignore[attr-defined]
                elif (rate := measured.prior(code, finding.severity is Severity.INFO)) is not None:
                    reported = combine(rate, finding.confidence)  # as score_findings() gives rules the model lacks
                out.append({"group": project, "label": 1 if item["verdict"] == "true" else 0,
                            "verdict": item["verdict"], "code": code, "category": finding.confidence,
                            "numeric": numeric, "hashed": hashed, "shipped": reported,
                            "secret": is_secret_rule(code)})  # fmt: skip
    finally:
        os.chdir(here)
    return out, counts


def suite_records(root: Path, half: str = "development") -> tuple[list[dict], Counter]:
    """Injection findings in the labelled cases of the independent suites' development half
    (`bench/reviewer/independent`): inside a vulnerable case of the finding's category, true; inside a safe
    case, false. They teach the model what the real projects lack, injection findings that are right (from an
    HTTP request), next to the projects' ones that are wrong (events, the environment). The validation half
    is never read here, so that suite's figures stay out of sample."""
    import shutil
    import tempfile

    sys.path.insert(0, str(root))
    from codeward.reviewer.ml import finding as model
    from codeward.reviewer.review import review_text

    from bench.reviewer.independent.cases import load_all
    from bench.reviewer.independent.categories import INJECTION, codeward_codes
    from bench.reviewer.independent.extract import line_range, materialize
    from bench.reviewer.independent.mirror import MirrorMissing

    model.ENABLED = False
    suites, cases = load_all(half)
    out: list[dict] = []
    counts: Counter = Counter()
    scratch = tempfile.mkdtemp(prefix="codeward-judged-")
    try:
        for suite in suites.values():
            mine = [c for c in cases if c.suite == suite.name and c.category in INJECTION]
            if not mine:
                continue
            folder = os.path.join(scratch, suite.name)
            try:
                where = materialize(suite, mine, folder)
            except MirrorMissing:
                counts[f"suite without mirror: {suite.name}"] += 1
                continue
            reviewed: dict[str, tuple[list, list[str]]] = {}
            for case in mine:
                file = where[case.key]
                lines_of = line_range(case, file)
                if lines_of is None:
                    continue
                if file not in reviewed:
                    with open(file, encoding="utf-8", errors="surrogateescape") as handle:
                        text = handle.read()
                    relative = os.path.relpath(file, folder).replace(os.sep, "/")
                    reviewed[file] = (review_text(relative, text, lambda code: True), text.split("\n"))
                findings, lines = reviewed[file]
                wanted = codeward_codes(case.category)
                for f in findings:
                    if f.code in wanted and lines_of[0] <= f.span.line <= lines_of[1]:
                        numeric, hashed = finding_features(f, lines, f.confidence)
                        label = 1 if case.vulnerable else 0
                        counts["suite findings"] += 1
                        out.append({"group": f"suite:{suite.name}", "label": label,
                                    "verdict": "true" if label else "false", "code": f.code, "category": f.confidence,
                                    "numeric": numeric, "hashed": hashed,
                                    "secret": is_secret_rule(f.code)})  # fmt: skip
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return out, counts


def sink_rows(project: str, path: str, text: str, items: list[dict]) -> tuple[list[dict], int]:
    """The injection classifier's view of judged findings of one file: for each judgment of a taint rule, the
    sink candidate of that rule on that line (judgments carry no column), its features, its label (true against
    false and not worth a comment) and the shipped classifier's probability; and how many had no candidate."""
    from codeward.reviewer.ml.candidates import sink_candidates
    from codeward.reviewer.ml.features import sink_features
    from codeward.reviewer.ml.score import shipped

    scorer = shipped()["injection"]
    found: dict[tuple[str, int], Any] = {}
    for candidate, _ in sink_candidates(path, text, frozenset(i["code"] for i in items)):
        found.setdefault((candidate.code, candidate.line), candidate)
    rows: list[dict] = []
    for item in items:
        candidate = found.get((item["code"], item["line"]))
        if candidate is not None:
            features = sink_features(candidate)
            rows.append({"group": project, "code": item["code"], "label": int(item["verdict"] == "true"),
                         "verdict": item["verdict"], "shipped": scorer.probability(features)})  # fmt: skip
    return rows, len(items) - len(rows)


def injection_report(root: Path) -> str:
    """Is the injection classifier (trained on generated functions, the rules' cases and the team's corpus)
    worth retraining on the judged real findings of the taint rules it scores? Their count, how many are true
    and where, and the shipped classifier's ROC AUC on them (it never saw them)."""
    sys.path.insert(0, str(root))
    from codeward.reviewer.ml.confidence import injection_rules

    from bench.reviewer.realcode import OUT, PROJECTS, load_judgments

    codes, known = injection_rules(), {p.name for p in PROJECTS}
    by_file: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for item in load_judgments().values():
        if item["code"] in codes and item["project"] in known:
            by_file[(item["project"], item["path"])].append(item)
    rows: list[dict] = []
    missing = 0
    for (project, path), items in sorted(by_file.items()):
        file = OUT / "src" / project / path
        if not file.is_file():
            raise SystemExit(f"{project}/{path} is missing: run `python -m bench.reviewer.realcode extract` first")
        found, lost = sink_rows(project, path, file.read_text(encoding="utf-8", errors="surrogateescape"), items)
        rows += found
        missing += lost
    verdicts = Counter(r["verdict"] for r in rows)
    true_by = Counter(f"{r['group']} {r['code']}" for r in rows if r["label"])
    labels = [r["label"] for r in rows]
    return "\n".join([
        f"judged findings of the {len(codes)} taint rules the injection classifier scores: {len(rows)} with their "
        f"sink candidate ({verdicts['true']} true, {verdicts['false']} false, {verdicts['noise']} not worth a "
        f"comment; {missing} judgments without one) over {len({r['group'] for r in rows})} projects",
        "true ones: " + (", ".join(f"{k} ({n})" for k, n in sorted(true_by.items())) or "none"),
        f"shipped injection classifier on them: ROC AUC {_f(auc(labels, [r['shipped'] for r in rows]))}, "
        f"Brier score {brier(labels, [r['shipped'] for r in rows]):.3f}" if rows else "no row",
    ])  # fmt: skip


def not_modelled(train: list[dict], rows: list[dict]) -> list[float]:
    """The confidence of secrets findings: the secret classifier's score, or the rule's true rate when it gave
    none (as `score_findings` does with the rule's measured precision)."""
    rates = rule_prior([r for r in train if not r["group"].startswith("suite:")], rows)
    return [r["category"] if r["category"] is not None else rate for r, rate in zip(rows, rates, strict=True)]


def fit(train: list[dict]) -> tuple[Any, list[float]]:
    from codeward.reviewer.ml.train import matrix, numeric_scale
    from sklearn.linear_model import LogisticRegression

    train = [r for r in train if not r.get("secret")]
    n = len(FINDING_NUMERIC)
    scale = numeric_scale(train, n)
    model = LogisticRegression(C=C, max_iter=10000)
    weights = [SUITE_WEIGHT if r["group"].startswith("suite:") else 1.0 for r in train]
    model.fit(matrix(train, n, scale), [r["label"] for r in train], sample_weight=weights)
    return model, scale


def predict(model: Any, scale: list[float], rows: list[dict]) -> list[float]:
    from codeward.reviewer.ml.train import matrix

    return [float(p) for p in model.predict_proba(matrix(rows, len(FINDING_NUMERIC), scale))[:, 1]]


def auc(labels: list[int], scores: list[float]) -> float | None:
    """Probability that a random true finding outscores a random other one (ties count half)."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not pos or not neg:
        return None
    ordered = sorted(scores)
    # Mann-Whitney U from average ranks.
    rank: dict[float, float] = {}
    i = 0
    while i < len(ordered):
        j = i
        while j < len(ordered) and ordered[j] == ordered[i]:
            j += 1
        rank[ordered[i]] = (i + j + 1) / 2
        i = j
    u = sum(rank[s] for s in pos) - len(pos) * (len(pos) + 1) / 2
    return u / (len(pos) * len(neg))


def brier(labels: list[int], scores: list[float]) -> float:
    return sum((s - y) ** 2 for s, y in zip(scores, labels, strict=True)) / len(labels)


def reliability(labels: list[int], scores: list[float]) -> list[tuple[str, int, float, float]]:
    rows = []
    for low, high in itertools.pairwise(BINS):
        inside = [(s, y) for s, y in zip(scores, labels, strict=True) if low <= s < high]
        if inside:
            mean = sum(s for s, _ in inside) / len(inside)
            rows.append((f"{low:.2f}-{min(high, 1.0):.2f}", len(inside), mean, sum(y for _, y in inside) / len(inside)))
    return rows


def rule_prior(train: list[dict], rows: list[dict]) -> list[float]:
    """Baseline: each rule's share of true findings on the training projects (smoothed toward the overall)."""
    overall = (sum(r["label"] for r in train) + 1) / (len(train) + 2)
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in train:
        tally[r["code"]][0] += r["label"]
        tally[r["code"]][1] += 1
    return [(tally[r["code"]][0] + 2 * overall) / (tally[r["code"]][1] + 2) for r in rows]


def leave_one_project_out(data: list[dict]) -> dict[str, Any]:
    """Each real project held out in turn (the suites' findings always train): its findings scored by a model
    fitted on everything else."""
    groups = sorted({r["group"] for r in data if not r["group"].startswith("suite:")})
    scores: list[float] = []
    prior: list[float] = []
    labels: list[int] = []
    per_project = {}
    ordered: list[dict] = []
    for group in groups:
        train = [r for r in data if r["group"] != group]
        test = [r for r in data if r["group"] == group]
        model, scale = fit(train)
        p = [combine(s, r["category"]) for s, r in zip(predict(model, scale, test), test, strict=True)]
        p = [q if not r.get("secret") else o for q, o, r in zip(p, not_modelled(train, test), test, strict=True)]
        scores += p
        prior += rule_prior(train, test)
        labels += [r["label"] for r in test]
        ordered += test
        per_project[group] = {"findings": len(test), "true": sum(r["label"] for r in test),
                              "auc": auc([r["label"] for r in test], p)}  # fmt: skip
    return {"labels": labels, "scores": scores, "prior": prior, "rows": ordered, "projects": per_project}


def within_rule_auc(rows: list[dict], scores: list[float]) -> tuple[float | None, int]:
    """Mean AUC inside each rule that has both true and other findings (weighted by findings): what the
    features tell apart beyond the rule's identity."""
    by_rule: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for r, s in zip(rows, scores, strict=True):
        by_rule[r["code"]].append((r["label"], s))
    total = weight = 0.0
    used = 0
    for items in by_rule.values():
        a = auc([y for y, _ in items], [s for _, s in items])
        if a is not None:
            total += a * len(items)
            weight += len(items)
            used += 1
    return (total / weight if weight else None), used


def export(model: Any, scale: list[float], counts: dict[str, Any], rules: list[str]) -> dict[str, Any]:
    import sklearn

    n = len(FINDING_NUMERIC)
    coef = model.coef_[0]
    return {
        "format": FORMAT,
        "version": VERSION,
        "buckets": BUCKETS,
        "created": datetime.date.today().isoformat(),
        "trained_with": f"scikit-learn {sklearn.__version__}",
        "counts": counts,
        "rules": rules,
        "tokens": TOKENS,
        "categories": {
            "findings": {
                "numeric": list(FINDING_NUMERIC),
                "kind": "linear",
                "model": "logistic-regression",
                # The regression is fitted on the true rate of the material, unweighted: its output is already
                # the probability, so the calibration is the identity.
                "calibration": {"a": -1.0, "b": 0.0},
                "intercept": float(model.intercept_[0]),
                "weights_numeric": [float(coef[j]) / scale[j] for j in range(n)],
                "weights_hashed": {str(b): float(coef[n + b]) for b in range(BUCKETS) if coef[n + b] != 0.0},
            }
        },
    }


def report(result: dict[str, Any], counts: Counter) -> str:
    labels, scores, prior = result["labels"], result["scores"], result["prior"]
    rows = result["rows"]
    verdicts = Counter(r["verdict"] for r in rows)
    out = [
        f"judged findings used: {len(rows)} ({verdicts['true']} true, {verdicts['false']} false, "
        f"{verdicts['noise']} not worth a comment) of {len(result['projects'])} projects; "
        f"judgments not reproduced by the current rules: {counts['not reproduced']}; injection findings of the "
        f"independent suites' development half, always on the training side: {counts['suite findings']}",
        "",
        "| leave one project out | ROC AUC | Brier score |",
        "|---|---|---|",
        f"| finding-confidence model | {_f(auc(labels, scores))} | {brier(labels, scores):.3f} |",
        f"| baseline: the rule's true rate on the other projects | {_f(auc(labels, prior))} "
        f"| {brier(labels, prior):.3f} |",
        f"| constant (the overall true rate) | 0.500 | {brier(labels, [sum(labels) / len(labels)] * len(labels)):.3f} |",
    ]
    inside, used = within_rule_auc(rows, scores)
    out.append(
        f"\nwithin-rule ROC AUC (weighted mean over the {used} rules with true and other findings): {_f(inside)}"
    )
    out += ["", "| confidence | findings | mean confidence | share true |", "|---|---|---|---|"]
    for name, n, mean, true in reliability(labels, scores):
        out.append(f"| {name} | {n} | {mean:.3f} | {true:.3f} |")
    out += ["", "| threshold | true kept | false kept | not-worth kept |", "|---|---|---|---|"]
    for threshold in (0.02, 0.05, 0.1, 0.2, 0.3, 0.5):
        kept = Counter(r["verdict"] for r, s in zip(rows, scores, strict=True) if s >= threshold)
        out.append(f"| {threshold} | {_share(kept, verdicts, 'true')} | {_share(kept, verdicts, 'false')} "
                   f"| {_share(kept, verdicts, 'noise')} |")  # fmt: skip
    out += ["", "| held-out project | findings | true | ROC AUC |", "|---|---|---|---|"]
    for name, item in sorted(result["projects"].items()):
        out.append(f"| {name} | {item['findings']} | {item['true']} | {_f(item['auc'])} |")
    return "\n".join(out)


def shipped_report(rows: list[dict], splits: list[str]) -> str:
    """The shipped model as reviews apply it, on judged findings of projects it never saw."""
    labels = [r["label"] for r in rows]
    scores = [r["shipped"] for r in rows]
    verdicts = Counter(r["verdict"] for r in rows)
    groups = sorted({r["group"] for r in rows})
    out = [
        f"shipped model on {len(rows)} judged findings ({verdicts['true']} true, {verdicts['false']} false, "
        f"{verdicts['noise']} not worth a comment) of the {', '.join(splits)} projects: {', '.join(groups)}",
        "",
        f"ROC AUC {_f(auc(labels, scores))}, Brier score {brier(labels, scores):.3f} "
        f"(constant at the true rate: {brier(labels, [sum(labels) / len(labels)] * len(labels)):.3f})",
        "",
        "| confidence | findings | mean confidence | share true |",
        "|---|---|---|---|",
    ]
    for name, n, mean, true in reliability(labels, scores):
        out.append(f"| {name} | {n} | {mean:.3f} | {true:.3f} |")
    out += ["", "| threshold | true kept | false kept | not-worth kept |", "|---|---|---|---|"]
    for threshold in (0.05, 0.1, 0.2, 0.3, 0.5):
        kept = Counter(r["verdict"] for r, s in zip(rows, scores, strict=True) if s >= threshold)
        out.append(f"| {threshold} | {_share(kept, verdicts, 'true')} | {_share(kept, verdicts, 'false')} "
                   f"| {_share(kept, verdicts, 'noise')} |")  # fmt: skip
    return "\n".join(out)


def _f(x: float | None) -> str:
    return "-" if x is None or math.isnan(x) else f"{x:.3f}"


def _share(kept: Counter, total: Counter, verdict: str) -> str:
    return f"{kept[verdict]}/{total[verdict]}" if total[verdict] else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codeward.reviewer.ml.judged", description=__doc__.split("\n")[0])
    parser.add_argument("--root", default=".", help="the repository checkout holding bench/ (default: here)")
    parser.add_argument("--write", action="store_true", help=f"fit on every project and write {MODEL_PATH}")
    parser.add_argument("--no-suites", action="store_true", help="train on the judged projects' findings only")
    parser.add_argument("--json", metavar="FILE", help="also write the held-out scores as JSON")
    parser.add_argument(
        "--shipped-on", metavar="SPLIT", action="append",
        help="only score the shipped model as `codeward review` applies it, on the judged projects of these "
        "splits of bench/reviewer/realcode.py (e.g. `later`, `fourth`: projects it was not trained on)",
    )  # fmt: skip
    parser.add_argument(
        "--hold-out", metavar="SPLIT", action="append", default=[],
        help="leave the projects of these splits out of the evaluation and the fit, then score the fitted model "
        "on them (a round judged after the model was chosen: its out-of-sample figure)",
    )  # fmt: skip
    parser.add_argument(
        "--injection", action="store_true",
        help="only report the injection classifier on the judged real findings of the taint rules it scores",
    )  # fmt: skip
    parser.add_argument("--jobs", type=int, default=1, help="review the judged projects in this many processes")
    parser.add_argument(
        "--records", metavar="FILE",
        help="keep the judged findings' features in FILE (read it when it exists): reviewing every judged file is "
        "most of the time, and the same features serve a --hold-out and a --write run",
    )  # fmt: skip
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    if args.injection:
        print(injection_report(root))
        return 0
    cached = Path(args.records) if args.records else None
    if cached is not None and cached.exists():
        saved = json.loads(cached.read_text(encoding="utf-8"))
        data, counts, suites = saved["data"], Counter(saved["counts"]), saved["suites"]
        suite_counts = Counter(saved["suite_counts"])
    else:
        data, counts = records(root, args.jobs)
        suites, suite_counts = suite_records(root) if not args.no_suites else ([], Counter())
        if cached is not None:
            document = {"data": data, "counts": counts, "suites": suites, "suite_counts": suite_counts}
            cached.write_text(json.dumps(document), encoding="utf-8")
    from codeward.reviewer.measured import ALWAYS

    data = [r for r in data if r["code"] not in ALWAYS]  # always shown, never scored (`score_findings`)
    held: list[dict] = []
    if args.hold_out:
        from bench.reviewer.realcode import PROJECTS

        kept = {p.name for p in PROJECTS if p.split in args.hold_out}
        held = [r for r in data if r["group"] in kept]
        data = [r for r in data if r["group"] not in kept]
    if args.shipped_on:
        from bench.reviewer.realcode import PROJECTS

        wanted = {p.name for p in PROJECTS if p.split in args.shipped_on}
        rows = [r for r in data if r["group"] in wanted]
        if not rows:
            raise SystemExit(f"no judged finding on the projects of {', '.join(args.shipped_on)}")
        print(shipped_report(rows, args.shipped_on))
        return 0
    if not args.no_suites:
        data += suites
        counts.update(suite_counts)
    if not any(r["label"] for r in data):
        raise SystemExit("no true finding among the judged ones: nothing to learn or evaluate")
    result = leave_one_project_out(data)
    print(report(result, counts))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({k: result[k] for k in ("labels", "scores", "prior", "projects")}, handle)
    if held:
        model, scale = fit(data)
        scores = [combine(p, r["category"]) for p, r in zip(predict(model, scale, held), held, strict=True)]
        others = not_modelled(data, held)
        for r, p, o in zip(held, scores, others, strict=True):
            r["shipped"] = o if r.get("secret") else p
        print("\n" + shipped_report(held, args.hold_out).replace("shipped model", "model fitted without them", 1))
    if args.write:
        model, scale = fit(data)
        summary = {"findings": len(data), "true": sum(r["label"] for r in data),
                   "groups": len({r["group"] for r in data})}  # fmt: skip
        with open(MODEL_PATH, "w", encoding="utf-8") as handle:
            modelled = sorted({r["code"] for r in data if not r.get("secret")})
            json.dump(export(model, scale, summary, modelled), handle, separators=(",", ":"))
            handle.write("\n")
        print(f"\nwrote {MODEL_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
