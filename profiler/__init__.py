"""codeward's sampling profiler.

    with profiler.Profile(SamplingIntervalInMilliseconds=5) as run:
        work()
    run.paths            # the report files written when the block ended

    @profiler.profile(output_dir="prof")
    def main(): ...

Settings are the CodeGuru agent's names (`MaxStackDepth`, `MemoryUsageLimitPercent`,
`MinimumTimeForReportingInMilliseconds`, `ReportingIntervalInMilliseconds`,
`SamplingIntervalInMilliseconds`) or the attribute names of `profiler.settings.Settings`.
Only the standard library is imported, and only what sampling needs when a profile starts: this module
is imported at the start-up of every process `codeward profile` runs.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing itself is not imported: it costs the program 2 ms at start-up

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    F = TypeVar("F", bound=Callable[..., Any])


def _settings(options: dict[str, Any], pyproject: str | None, use_env: bool) -> Any:
    from codeward.profiler.settings import BY_ATTR, resolve

    named = {BY_ATTR[k].name if k in BY_ATTR else k: v for k, v in options.items()}
    return resolve(pyproject, overrides=named, use_env=use_env)


class Profile:
    """Profile the code inside a `with` block (all threads); the reports (the JSON profile and the `formats`)
    are written when the block ends."""

    def __init__(self, *, write: bool = True, pyproject: str | None = None, use_env: bool = True, **options: Any):
        self.settings = _settings(options, pyproject, use_env)
        self.write = write
        self.paths: list[str] = []
        self.profile: dict[str, Any] | None = None
        self.agent: Any = None

    def __enter__(self) -> Profile:
        from codeward.profiler.agent import Agent

        self.agent = Agent(self.settings, install_exit_hooks=False, render=True).start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        agent = self.agent
        agent.stop()
        self.paths = agent.report(final=True, write=self.write)
        agent.finish_uploads()
        self.profile = agent.last_profile

    def table(self, metric: str = "auto", limit: int = 15) -> str:
        """The terminal table of the hottest functions."""
        from codeward.profiler.formats import terminal

        if self.profile is None:
            raise RuntimeError("the profile is ready when the with-block has ended")
        return terminal(self.profile, metric, limit)


def profile(func: F | None = None, **options: Any) -> Any:
    """Decorator: each call of the function is profiled and reported (`@profile` or `@profile(...)`)."""

    import functools

    def decorate(target: F) -> F:
        @functools.wraps(target)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with Profile(**options):
                return target(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate(func) if func is not None else decorate


_GLOBAL: Any = None


def start(**options: Any) -> Any:
    """Start the process-wide agent (reports periodically and at exit); returns it. Idempotent.

    It writes the JSON profile only (and uploads it to a profiling group's store): `codeward profile report DIR`
    renders the other formats later, off the program's time."""
    global _GLOBAL
    if _GLOBAL is None:
        from codeward.profiler.agent import Agent

        _GLOBAL = Agent(_settings(options, None, True)).start()
    return _GLOBAL


def stop() -> list[str]:
    """Stop the process-wide agent and write its final report; returns the paths written."""
    global _GLOBAL
    agent, _GLOBAL = _GLOBAL, None
    if agent is None:
        return []
    agent.stop()
    paths = agent.report(final=True)
    agent.finish_uploads()
    return paths
