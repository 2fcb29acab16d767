"""Write the case lists of the suites whose labels are fields of the suites' own data.

Run once, when a suite is added or its commit moves; the CSV files it writes are committed, the fetched
material is not. It never runs codeward: labels come from the suites' own documentation only.

- SVEN (eth-sri/sven, data_train_val/*/cwe-*.jsonl): each record is a function before and after a
  vulnerability-fixing commit, curated by the dataset's authors, with the CWE in `vul_type`. Before is
  labelled vulnerable, after safe, category from the CWE. Records of other languages, and those whose
  before or after text is not Python 3 (print statements), are left out. Split in two suites by the
  upstream project of the commit (a stable hash of its name), so that one project never sits in both.
- SecurityEval (s2e-lab/SecurityEval): Testcases_Insecure_Code/CWE-XXX/*.py are the insecure examples
  (vulnerable); Testcases_Copilot and Testcases_InCoder hold generated code with the authors' manual
  verdict in Result/testcases_{copilot,incoder}.csv (column Manual: 1 vulnerable, 0 not). Category from
  the CWE folder; CWEs without a category here (off-by-one, race conditions ...) are left out. Split in
  two suites by where the examples come from (Result/DataTable.csv: CodeQL's documentation, MITRE's CWE
  pages, Pearce et al. in one; the dataset's authors and Sonar's rules in the other).
- SecLLMHolmes (ai4cloudops/SecLLMHolmes): datasets/{hand-crafted,augmented}/**/CWE-{79,89}/*.py, where
  `p_N.py` is the patched twin of `N.py`; the ground-truth text beside each file says which it is.

    python -m bench.reviewer.independent.labelling
"""

from __future__ import annotations

import ast
import csv
import hashlib
import io
import json
import os
import re
import textwrap

from .categories import CWE_CATEGORY
from .mirror import list_files, show

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
FIELDS = ("id", "path", "scope", "label", "category", "cwe", "evidence")


def suites() -> dict[str, dict]:
    with open(os.path.join(DATA, "suites.json"), encoding="utf-8") as handle:
        return json.load(handle)


def write(name: str, rows: list[dict[str, str]]) -> None:
    with open(os.path.join(DATA, f"{name}.csv"), "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{name}: {len(rows)} cases")


def _parses(source: str) -> bool:
    try:
        ast.parse(textwrap.dedent(source))
    except (SyntaxError, ValueError):
        return False
    return True


def sven_half(project: str) -> str:
    """'a' or 'b': the half an upstream project of SVEN belongs to (stable across runs and machines)."""
    return "a" if hashlib.sha256(project.encode()).digest()[0] % 2 == 0 else "b"


def label_sven(meta: dict) -> dict[str, list[dict[str, str]]]:
    repo, commit = meta["repo"], meta["commit"]
    halves: dict[str, list[dict[str, str]]] = {"a": [], "b": []}
    seen: set[str] = set()
    cwe_category = {"cwe-022": "path", "cwe-078": "command", "cwe-079": "xss", "cwe-089": "sql"}
    for split in ("train", "val"):
        for cwe, category in cwe_category.items():
            path = f"data_train_val/{split}/{cwe}.jsonl"
            for number, line in enumerate(show(repo, commit, path).decode("utf-8").splitlines(), 1):
                record = json.loads(line)
                if not record["file_name"].endswith(".py") or record["vul_type"] != cwe:
                    continue
                before, after = record["func_src_before"], record["func_src_after"]
                digest = hashlib.sha256((before + "\0" + after).encode()).hexdigest()
                if digest in seen or not (_parses(before) and _parses(after)):
                    continue
                seen.add(digest)
                project = record["commit_link"].split("/commit/")[0]
                evidence = (
                    f"SVEN {split} record vul_type={cwe}, function {record['func_name']} of {record['file_name']} "
                    f"{{side}} the fix {record['commit_link']}"
                )
                key = f"{split}-{cwe}-{number}"
                for side, label in (("before", "vulnerable"), ("after", "safe")):
                    halves[sven_half(project)].append({
                        "id": f"{key}-{side}", "path": path, "scope": f"jsonl:{number}:{side}", "label": label,
                        "category": category, "cwe": cwe.upper(),
                        "evidence": evidence.format(side=side),
                    })  # fmt: skip
    return halves


