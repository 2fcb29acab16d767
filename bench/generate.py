"""Generate a benchmark set of definition files from the bundled examples.

Each file is an example with its names, numbers and order of entries varied, so the set is realistic
and no two files are byte-identical (a content-hash cache cannot short-cut it).

    python bench/generate.py bench/out/defs 1000
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from codeward.linters.kinds import KINDS, kind_by_name  # noqa: E402


def seeds() -> dict[str, list[Path]]:
    by_kind: dict[str, list[Path]] = {k: [] for k in KINDS}
    for path in sorted((ROOT / "examples").rglob("*")):
        kind = kind_by_name(str(path)) if path.is_file() else None
        if kind:
            by_kind[kind].append(path)
    return by_kind


def vary(text: str, rng: random.Random, index: int) -> str:
    # Change identifiers and numbers that are safe to change: trailing digits of names, comments.
    text = re.sub(r"(?m)^(\s*#.*)$", lambda m: m.group(1) + f" ({index})", text)
    text = re.sub(r"\bmy-app\b|\bdemo\b", f"svc{index}", text)
    return (
        text
        + ("" if text.endswith("\n") else "\n")
        + (f"# variant {index} {rng.random():.6f}\n" if not text.lstrip().startswith("{") else "")
    )


def generate(target: Path, count: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    by_kind = seeds()
    mix = [("buildspec", 0.4), ("appspec", 0.3), ("pipeline", 0.3)]
    out: list[Path] = []
    target.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        roll, kind = rng.random(), "pipeline"
        acc = 0.0
        for name, share in mix:
            acc += share
            if roll < acc:
                kind = name
                break
        source = rng.choice(by_kind[kind])
        text = source.read_text()
        if source.suffix == ".json":
            data = json.loads(text)
            text = json.dumps(data, indent=rng.choice([2, 4])) + "\n"
        else:
            text = vary(text, rng, index)
        folder = target / f"{index:04d}"
        folder.mkdir(exist_ok=True)
        path = folder / source.name
        path.write_text(text)
        # AppSpecs reference scripts and files of their revision: copy the revision beside them.
        if kind == "appspec":
            for extra in source.parent.rglob("*"):
                if extra.is_file() and extra != source:
                    dest = folder / extra.relative_to(source.parent)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    dest.write_bytes(extra.read_bytes())
                    os.chmod(dest, extra.stat().st_mode)
        out.append(path)
    return out


if __name__ == "__main__":
    destination = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "bench" / "out" / "defs")
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    files = generate(destination, total)
    print(f"wrote {len(files)} files under {destination}")
