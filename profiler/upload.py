"""Sending a process's profiles to its profiling group's store, off the program's threads.

One daemon thread per process (named codeward-profiler-upload, and never sampled) encodes each profile
(gzip-compressed JSON) and puts it, retrying with exponential back-off (0.5 s doubling to 30 s) for up to
RETRY_FOR seconds. Nothing here raises into the program or blocks it: a full queue drops the oldest
profile, and at exit `close` waits a bounded time (EXIT_WAIT) before giving up. Failures are said once
per process on stderr, when a profile is given up.
"""

from __future__ import annotations

import os
import threading
import time

TYPE_CHECKING = False  # typing is not imported in the profiled program
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

EXIT_WAIT = 5.0  # seconds the exit (or a Lambda invocation's end) waits for uploads at most
RETRY_FOR = 300.0  # seconds one profile is retried while the program runs
MAX_QUEUED = 16  # profiles waiting at most; more drop the oldest
FIRST_DELAY, MAX_DELAY = 0.5, 30.0


class Uploader:
    def __init__(self, url: str, group: str, warn: Callable[[str], None], importing: Any = None) -> None:
        self.url, self.group, self._warn = url, group, warn
        # Held while this thread imports (the store, boto3): the agent's fork hook waits for it, so a fork child
        # never inherits a module's import lock held by this thread, which it does not have (see Agent._before_fork).
        self._importing = importing if importing is not None else threading.Lock()
        self._cond = threading.Condition(threading.Lock())
        self._queue: list[tuple[dict[str, Any], int]] = []
        self._busy = False  # an item is being sent
        self._closing = False
        self._abandoned = False  # close() gave up: the send in flight stops too
        self._store: Any = None
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self.ident = 0  # the thread's ident, for the sampler to leave out
        self.sent = 0
        self.given_up = 0
        self.last_error = ""
        self._said = False

    def start(self) -> None:
        """Start the thread, which opens the store at once: boto3 must be imported before the interpreter
        shuts down (it registers atexit hooks, refused then), and away from the program's own threads."""
        if self._thread is None:
            if self.url.startswith("s3://"):
                # boto3's transfer module imports this, which registers a hook that threading refuses once the
                # interpreter is shutting down: a short program may end before the thread has imported boto3.
                import concurrent.futures.thread  # noqa: F401
            thread = threading.Thread(target=self._run, name="codeward-profiler-upload", daemon=True)
            try:
                thread.start()
            except RuntimeError:  # no new threads at interpreter shutdown: close() sends in the caller's thread
                return
            self._thread = thread
            self.ident = thread.ident or 0

    def put(self, profile: dict[str, Any], sequence: int) -> None:
        """Queue one profile (never blocks)."""
        with self._cond:
            if len(self._queue) >= MAX_QUEUED:
                self._queue.pop(0)
                self._give_up(1, "too many profiles waiting for the store")
            self._queue.append((profile, sequence))
            self._cond.notify_all()
        self.start()

    def flush(self, timeout: float) -> bool:
        """Wait until every queued profile was sent or given up, at most `timeout` seconds; True when done."""
        deadline = time.monotonic() + timeout
        with self._cond:
            self._cond.notify_all()  # a retry waiting out its back-off tries again now
            while self._queue or self._busy:
                left = deadline - time.monotonic()
                if left <= 0 or self._thread is None or not self._thread.is_alive():
                    return False
                self._cond.wait(min(left, 0.05))
        return True

    def close(self, timeout: float = EXIT_WAIT) -> None:
        """At exit: retry what is left without back-off for up to `timeout` seconds, then give it up."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._thread is None and self._queue:  # no thread could be started: send from here, as bounded
            self._send_inline(time.monotonic() + timeout)
        if not self.flush(timeout):
            with self._cond:
                left = len(self._queue) + (1 if self._busy else 0)
                self._queue.clear()
                self._abandoned = True
            if left:
                self._give_up(left, f"still failing after {timeout:g} s at exit")

    def _give_up(self, count: int, why: str) -> None:
        self.given_up += count
        if not self._said:
            self._said = True
            error = f": {self.last_error}" if self.last_error else ""
            self._warn(
                f"could not upload {count} profile{'s' if count != 1 else ''} to {self.url} ({why}{error}); "
                "the program is not affected (said once)"
            )

    def _send_inline(self, deadline: float) -> None:
        try:
            with self._importing:
                from codeward.profiler.store import encode, object_key, open_store

                store = self._store or open_store(self.url)
            while self._queue and time.monotonic() < deadline:
                profile, sequence = self._queue[0]
                try:
                    store.put(object_key(self.group, profile, sequence), encode(profile))
                    self._queue.pop(0)
                    self.sent += 1
                except Exception as exc:
                    self.last_error = f"{type(exc).__name__}: {exc}"
                    time.sleep(0.1)
        except Exception as exc:
            self.last_error = f"{type(exc).__name__}: {exc}"

    def _open(self) -> Any:
        from codeward.profiler.store import S3Store, open_store

        store = open_store(self.url)
        if isinstance(store, S3Store):
            store.client  # noqa: B018  (imports boto3 and builds the client now, not at exit)
        return store

    def _run(self) -> None:
        from codeward.profiler.agent import block_signals

        block_signals()  # the program's signals go to the program's threads (see there)
        try:
            with self._importing:
                from codeward.profiler.store import encode, object_key

                self._store = self._open()
        except Exception as exc:
            self.last_error = f"{type(exc).__name__}: {exc}"
            with self._cond:
                count = len(self._queue)
                self._queue.clear()
                self._cond.notify_all()
            self._give_up(count, "the store cannot be used")
            return
        while True:
            with self._cond:
                while not self._queue:
                    self._cond.wait()
                profile, sequence = self._queue.pop(0)
                self._busy = True
            try:
                self._send(object_key(self.group, profile, sequence), encode(profile))
            except Exception as exc:  # never into the program
                self.last_error = f"{type(exc).__name__}: {exc}"
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _send(self, key: str, data: bytes) -> None:
        started = time.monotonic()
        delay = FIRST_DELAY
        while True:
            try:
                self._store.put(key, data)
                self.sent += 1
                return
            except Exception as exc:  # botocore's errors, an OSError, a refused connection
                self.last_error = f"{type(exc).__name__}: {exc}"
            with self._cond:
                if self._abandoned:
                    return
                if self._closing:
                    wait = 0.1  # exit is waiting for us (within its bound): try again soon
                elif time.monotonic() - started > RETRY_FOR:
                    self._give_up(1, f"retried for {RETRY_FOR:g} s")
                    return
                else:
                    wait = delay
                    delay = min(delay * 2, MAX_DELAY)
                self._cond.wait(wait)  # flush() and close() wake it early
