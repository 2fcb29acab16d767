"""Load and check the labelled cases (data/suites.json and data/<suite>.csv). Needs no mirror."""

from __future__ import annotations

import csv
import json
import os
import re
from dataclasses import dataclass

from .categories import CATEGORIES

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
FIELDS = ("id", "path", "scope", "label", "category", "cwe", "evidence")
HALVES = ("development", "validation", "probe")  # probe: gathered after the split, looked at freely
_SCOPE = re.compile(r"^(file|function:[A-Za-z_][\w.]*|lines:\d+-\d+|jsonl:\d+:(?:before|after))$")
_CWE = re.compile(r"^CWE-\d+$")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True)
class Suite:
    name: str
    repo: str
    commit: str
    half: str
    fetch: str
    extract: str
    about: str


@dataclass(frozen=True)
class Case:
    suite: str
    id: str
    path: str
    scope: str
    vulnerable: bool
    category: str
    cwe: str
    evidence: str

    @property
    def key(self) -> str:
        return f"{self.suite}:{self.id}"


class DataError(ValueError):
    """A data file is malformed: the message names the file and the row."""


def load_suites() -> dict[str, Suite]:
    with open(os.path.join(DATA, "suites.json"), encoding="utf-8") as handle:
        raw = json.load(handle)
    suites = {}
    for name, meta in raw.items():
        missing = {"repo", "commit", "half", "fetch", "extract", "about"} - set(meta)
        if missing:
            raise DataError(f"suites.json: {name} lacks {sorted(missing)}")
        if meta["half"] not in HALVES:
            raise DataError(f"suites.json: {name}: half must be one of {HALVES}")
        if not _COMMIT.match(meta["commit"]):
            raise DataError(f"suites.json: {name}: commit must be 40 hex digits")
        if meta["fetch"] != f"github:{meta['repo']}":
            raise DataError(f"suites.json: {name}: fetch must be github:{meta['repo']}")
        suites[name] = Suite(name=name, **{k: meta[k] for k in ("repo", "commit", "half", "fetch", "extract", "about")})
    return suites


def load_cases(suite: str) -> list[Case]:
    path = os.path.join(DATA, f"{suite}.csv")
    out: list[Case] = []
    seen: set[str] = set()
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != FIELDS:
            raise DataError(f"{path}: header must be {','.join(FIELDS)}")
        for number, row in enumerate(reader, 2):
            where = f"{path}:{number}"
            if row["id"] in seen:
                raise DataError(f"{where}: duplicate id {row['id']}")
            seen.add(row["id"])
            if row["label"] not in ("vulnerable", "safe"):
                raise DataError(f"{where}: label must be vulnerable or safe")
            if row["category"] not in CATEGORIES:
                raise DataError(f"{where}: unknown category {row['category']!r}")
            if not _SCOPE.match(row["scope"]):
                raise DataError(f"{where}: bad scope {row['scope']!r}")
            if row["scope"].startswith("lines:"):
                start, end = map(int, row["scope"][6:].split("-"))
                if not 1 <= start <= end:
                    raise DataError(f"{where}: bad line range {row['scope']!r}")
            if not _CWE.match(row["cwe"].upper()):
                raise DataError(f"{where}: cwe must look like CWE-89")
            if not row["path"] or row["path"].startswith("/") or ".." in row["path"].split("/"):
                raise DataError(f"{where}: path must be relative to the repository")
            if row["scope"].startswith("jsonl:") != row["path"].endswith(".jsonl"):
                raise DataError(f"{where}: jsonl scopes go with .jsonl paths, and only them")
            if not row["path"].endswith((".py", ".jsonl")):
                raise DataError(f"{where}: a case is Python source or a jsonl record")
            if len(row["evidence"].strip()) < 10:
                raise DataError(f"{where}: the evidence for the label is missing")
            out.append(
                Case(suite, row["id"], row["path"], row["scope"], row["label"] == "vulnerable", row["category"],
                     row["cwe"].upper(), row["evidence"])
            )  # fmt: skip
    return out


def load_all(half: str | None = None) -> tuple[dict[str, Suite], list[Case]]:
    suites = load_suites()
    cases = []
    for name, suite in suites.items():
        if half is None or suite.half == half:
            cases += load_cases(name)
    return suites, cases