# SecurityEval examples whose CWE folder does not say the category alone: read case by case.
SECURITYEVAL_OVERRIDES = {
    ("Testcases_Insecure_Code", "CWE-020", "codeql_1.py"): ("xss", "reading the code: request argument returned by make_response"),
    ("Testcases_Insecure_Code", "CWE-020", "codeql_2.py"): ("deserialization", "reading the code: pickle.loads of request data"),
    ("Testcases_Insecure_Code", "CWE-020", "codeql_3.py"): ("redirect", "reading the code: redirect after an unanchored regex check"),
    ("Testcases_Insecure_Code", "CWE-020", "codeql_4.py"): ("redirect", "reading the code: redirect after a substring check"),
    ("Testcases_Insecure_Code", "CWE-116", "author_1.py"): ("command", "reading the code: request argument in os.system"),
    ("Testcases_Insecure_Code", "CWE-200", "author_1.py"): ("sql", "reading the code: query concatenates userId"),
    ("Testcases_Insecure_Code", "CWE-319", "author_1.py"): ("cookie", "Testcases_Insecure_Code/CWE-319/README.md: session cookie without Secure"),
    ("Testcases_Insecure_Code", "CWE-327", "codeql_1.py"): ("weak-crypto", "reading the code: DES cipher"),
    ("Testcases_Insecure_Code", "CWE-327", "codeql_2.py"): ("tls", "reading the code: ssl.wrap_socket"),
    ("Testcases_Insecure_Code", "CWE-327", "codeql_3.py"): ("weak-hash", "reading the code: md5 of a certificate to match it"),
    ("Testcases_Insecure_Code", "CWE-327", "codeql_4.py"): ("weak-hash", "reading the code: sha256 password hash"),
    ("Testcases_Insecure_Code", "CWE-522", "pearce_1.py"): ("weak-hash", "reading the code: md5 password hash"),
    ("Testcases_Insecure_Code", "CWE-641", "sonar_1.py"): ("path", "reading the code: request argument chooses send_file's path"),
    ("Testcases_Insecure_Code", "CWE-425", "author_1.py"): ("path", "reading the code: request arguments build an opened path"),
    ("Testcases_Insecure_Code", "CWE-434", "pearce_1.py"): ("path", "reading the code: upload saved under its client filename"),
    ("Testcases_Insecure_Code", "CWE-434", "pearce_2.py"): ("path", "reading the code: upload written under its client filename"),
    ("Testcases_Insecure_Code", "CWE-400", "sonar_1.py"): ("regex", "reading the code: request argument used as a regex"),
    ("Testcases_Insecure_Code", "CWE-521", "sonar_1.py"): ("secrets", "reading the code: database URL with an empty password"),
    ("Testcases_Insecure_Code", "CWE-730", "codeql_1.py"): ("regex", "reading the code: request argument used as a regex"),
    ("Testcases_Insecure_Code", "CWE-730", "codeql_2.py"): ("regex", "reading the code: request argument compiled as a regex"),
}  # fmt: skip
# Left out although their folder maps: not that weakness when read (a safe BaseLoader, a DynamoDB scan ...).
SECURITYEVAL_SKIP = {
    ("Testcases_Insecure_Code", "CWE-730", "author_1.py"),  # a constant regex (ReDoS, not injection)
    ("Testcases_Insecure_Code", "CWE-760", "sonar_1.py"),  # a constant salt: no category here
}


def securityeval_half(path: str) -> str:
    """'a' for examples from CodeQL's documentation, MITRE and Pearce et al., 'b' for the authors' and Sonar's."""
    origin = path.rsplit("/", 1)[1].split("_")[0]
    return "a" if origin in ("codeql", "mitre", "pearce") else "b"


