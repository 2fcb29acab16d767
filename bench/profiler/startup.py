"""Fixed cost of profiling a whole process: codeward's entry points next to plain Python and py-spy.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/profiler/startup.py [--rounds 41] [--script app.py]

Each round runs the same short script once under every configuration, in an order that rotates each round,
so load on the shared machine hits all of them alike. Reported per configuration: the median of wall time
and of CPU time (user + system of the whole process tree, from the kernel's accounting of waited-for
children), and the median over rounds of the difference to plain `python` in the same round, with a
distribution-free 95% confidence interval. CPU time is the steadier figure on a busy machine.

Configurations:
codeward runs from its wheel installed by pip into a fresh virtual environment, whose python runs every
configuration (the checkout's editable install would load its finder into every interpreter).

- plain:        python app.py
- autostart:    the agent in the process, started at interpreter start-up as `codeward profile` starts it
                in every Python process of a command (CODEWARD_PROFILE=1, the bootstrap on PYTHONPATH);
                writes the JSON profile at exit
- -m profiler:  python -m codeward.profiler -q app.py (in-process, no launcher; JSON at exit)
- launcher:     codeward profile -q -- python app.py (the console script pip writes), rendering the HTML,
                speedscope and collapsed reports after the program has exited (the launcher's own
                interpreter included)
- launcher, JSON only: the same with --formats none
- launcher, new interpreter: the launcher as before it forked (CODEWARD_PROFILE_FORK=0: it starts the
                program's Python with posix_spawnp instead of running the program in its forked child)
- py-spy:       py-spy record --rate 100 -o out.svg -- python app.py (out of process; writes a flame graph)
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import json, re, time

def parse(n):
    out = []
    for i in range(n):
        out.append(json.loads(json.dumps({"id": i, "tags": [str(i)] * 3})))
    return out

def score(items):
    return sum(len(re.findall(r"\\d", item["tags"][0])) for item in items)

print(score(parse(20000)))
"""


def _install(python: str, work: Path) -> Path:
    """codeward as users get it: the wheel installed by pip into a fresh virtual environment (no editable
    install's finder loading pathlib into every interpreter, bytecode compiled, the `codeward` console script
    pip writes). Returns that environment's python. codeward's own dependencies are not installed: nothing the
    profiler runs imports them."""
    subprocess.run([python, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "wheel"), str(ROOT)],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    (wheel,) = (work / "wheel").glob("codeward-*.whl")
    venv = work / "venv"
    subprocess.run([python, "-m", "venv", "--without-pip", str(venv)], check=True)
    target = venv / "bin" / "python"
    subprocess.run([python, "-m", "pip", "--python", str(target), "install", "-q", "--no-deps", "--no-index",
                    "--disable-pip-version-check", str(wheel)], check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    return target


def _configs(python: str, work: Path, script: str) -> dict[str, tuple[list[str], dict[str, str]]]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CODEWARD_PROFILE", "PYTHON"))}
    site = subprocess.run([python, "-c", "import codeward, os; print(os.path.dirname(codeward.__file__))"],
                          env=base, cwd=work, check=True, capture_output=True, text=True).stdout.strip()  # fmt: skip
    assert os.path.isdir(os.path.join(site, "profiler", "_bootstrap")), site
    bootstrap = os.path.join(site, "profiler", "_bootstrap")
    out = str(work / "l")
    codeward = [str(Path(python).parent / "codeward"), "profile", "--isolated", "-q", "-o", out]
    configs = {
        "plain": ([python, script], base),
        "autostart": (
            [python, script],
            {**base, "CODEWARD_PROFILE": "1", "CODEWARD_PROFILER_OUTPUT_DIR": str(work / "a"), "PYTHONPATH": bootstrap},
        ),
        "-m profiler": ([python, "-m", "codeward.profiler", "--isolated", "-q", "-o", str(work / "m"), script], base),
        "launcher": ([*codeward, "--", python, script], base),
        "launcher, JSON only": ([*codeward, "--formats", "none", "--", python, script], base),
        "launcher, new interpreter": ([*codeward, "--", python, script], {**base, "CODEWARD_PROFILE_FORK": "0"}),
    }
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if os.path.exists(spy):
        configs["py-spy"] = (
            [spy, "record", "--rate", "100", "-o", str(work / "s.svg"), "--", python, script],
            base,
        )
    return configs


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _interval(values: list[float]) -> tuple[float, float]:
    """Distribution-free 95% interval of the median (order statistics of a binomial(n, 1/2))."""
    ordered = sorted(values)
    n = len(ordered)
    half = 1.96 * math.sqrt(n) / 2
    low, high = max(0, int(n / 2 - half)), min(n - 1, math.ceil(n / 2 + half))
    return ordered[low], ordered[high]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=41)
    parser.add_argument("--script", help="the script to profile (default: a short JSON/regex one)")
    parser.add_argument("--python", default=sys.executable)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        python = str(_install(options.python, work))
        script = os.path.abspath(options.script) if options.script else str(work / "app.py")
        if not options.script:
            Path(script).write_text(SCRIPT)
        configs = _configs(python, work, script)
        if "py-spy" not in configs:
            # The comparison is the point of this bench: say so rather than print a table without its peer.
            print("note: py-spy not found (pip install -e '.[bench]'); its row is left out", file=sys.stderr)
        # Run from the work folder: from the checkout, `python -m` would find its codeward/ before the installed one.
        os.chdir(work)
        names = list(configs)
        for name in names:  # warm the page cache and the bytecode caches once
            _run(*configs[name])
        wall: dict[str, list[float]] = {n: [] for n in names}
        cpu: dict[str, list[float]] = {n: [] for n in names}
        for r in range(options.rounds):
            order = names[r % len(names) :] + names[: r % len(names)]
            for name in order:
                w, c = _run(*configs[name])
                wall[name].append(w)
                cpu[name].append(c)
    load = os.getloadavg()
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
        f"at the end; {options.rounds} rounds; script: {options.script or 'built-in (20k JSON round trips)'}"
    )
    print("| configuration | wall, median | added wall [95% CI] | CPU, median | added CPU [95% CI] |")
    print("|---|---|---|---|---|")
    for name in names:
        dw = [a - b for a, b in zip(wall[name], wall["plain"], strict=True)]
        dc = [a - b for a, b in zip(cpu[name], cpu["plain"], strict=True)]
        lw, hw = _interval(dw)
        lc, hc = _interval(dc)
        print(
            f"| {name} | {statistics.median(wall[name]) * 1000:.0f} ms | "
            f"{statistics.median(dw) * 1000:+.0f} ms [{lw * 1000:+.0f}, {hw * 1000:+.0f}] | "
            f"{statistics.median(cpu[name]) * 1000:.0f} ms | "
            f"{statistics.median(dc) * 1000:+.0f} ms [{lc * 1000:+.0f}, {hc * 1000:+.0f}] |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
