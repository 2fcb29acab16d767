"""Scoring with the shipped model in plain Python: no scikit-learn, no NumPy, no pickle.

`reviewer/ml/model.json` holds, per category (`secrets`, `injection`), either a linear model (an intercept, a
weight per numeric feature, a weight per hashed-token bucket) or gradient-boosted trees (arrays of
feature, threshold, children and leaf values), and a sigmoid calibration `p = 1 / (1 + exp(a * f + b))` of
the raw score `f`. A score is a calibrated probability that the candidate is a real problem.
"""

from __future__ import annotations

import json
import math
import os
from functools import cache
from operator import mul
from typing import Any

from codeward.reviewer.ml.features import BUCKETS, SECRET_NUMERIC, SINK_NUMERIC, Vector
from codeward.reviewer.ml.finding import FINDING_NUMERIC

FORMAT = "codeward-classifier"
VERSION = 1
MODEL_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model.json")
NUMERIC = {"secrets": SECRET_NUMERIC, "injection": SINK_NUMERIC, "findings": FINDING_NUMERIC}


class ModelError(Exception):
    """The model file is missing, unreadable or from an incompatible version."""


class Scorer:
    """One category's model."""

    __slots__ = ("a", "b", "init", "intercept", "kind", "learning_rate", "n_numeric", "threshold", "trees", "used", "wh",
                 "wn")  # fmt: skip

    def __init__(self, spec: dict[str, Any], numeric_names: tuple[str, ...]) -> None:
        if tuple(spec.get("numeric", ())) != numeric_names:
            raise ModelError("the model's features do not match this version of codeward; retrain it")
        self.kind = spec["kind"]
        self.n_numeric = len(numeric_names)
        calibration = spec["calibration"]
        self.a = float(calibration["a"])
        self.b = float(calibration["b"])
        self.threshold = float(spec.get("threshold", 0.5))
        if self.kind == "linear":
            self.intercept = float(spec["intercept"])
            self.wn = [float(w) for w in spec["weights_numeric"]]
            self.wh = {int(k): float(v) for k, v in spec["weights_hashed"].items()}
        elif self.kind == "trees":
            self.init = float(spec["init"])
            self.learning_rate = float(spec["learning_rate"])
            # The trees test few of the columns: gather those once per candidate, then walk by position.
            used = sorted({f for t in spec["trees"] for f in t["feature"] if f >= 0})
            self.used = used
            position = {f: i for i, f in enumerate(used)}
            self.trees = [
                ([position.get(f, 0) for f in t["feature"]], t["threshold"], t["left"], t["right"], t["value"])
                for t in spec["trees"]
            ]
        else:
            raise ModelError(f"unknown model kind {self.kind!r}")

    def raw(self, vector: Vector) -> float:
        numeric, hashed = vector
        if self.kind == "linear":
            if len(numeric) != len(self.wn):
                raise ValueError("feature vector of the wrong width")
            get = self.wh.get
            return self.intercept + sum(map(mul, self.wn, numeric)) + sum(get(i, 0.0) for i in hashed)
        n = self.n_numeric
        present = set(hashed)
        values = [numeric[f] if f < n else (1.0 if f - n in present else 0.0) for f in self.used]
        total = 0.0
        for feature, threshold, left, right, value in self.trees:
            node = 0
            child = left[0]
            while child != -1:
                node = child if values[feature[node]] <= threshold[node] else right[node]
                child = left[node]
            total += value[node]
        return self.init + self.learning_rate * total

    def probability(self, vector: Vector) -> float:
        z = self.a * self.raw(vector) + self.b
        if z >= 0:
            e = math.exp(-z)
            return e / (1.0 + e)
        return 1.0 / (1.0 + math.exp(z))


def load(path: str = MODEL_PATH) -> dict[str, Scorer]:
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except FileNotFoundError:
        raise ModelError(f"no model at {path}; train one with python -m codeward.reviewer.ml.train") from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read the model {path}: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("version") != VERSION:
        raise ModelError(f"{path} is not a {FORMAT} model of version {VERSION}")
    if document.get("buckets") != BUCKETS:
        raise ModelError(f"{path} hashes tokens into {document.get('buckets')} buckets, codeward into {BUCKETS}")
    try:
        return {name: Scorer(spec, NUMERIC[name]) for name, spec in document["categories"].items()}
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{path} is malformed ({exc}); retrain it") from None


@cache
def shipped() -> dict[str, Scorer]:
    return load(MODEL_PATH)