def label_securityeval(meta: dict) -> list[dict[str, str]]:
    repo, commit = meta["repo"], meta["commit"]
    rows = []
    manual: dict[tuple[str, str, str], str] = {}
    for folder in ("Testcases_Copilot", "Testcases_InCoder"):
        table = show(repo, commit, f"Result/testcases_{folder.split('_')[1].lower()}.csv").decode("utf-8-sig")
        for row in csv.DictReader(io.StringIO(table)):
            manual[(folder, row["CWEID"], row["SampleID"])] = row["Manual"].strip()
    for path in list_files(repo, commit):
        parts = path.split("/")
        if len(parts) != 3 or not parts[2].endswith(".py"):
            continue
        folder, cwe, name = parts
        key = (folder, cwe, name)
        if folder == "Testcases_Insecure_Code":
            label, doc = "vulnerable", f"README.md: Testcases_Insecure_Code holds insecure examples; folder {cwe}"
        elif folder in ("Testcases_Copilot", "Testcases_InCoder"):
            verdict = manual.get(key)
            if verdict not in ("0", "1"):
                continue
            label = "vulnerable" if verdict == "1" else "safe"
            doc = f"Result/testcases_{folder.split('_')[1].lower()}.csv: {cwe},{name} Manual={verdict}"
        else:
            continue
        if key in SECURITYEVAL_SKIP:
            continue
        category = None
        if key in SECURITYEVAL_OVERRIDES:
            category, why = SECURITYEVAL_OVERRIDES[key]
            doc = f"{doc}; {why}"
        elif cwe in CWE_CATEGORY and cwe not in ("CWE-730",):
            category = CWE_CATEGORY[cwe]
        if category is None:
            continue
        try:
            ast.parse(show(repo, commit, path))
        except SyntaxError:
            doc += "; does not parse (kept: the tool must cope)"
        rows.append({
            "id": f"{folder.split('_', 1)[1].lower()}-{cwe}-{name[:-3]}", "path": path, "scope": "file", "label": label,
            "category": category, "cwe": cwe, "evidence": doc,
        })  # fmt: skip
    return rows


_HOLMES = re.compile(r"^datasets/(hand-crafted|augmented/.+)/dataset/(CWE-(?:79|89))/(p_)?(\d+)\.py$")


def label_secllmholmes(meta: dict) -> list[dict[str, str]]:
    repo, commit = meta["repo"], meta["commit"]
    rows = []
    for path in list_files(repo, commit, "datasets"):
        match = _HOLMES.match(path)
        if not match:
            continue
        where, cwe, patched, number = match.groups()
        stem = f"{'p_' if patched else ''}{number}"
        truth = None
        for folder in ("ground-truth", "ground_truth"):
            try:
                truth = show(repo, commit, f"datasets/{where}/{folder}/{cwe}/{stem}.txt").decode("utf-8", "replace")
                truth_path = f"datasets/{where}/{folder}/{cwe}/{stem}.txt"
                break
            except Exception:
                continue
        label = "safe" if patched else "vulnerable"
        evidence = f"file name {stem}.py ({'patched twin' if patched else 'vulnerable scenario'})"
        if truth is not None:
            says_safe = bool(re.search(r"\bprevent|\bescap|\bsaniti[sz]ed?\b(?! )", truth, re.I)) and not re.search(
                r"without (proper )?(validation|escaping|sanitiz|following)|leading to", truth, re.I
            )
            if says_safe != bool(patched):
                evidence += f"; ground truth {truth_path} disagrees, left out"
                continue
            evidence += f"; ground truth {truth_path}: {truth.strip()[:120]}"
        rows.append({
            "id": f"{where.replace('/', '-')}-{cwe}-{stem}", "path": path, "scope": "file", "label": label,
            "category": "xss" if cwe == "CWE-79" else "sql", "cwe": cwe, "evidence": evidence,
        })  # fmt: skip
    return rows


def main() -> int:
    meta = suites()
    halves = label_sven(meta["sven-a"])
    write("sven-a", halves["a"])
    write("sven-b", halves["b"])
    rows = label_securityeval(meta["securityeval-a"])
    write("securityeval-a", [r for r in rows if securityeval_half(r["path"]) == "a"])
    write("securityeval-b", [r for r in rows if securityeval_half(r["path"]) == "b"])
    write("secllmholmes", label_secllmholmes(meta["secllmholmes"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
