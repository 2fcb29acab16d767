"""`python -m codeward.reviewer.ml.train`: fit, compare, calibrate and export the classifier (needs scikit-learn).

For each category the records are split by group (`dataset.held_out`): a fifth of the projects, packages
and rules is held out for evaluation, a fifth calibrates, the rest trains. Two models are fitted on the
training side, logistic regression over hashed identifier tokens plus scaled numeric features, and
gradient-boosted trees over the same columns; each gets a sigmoid calibration on the calibration side; the
one with the better average precision there is exported, unless it is the slower trees and wins by less
than 0.01. Trees are kept small (25 rounds of depth 3 by default) because the reviewer evaluates them in
plain Python: 10,000 candidates must score in well under 100 ms. The export is JSON
(`reviewer/ml/model.json`), never pickle.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from pathlib import Path
from typing import Any

from codeward.reviewer.ml.dataset import DEFAULT_OUT, build, held_out, read, write
from codeward.reviewer.ml.features import BUCKETS
from codeward.reviewer.ml.score import FORMAT, MODEL_PATH, NUMERIC, VERSION

CATEGORIES = ("secrets", "injection")


def matrix(records: list[dict], n_numeric: int, scale: list[float] | None = None) -> Any:
    """CSR matrix: numeric columns (divided by `scale` when given), then one column per hashed bucket."""
    from scipy.sparse import csr_matrix

    data: list[float] = []
    indices: list[int] = []
    indptr = [0]
    for record in records:
        for j, x in enumerate(record["numeric"]):
            if x:
                data.append(x / scale[j] if scale else x)
                indices.append(j)
        for b in record["hashed"]:
            data.append(1.0)
            indices.append(n_numeric + b)
        indptr.append(len(data))
    return csr_matrix((data, indices, indptr), shape=(len(records), n_numeric + BUCKETS))


def numeric_scale(records: list[dict], n_numeric: int) -> list[float]:
    """Per numeric column, its standard deviation on the training side (1 where it is constant)."""
    sums = [0.0] * n_numeric
    squares = [0.0] * n_numeric
    for record in records:
        for j, x in enumerate(record["numeric"]):
            sums[j] += x
            squares[j] += x * x
    n = max(len(records), 1)
    out = []
    for s, q in zip(sums, squares, strict=True):
        variance = q / n - (s / n) ** 2
        out.append(variance**0.5 if variance > 1e-12 else 1.0)
    return out


def split(records: list[dict]) -> dict[str, list[dict]]:
    sides: dict[str, list[dict]] = {"train": [], "calibration": [], "test": []}
    for record in records:
        side = "train" if record.get("source") == "feedback" else held_out(record["group"])
        sides[side].append(record)
    return sides


class Fitted:
    """A fitted, calibrated model of one category and what it takes to export and evaluate it."""

    def __init__(self, name: str, model: Any, calibrated: Any, scale: list[float] | None, n_numeric: int) -> None:
        self.name = name
        self.model = model
        self.calibrated = calibrated
        self.scale = scale
        self.n_numeric = n_numeric

    def X(self, records: list[dict]) -> Any:
        return matrix(records, self.n_numeric, self.scale if self.name == "logistic-regression" else None)

    def predict_proba(self, records: list[dict]) -> list[float]:
        return [float(p) for p in self.calibrated.predict_proba(self.X(records))[:, 1]]

    def export(self, category: str) -> dict[str, Any]:
        calibrator = self.calibrated.calibrated_classifiers_[0].calibrators[0]
        spec: dict[str, Any] = {
            "numeric": list(NUMERIC[category]),
            "calibration": {"a": float(calibrator.a_), "b": float(calibrator.b_)},
            "threshold": 0.5,
            "model": self.name,
        }
        if self.name == "logistic-regression":
            coef = self.model.coef_[0]
            assert self.scale is not None
            spec["kind"] = "linear"
            spec["intercept"] = float(self.model.intercept_[0])
            spec["weights_numeric"] = [float(coef[j]) / self.scale[j] for j in range(self.n_numeric)]
            spec["weights_hashed"] = {
                str(b): float(coef[self.n_numeric + b]) for b in range(BUCKETS) if coef[self.n_numeric + b] != 0.0
            }
            return spec
        spec["kind"] = "trees"
        spec["learning_rate"] = float(self.model.learning_rate)
        trees = []
        for estimator in self.model.estimators_[:, 0]:
            tree = estimator.tree_
            trees.append({
                "feature": [int(f) for f in tree.feature],
                "threshold": [float(t) for t in tree.threshold],
                "left": [int(c) for c in tree.children_left],
                "right": [int(c) for c in tree.children_right],
                "value": [float(v) for v in tree.value[:, 0, 0]],
            })  # fmt: skip
        spec["trees"] = trees
        # The constant the boosting starts from: the raw score minus the trees' contributions, on any row.
        probe = self.X([{"numeric": [0.0] * self.n_numeric, "hashed": []}])
        raw = float(self.model.decision_function(probe)[0])
        contributions = sum(float(e.predict(probe)[0]) for e in self.model.estimators_[:, 0])
        spec["init"] = raw - self.model.learning_rate * contributions
        return spec


def average_precision(labels: list[int], scores: list[float]) -> float:
    """Area under the precision-recall curve as a step function (ties form one step), like scikit-learn's."""
    positives = sum(labels)
    if not positives:
        return 0.0
    pairs = sorted(zip(scores, labels, strict=True), key=lambda p: -p[0])
    ap = 0.0
    tp = fp = 0
    previous_recall = 0.0
    i = 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            tp += pairs[j][1]
            fp += 1 - pairs[j][1]
            j += 1
        recall = tp / positives
        ap += (recall - previous_recall) * (tp / (tp + fp))
        previous_recall = recall
        i = j
    return ap


