"""Profiling groups: programs send their profiles to a store (a real S3 API, moto's standalone server on
127.0.0.1, and a directory), `aggregate` merges them over time windows, and a failing store never touches
the program. Lambda batches flush before the handler returns."""

from __future__ import annotations

import datetime
import gzip
import json
import os
import re
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from codeward.profiler.settings import SettingsError, resolve
from codeward.profiler.store import FileStore, encode, object_key, open_store

from tests.helpers import ROOT

PROGRAMS = {
    "alpha": textwrap.dedent(
        """
        import sys, time

        def alpha_hot(seconds):  # CPU time: as many samples on a loaded machine (wall time gave it a tenth)
            end, total = time.thread_time() + seconds, 0
            while time.thread_time() < end:
                total += sum(range(400))
            return total

        alpha_hot(float(sys.argv[1]) if len(sys.argv) > 1 else 0.6)
        print("alpha done")
        """
    ),
    "beta": textwrap.dedent(
        """
        import time

        def beta_hot(seconds):  # CPU time, in C calls: its own samples, as many on a loaded machine
            end, rounds = time.thread_time() + seconds, 0
            while time.thread_time() < end:
                rounds += len(sorted(range(300), reverse=True))
            return rounds

        beta_hot(0.6)
        print("beta done")
        """
    ),
}
KEY = re.compile(r"^(?P<prefix>.*)svc/\d{4}/\d{2}/\d{2}/\d{2}/(?P<host>[\w.-]+)-(?P<pid>\d+)-(?P<seq>\d+)\.json\.gz$")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODEWARD_PROFILE")}
    env["PYTHONPATH"] = ROOT
    env.update(extra)
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class S3Server:
    """moto's standalone S3 server on 127.0.0.1, a real HTTP endpoint speaking the S3 API."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60  # generous: the server imports a lot, slower on a loaded machine
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("moto server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None

    def env(self) -> dict[str, str]:
        return {"AWS_ENDPOINT_URL": self.url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}  # fmt: skip

    def client(self) -> Any:
        import boto3

        return boto3.client("s3", endpoint_url=self.url, region_name="us-east-1", aws_access_key_id="testing",
                            aws_secret_access_key="testing")  # fmt: skip


@pytest.fixture
def s3() -> Iterator[S3Server]:
    pytest.importorskip("moto.server", reason="moto[server] is in the dev extra: pip install -e '.[dev]'")
    pytest.importorskip("boto3", reason="boto3 is in the dev extra")
    server = S3Server()
    server.start()
    try:
        server.client().create_bucket(Bucket="profiles")
        yield server
    finally:
        server.stop()


def _run(tmp_path: Path, name: str, *flags: str, env: dict[str, str] | None = None, args: tuple[str, ...] = ()):
    (tmp_path / f"{name}.py").write_text(PROGRAMS[name])
    return subprocess.run(
        [sys.executable, "-m", "codeward", "profile", "--isolated", "-q", "-o", "out", *flags, "--",
         sys.executable, f"{name}.py", *args],
        cwd=tmp_path, env=env or _env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _aggregate(tmp_path: Path, url: str, *flags: str, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "codeward", "profile", "aggregate", url, "--output", "agg", *flags],
        cwd=tmp_path, env=env or _env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_two_programs_report_to_a_group_in_s3_and_aggregate_names_both(tmp_path: Path, s3: S3Server) -> None:
    env = _env(**s3.env())
    for name in ("alpha", "beta"):
        result = _run(tmp_path, name, "--group", "svc", "--store", "s3://profiles/prod", env=env)
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"{name} done\n" and "codeward profiler" not in result.stderr
    listed = s3.client().list_objects_v2(Bucket="profiles", Prefix="prod/")
    keys = [item["Key"] for item in listed.get("Contents", [])]
    assert len(keys) == 2, keys
    pids = set()
    for key in keys:
        match = KEY.match(key)
        assert match and match["prefix"] == "prod/" and match["seq"] == "1", key
        body = s3.client().get_object(Bucket="profiles", Key=key)["Body"].read()
        profile = json.loads(gzip.decompress(body))
        assert (profile["host"], str(profile["pid"])) == (match["host"], match["pid"])
        assert profile["group"] == "svc" and profile["end"] > profile["start"]
        assert profile["settings"]["store"] == "s3://profiles/prod" and profile["final"] is True
        pids.add(profile["pid"])
    assert len(pids) == 2
    result = _aggregate(tmp_path, "s3://profiles/prod/svc", "--since", "1h", env=env)
    assert result.returncode == 0, result.stderr
    assert "Group svc: 2 profiles from 2 processes on 1 hosts" in result.stdout
    hot = [line.split()[4] for line in result.stdout.splitlines() if re.match(r"\s+\d+\.\d\s+\d+\.\d\s", line)]
    assert {"alpha_hot", "beta_hot"} <= set(hot[:4]), result.stdout
    # One window (an hour) holds both, or two hold one each when the programs ran across the hour (the full suite
    # at 00:59-01:00 UTC once): the windows' lines add up to the two.
    windows = re.findall(r"^  \d{4}-\d\d-\d\dT\d\d:00Z\s+(\d) profiles?\s+(\d) process(?:es)?\s+1 hosts?\s+\d+ samples$",
                         result.stdout, re.M)  # fmt: skip
    assert windows in ([("2", "2")], [("1", "1"), ("1", "1")]), result.stdout
    merged = json.loads((tmp_path / "agg" / "aggregate.json").read_text())
    assert merged["processes"] == 2
    assert (tmp_path / "agg" / "aggregate.html").exists() and (tmp_path / "agg" / "aggregate.speedscope.json").exists()


def test_a_directory_store_from_env_variables_and_pyproject(tmp_path: Path) -> None:
    store = tmp_path / "shared"
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.codeward]\n\n[tool.codeward.profiler]\ngroup = "svc"\nstore = "file://{store}"\nformats = "none"\n'
    )
    (tmp_path / "alpha.py").write_text(PROGRAMS["alpha"])
    result = subprocess.run([sys.executable, "-m", "codeward.profiler", "-q", "alpha.py"], cwd=tmp_path,
                            env=_env(), capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0 and result.stdout == "alpha done\n", result.stderr
    (tmp_path / "beta.py").write_text(PROGRAMS["beta"])
    autostart = _env(CODEWARD_PROFILE="1", CODEWARD_PROFILE_GROUP="svc", CODEWARD_PROFILE_STORE=f"file://{store}",
                     CODEWARD_PACKAGE_DIR=os.path.join(ROOT, "codeward"),
                     PYTHONPATH=os.path.join(ROOT, "profiler", "_bootstrap"))  # fmt: skip
    result = subprocess.run([sys.executable, "beta.py"], cwd=tmp_path, env=autostart, capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert result.returncode == 0 and result.stdout == "beta done\n", result.stderr
    keys = sorted(str(p.relative_to(store)) for p in store.rglob("*.json.gz"))
    assert len(keys) == 2 and all(KEY.match(k) for k in keys), keys
    assert not (tmp_path / "codeward-profile").exists()  # a group's processes write to the store only
    result = _aggregate(tmp_path, f"file://{store}/svc")
    assert result.returncode == 0, result.stderr
    assert "alpha_hot" in result.stdout and "beta_hot" in result.stdout


def test_a_store_that_stops_mid_run_leaves_the_program_alone_and_says_so_once(tmp_path: Path, s3: S3Server) -> None:
    program = textwrap.dedent(
        """
        import os, sys, time
        end = time.perf_counter() + 60
        while not os.path.exists("go") and time.perf_counter() < end:  # the test stops the store meanwhile
            sum(range(1000))
        print("work done", flush=True)
        sys.stderr.write("the program's own warning\\n")
        sys.exit(3)
        """
    )
    (tmp_path / "app.py").write_text(program)
    plain = subprocess.Popen([sys.executable, "app.py"], cwd=tmp_path, env=_env(), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)  # fmt: skip
    (tmp_path / "go").write_text("")
    expected_out, expected_err = plain.communicate(timeout=120)
    (tmp_path / "go").unlink()
    child = subprocess.Popen(
        [sys.executable, "-m", "codeward", "profile", "--isolated", "-q", "-o", "out", "--formats", "none",
         "--group", "svc", "--store", "s3://profiles/prod", "--reporting-interval-in-milliseconds", "300",
         "--minimum-time-for-reporting-in-milliseconds", "300", "--", sys.executable, "app.py"],
        cwd=tmp_path, env=_env(**s3.env()), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the first periodic report reaches the store
        if s3.client().list_objects_v2(Bucket="profiles", Prefix="prod/svc/").get("KeyCount", 0):
            break
        time.sleep(0.1)
    else:
        child.kill()
        pytest.fail("no periodic upload reached the store")
    s3.stop()
    time.sleep(0.7)  # two more reporting intervals, their uploads failing
    (tmp_path / "go").write_text("")
    began = time.monotonic()
    out, err = child.communicate(timeout=120)
    waited = time.monotonic() - began
    assert child.returncode == plain.returncode == 3
    assert out == expected_out == "work done\n"
    ours = [line for line in err.splitlines() if line.startswith("codeward")]
    assert err.replace("\n".join(ours) + "\n", "") == expected_err, err
    assert len(ours) == 1, err
    assert re.fullmatch(r"codeward profiler: could not upload \d+ profiles? to s3://profiles/prod \(.*\); "
                        r"the program is not affected \(said once\)", ours[0]), ours[0]  # fmt: skip
    # The exit waits for the store a bounded time (5 s), plus the launcher's own work; generous for load.
    assert waited < 20


def test_uploads_retry_with_back_off_until_the_store_takes_them(tmp_path: Path) -> None:
    from codeward.profiler.upload import Uploader

    blocker = tmp_path / "store"
    blocker.write_text("a file where the store's directory should be")  # every put fails: not a directory
    said: list[str] = []
    uploader = Uploader(f"file://{blocker}", "svc", said.append)
    profile = {"start": time.time(), "pid": 42, "host": "h", "format": "codeward-profile"}
    uploader.put(profile, 1)
    time.sleep(0.3)
    assert uploader.sent == 0 and "NotADirectoryError" in uploader.last_error
    blocker.unlink()  # the store comes back
    assert uploader.flush(10)  # flush wakes the retry from its back-off
    assert uploader.sent == 1 and not said
    (path,) = blocker.rglob("*.json.gz")
    assert json.loads(gzip.decompress(path.read_bytes()))["pid"] == 42
    assert str(path.relative_to(blocker)) == object_key("svc", profile, 1)


def test_close_gives_up_within_its_bound_and_says_so_once(tmp_path: Path) -> None:
    from codeward.profiler.upload import Uploader

    blocker = tmp_path / "store"
    blocker.write_text("")
    said: list[str] = []
    uploader = Uploader(f"file://{blocker}", "svc", said.append)
    for sequence in range(3):
        uploader.put({"start": time.time(), "pid": 1, "host": "h"}, sequence)
    began = time.monotonic()
    uploader.close(0.5)
    assert time.monotonic() - began < 3  # 0.5 s asked; slack for a loaded machine
    assert len(said) == 1 and said[0].startswith(f"could not upload 3 profiles to file://{blocker}")


LAMBDA = textwrap.dedent(
    """
    import json, os, sys, time
    from codeward.profiler.aws_lambda import profile_handler

    class Context:
        def get_remaining_time_in_millis(self):
            return 30_000

    @profile_handler(group="fn", store="file://" + sys.argv[1], ReportingIntervalInMilliseconds=1600,
                     MinimumTimeForReportingInMilliseconds=1600, heap_budget_percent=0)
    def handler(event, context):
        end = time.perf_counter() + event["seconds"]
        while time.perf_counter() < end:  # mostly waiting: the interval counts wall time, the test's CPU is shared
            sum(range(300))
            time.sleep(0.005)
        return {"ok": event["n"]}

    def stored():
        return sum(len(files) for _, _, files in os.walk(sys.argv[1]))

    counts = []
    for n, seconds in enumerate([0.4, 0.4, 1.4, 0.2, 2.0]):
        assert handler({"n": n, "seconds": seconds}, Context()) == {"ok": n}
        counts.append(stored())  # right after the handler returned: the sandbox could freeze now
    print(json.dumps(counts))
    """
)


def test_lambda_flushes_at_the_end_of_the_invocation_that_ends_a_batch(tmp_path: Path) -> None:
    (tmp_path / "fn.py").write_text(LAMBDA)
    store = tmp_path / "store"
    result = subprocess.run([sys.executable, "fn.py", str(store)], cwd=tmp_path, env=_env(), capture_output=True,
                            text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout)
    # The interval (1.6 s of wall time across invocations) ends during the third and the fifth invocation:
    # their ends report and upload before returning; the others add nothing. Margins of 0.8 s and more for
    # what a loaded machine adds between and around invocations (0.05 s of margin was not always enough).
    assert counts == [0, 0, 1, 1, 2], counts
    profiles = [json.loads(gzip.decompress(p.read_bytes())) for p in sorted(store.rglob("*.json.gz"))]
    names = {f["name"] for p in profiles for f in p["frames"]}
    assert (
        "handler" in names and not {"invoke", "wrapper", "profile_handler.<locals>.decorate.<locals>.wrapper"} & names
    )


def test_lambda_handler_entry_point_runs_the_real_handler_under_the_agent(tmp_path: Path) -> None:
    """The function's handler set to codeward.profiler.aws_lambda.handler, the real one named in the environment."""
    (tmp_path / "app.py").write_text(
        "import time\n\ndef real_handler(event, context):\n    end = time.perf_counter() + event['seconds']\n"
        "    while time.perf_counter() < end:\n        sum(range(300))\n    return 'ok'\n"
    )
    (tmp_path / "runtime.py").write_text(
        "import sys\nsys.path.insert(0, '.')\nfrom codeward.profiler.aws_lambda import handler\n"
        "print([handler({'seconds': s}, None) for s in (0.2, 0.5)])\n"
    )
    store = tmp_path / "store"
    env = _env(CODEWARD_PROFILE_HANDLER="app.real_handler", CODEWARD_PROFILE_GROUP="fn",
               CODEWARD_PROFILE_STORE=f"file://{store}", CODEWARD_PROFILER_REPORTING_INTERVAL_IN_MILLISECONDS="400",
               CODEWARD_PROFILER_MINIMUM_TIME_FOR_REPORTING_IN_MILLISECONDS="400")  # fmt: skip
    result = subprocess.run([sys.executable, "runtime.py"], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert result.returncode == 0 and result.stdout == "['ok', 'ok']\n", result.stderr
    profiles = [json.loads(gzip.decompress(p.read_bytes())) for p in sorted(store.rglob("*.json.gz"))]
    assert profiles and profiles[0]["group"] == "fn"
    roots = {p["frames"][ids[0]]["name"] for p in profiles for ids, *_ in p["stacks"]}
    assert "real_handler" in roots  # the profile starts at the handler; the runtime's frames are cut


def test_group_settings_go_together_and_are_checked(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="group is set but store is not"):
        resolve(environ={"CODEWARD_PROFILE_GROUP": "svc"})
    with pytest.raises(SettingsError, match="must be an s3://bucket/prefix or file:///directory URL"):
        resolve(environ={"CODEWARD_PROFILE_GROUP": "svc", "CODEWARD_PROFILE_STORE": "/tmp/x"})
    with pytest.raises(SettingsError, match="may hold letters, digits"):
        resolve(overrides={"group": "a/b", "store": "file:///tmp/x"}, use_env=False)
    s = resolve(environ={"CODEWARD_PROFILE_GROUP": "svc", "CODEWARD_PROFILE_STORE": "s3://b/p"})
    assert (s.group, s.store) == ("svc", "s3://b/p")
    assert open_store("s3://b/p/q").prefix == "p/q"


def test_aggregate_windows_and_the_anomaly_check(tmp_path: Path) -> None:
    """Profiles of four hours, the last with a function that took over: per-window counts, and the gate."""
    store = FileStore("file://x", str(tmp_path / "store"))
    frames = [{"name": "<module>", "file": "app.py", "line": 1}, {"name": "steady", "file": "app.py", "line": 3},
              {"name": "creeping", "file": "app.py", "line": 9}]  # fmt: skip
    # The four UTC hours before the current one, a profile of each host in the middle of each; cut-offs at whole
    # hours. Windows are whole UTC hours, so cut-offs in minutes, or profiles relative to now, would land in
    # different windows depending on the minute the test runs at.
    base = (int(time.time()) // 3600 - 4) * 3600
    sequence = 0
    for hour in range(4):
        for host in ("web-1", "web-2"):
            creeping = 60 if hour == 3 else 5 + hour % 2
            profile = {
                "format": "codeward-profile", "version": 1, "pid": 100 + hour, "host": host, "start": base + hour * 3600 + 1800,
                "duration": 300.0, "cwd": "/srv", "settings": {"SamplingIntervalInMilliseconds": 10},
                "sampling": {"rounds": 100 + creeping, "seconds_per_sample": 0.01}, "frames": frames,
                "stacks": [[[0, 1], 100, 100.0, 0], [[0, 2], creeping, float(creeping), 0]], "threads": {}, "notes": [],
            }  # fmt: skip
            sequence += 1
            store.put(object_key("svc", profile, sequence), encode(profile))

    def hour(offset: int) -> str:
        return datetime.datetime.fromtimestamp(base + offset * 3600, datetime.timezone.utc).isoformat()

    url = f"file://{tmp_path / 'store'}/svc"
    result = _aggregate(tmp_path, url, "--since", "6h", "--until", hour(4), "--fail-on-regression", "10")
    assert result.returncode == 1, result.stdout + result.stderr
    windows = re.findall(r"^  (\S+)\s+(\d+) profiles\s+(\d+) processes\s+(\d+) hosts\s+(\d+) samples$", result.stdout,
                         re.M)  # fmt: skip
    assert [(int(p), int(h), int(s)) for _, p, _, h, s in windows] == [(2, 2, 210), (2, 2, 212), (2, 2, 210),
                                                                       (2, 2, 320)]  # fmt: skip
    assert "creeping" in result.stdout.split("Latest window")[1]
    assert "regression: creeping grew by" in result.stderr
    quiet = _aggregate(tmp_path, url, "--since", "6h", "--until", hour(3), "--fail-on-regression", "10")
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr  # without the last hour: nothing jumped
    assert "Functions whose share jumped compared with 2 earlier windows: none" in quiet.stdout
    short = _aggregate(tmp_path, url, "--since", "6h", "--until", hour(2))
    assert "needs the latest window and at least 2 earlier ones; 2 windows of data" in short.stdout
    bad = _aggregate(tmp_path, url, "--since", "yesterday")
    assert bad.returncode == 2 and "--since 'yesterday': expected a duration (1h) or an ISO time" in bad.stderr


def test_aggregate_streams_thousands_of_profiles_in_bounded_memory(tmp_path: Path) -> None:
    import tracemalloc

    from codeward.profiler.aggregate import main

    store = FileStore("file://x", str(tmp_path / "store"))
    frames = [{"name": f"f{i}", "file": "app.py", "line": i} for i in range(30)]
    start = time.time() - 600
    peaks = []
    for total in (300, 1500):
        for sequence in range(total - (300 if total == 1500 else 0)):
            stacks = [[[0, 1 + (sequence + k) % 29], 5, 5.0, 0] for k in range(3)]
            profile = {"format": "codeward-profile", "version": 1, "pid": sequence, "host": "h", "start": start,
                       "duration": 1.0, "settings": {"SamplingIntervalInMilliseconds": 10}, "sampling": {"rounds": 15}, "frames": frames, "stacks": stacks,
                       "threads": {}, "notes": [], "padding": "x" * 20_000}  # fmt: skip
            store.put(object_key("svc", profile, sequence + total), encode(profile))
        tracemalloc.start()
        code = main(
            [f"file://{tmp_path / 'store'}/svc", "--output", str(tmp_path / f"agg{total}"), "--formats", "none"]
        )
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert code == 0
    # Five times the files, about the same memory (the distinct stacks bound it, not the number of files).
    assert peaks[1] < 1.5 * peaks[0] + 2_000_000, peaks
