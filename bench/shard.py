"""Sharding on a code base codeward's authors did not write: Django's source, reviewed whole and in N shards.

    .venv/bin/python -m bench.shard              # --shards 4 --version 5.2.8

Prints, as Markdown: the files and the user+system CPU time of each shard's `codeward review --shard K/N
--jobs 1` (what one CI job would spend), the unsharded run's, and `codeward report merge`'s; then checks that
the merged JSON and SARIF equal the unsharded run's byte for byte. CPU time, not wall time: the figures hold
on a busy machine. No cache (every run analyses every file).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

from bench.reviewer.run import ENV, fetch_django

BIN = Path(sys.executable).parent


def cpu_run(command: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    """(user + system CPU seconds of the child, its result)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, text=True, env=ENV, cwd=cwd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--version", default="5.2.8", help="Django version to download (default: 5.2.8)")
    args = parser.parse_args(argv)
    source = fetch_django(args.version)
    work = source.parent  # run from the folder that holds django/, so paths read django/...
    codeward = [str(BIN / "codeward"), "review", "django", "--isolated", "--no-cache", "--jobs", "1"]
    rows = []
    whole, _ = cpu_run([*codeward, "--format", "json", "--exit-zero", "-o", "whole.json"], work)
    cpu_run([*codeward, "--format", "sarif", "--exit-zero", "-o", "whole.sarif"], work)
    parts = []
    for k in range(1, args.shards + 1):
        part = f"part-{k}.json"
        seconds, _ = cpu_run([*codeward, "--shard", f"{k}/{args.shards}", "--format", "json", "--exit-zero",
                              "-o", part], work)  # fmt: skip
        document = json.loads((work / part).read_text())
        rows.append((f"shard {k}/{args.shards}", len(document["checked"]), len(document["findings"]), seconds))
        parts.append(part)
    merge_json, _ = cpu_run([str(BIN / "codeward"), "report", "merge", *parts, "--isolated", "--format", "json",
                             "--exit-zero", "-o", "merged.json"], work)  # fmt: skip
    cpu_run([str(BIN / "codeward"), "report", "merge", *parts, "--isolated", "--format", "sarif", "--exit-zero",
             "-o", "merged.sarif"], work)  # fmt: skip
    document = json.loads((work / "whole.json").read_text())
    print(f"Django {args.version} `django/`, codeward review --jobs 1, no cache; CPU seconds (user + system)\n")
    print("| run | files | findings | CPU s |\n|---|---|---|---|")
    print(f"| unsharded | {len(document['checked'])} | {len(document['findings'])} | {whole:.2f} |")
    for name, files, findings, seconds in rows:
        print(f"| {name} | {files} | {findings} | {seconds:.2f} |")
    print(f"| report merge (JSON) | | | {merge_json:.2f} |")
    same = all(
        (work / f"merged.{ext}").read_bytes() == (work / f"whole.{ext}").read_bytes() for ext in ("json", "sarif")
    )
    print(f"\nMerged JSON and SARIF equal the unsharded run's byte for byte: {'yes' if same else 'NO'}")
    if not same:
        merged = json.loads((work / "merged.json").read_text())

        def keys(doc: dict) -> set[tuple[str, int, str, str]]:
            return {(f["path"], f["line"], f["code"], f["message"]) for f in doc["findings"]}

        for label, extra in (
            ("only unsharded", keys(document) - keys(merged)),
            ("only merged", keys(merged) - keys(document)),
        ):
            for finding in sorted(extra):
                print(f"- {label}: {':'.join(map(str, finding[:2]))} {finding[2]} {finding[3]}")
    print(f"(load average before the run's end: {os.getloadavg()[0]:.1f})")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