def fit_category(category: str, sides: dict[str, list[dict]], *, trees: int = 25, log: Any = None) -> list[Fitted]:
    """Both models, fitted on the training side and calibrated on the calibration side."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import LogisticRegression

    n_numeric = len(NUMERIC[category])
    train, calibration = sides["train"], sides["calibration"]
    y_train = [r["label"] for r in train]
    y_cal = [r["label"] for r in calibration]
    weights = [float(r.get("weight", 1.0)) for r in train]
    scale = numeric_scale(train, n_numeric)
    out = []
    candidates: list[tuple[str, Any, list[float] | None]] = [
        ("logistic-regression", LogisticRegression(C=1.0, max_iter=5000, class_weight="balanced"), scale),
        ("gradient-boosted-trees",
         GradientBoostingClassifier(n_estimators=trees, max_depth=3, learning_rate=0.1, subsample=0.8,
                                    random_state=0), None),
    ]  # fmt: skip
    for name, model, model_scale in candidates:
        started = time.perf_counter()
        X = matrix(train, n_numeric, model_scale)
        model.fit(X, y_train, sample_weight=weights)
        calibrated = CalibratedClassifierCV(FrozenEstimator(model), method="sigmoid")
        calibrated.fit(matrix(calibration, n_numeric, model_scale), y_cal)
        fitted = Fitted(name, model, calibrated, model_scale, n_numeric)
        out.append(fitted)
        if log:
            ap = average_precision(y_cal, fitted.predict_proba(calibration))
            log(
                f"  {category}: {name}: PR-AUC {ap:.3f} on the calibration side ({time.perf_counter() - started:.1f} s)"
            )
    return out


def choose(fitted: list[Fitted], calibration: list[dict]) -> tuple[Fitted, dict[str, float]]:
    labels = [r["label"] for r in calibration]
    scores = {f.name: average_precision(labels, f.predict_proba(calibration)) for f in fitted}
    linear = next(f for f in fitted if f.name == "logistic-regression")
    best = max(fitted, key=lambda f: scores[f.name])
    if best is not linear and scores[best.name] - scores[linear.name] < 0.01:
        best = linear  # the linear model scores ten times faster; trees must earn their cost
    return best, scores


def feedback_records(path: Path) -> list[dict]:
    """Recorded verdicts (`codeward feedback`) with their features, as extra training labels."""
    from codeward.reviewer.ml.feedback import load_feedback

    out = []
    for entry in load_feedback(str(path)).values():
        features = entry.get("features")
        if not isinstance(features, dict) or entry.get("category") not in CATEGORIES:
            continue
        out.append({"category": entry["category"], "group": "feedback", "source": "feedback",
                    "label": 1 if entry["verdict"] == "useful" else 0, "numeric": features["numeric"],
                    "hashed": features["hashed"], "weight": 5.0, "rule": 1, "regex": 1})  # fmt: skip
    return out


def train(records: list[dict], *, trees: int = 25, log: Any = None) -> tuple[dict[str, Any], dict[str, Fitted]]:
    """(the model document, the chosen fitted model per category)."""
    import sklearn

    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "buckets": BUCKETS,
        "created": datetime.date.today().isoformat(),
        "trained_with": f"scikit-learn {sklearn.__version__}",
        "categories": {},
        "comparison": {},
        "counts": {},
    }
    chosen: dict[str, Fitted] = {}
    for category in CATEGORIES:
        sides = split([r for r in records if r["category"] == category])
        if not sides["train"] or not sides["calibration"]:
            raise SystemExit(f"no {category} records on the training or calibration side; build a larger dataset")
        fitted = fit_category(category, sides, trees=trees, log=log)
        best, scores = choose(fitted, sides["calibration"])
        document["categories"][category] = best.export(category)
        document["comparison"][category] = {name: round(ap, 4) for name, ap in scores.items()}
        document["counts"][category] = {side: [len(rs), sum(r["label"] for r in rs)] for side, rs in sides.items()}
        chosen[category] = best
        if log:
            log(f"  {category}: exporting {best.name}")
    return document, chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codeward.reviewer.ml.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default=f"{DEFAULT_OUT}/dataset.jsonl", help="JSON lines from reviewer.ml.dataset")
    parser.add_argument("--out", default=MODEL_PATH, help="where to write the model (default: the shipped one)")
    parser.add_argument("--feedback", metavar="FILE", help="add recorded `codeward feedback` verdicts as labels")
    parser.add_argument("--trees", type=int, default=25, help="boosting rounds of the tree model (scoring speed!)")
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr)

    dataset = Path(args.dataset)
    if not dataset.is_file():
        log(f"{dataset} does not exist: building it (python -m codeward.reviewer.ml.dataset)")
        records = build(dataset.parent, progress=True)
        write(records, dataset)
    else:
        records = read(dataset)
    if args.feedback:
        extra = feedback_records(Path(args.feedback))
        log(f"  {len(extra)} feedback verdicts added to the training side")
        records += extra
    document, _ = train(records, trees=args.trees, log=log)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(document, handle, separators=(",", ":"))
        handle.write("\n")
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
