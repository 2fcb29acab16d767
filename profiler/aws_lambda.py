"""AWS Lambda: profile a function's invocations into its profiling group.

With a decorator:

    from codeward.profiler.aws_lambda import profile_handler

    @profile_handler(group="orders-api", store="s3://my-profiles/prod")   # or CODEWARD_PROFILE_GROUP/STORE
    def handler(event, context): ...

Without changing the code: set the function's handler to `codeward.profiler.aws_lambda.handler` and
`CODEWARD_PROFILE_HANDLER` to the real one (`app.handler`), with `CODEWARD_PROFILE_GROUP` and
`CODEWARD_PROFILE_STORE` in its environment.

One agent samples for the life of the sandbox. The reporting interval counts wall time across invocations;
at the end of the invocation in which it has passed (the end of a batch), the agent reports and waits for the
upload, bounded by the invocation's remaining time, since the sandbox may be frozen as soon as the handler
returns and a frozen upload thread sends nothing. A failure of the profiler never reaches the handler.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing is not imported in the profiled program
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

HANDLER_ENV = "CODEWARD_PROFILE_HANDLER"
_real: Any = None


def _agent(options: dict[str, Any]) -> Any:
    try:
        import codeward.profiler as profiler

        agent = profiler.start(**options)
        agent.batched = True  # reports come at the end of invocations, where the sandbox may freeze
        return agent
    except Exception as exc:  # bad settings: the function runs unprofiled, said in its log
        sys.stderr.write(f"codeward profiler: not started: {exc}\n")
        return None


def _remaining(context: Any) -> float | None:
    try:
        return context.get_remaining_time_in_millis() / 1000.0
    except Exception:  # a test's context, or none
        return None


def invoke(target: Callable[..., Any], event: Any, context: Any, options: dict[str, Any]) -> Any:
    """Run one invocation of `target` under the sandbox's agent, then flush if a batch has ended."""
    agent = _agent(options)
    try:
        return target(event, context)
    finally:
        if agent is not None:
            try:
                agent.end_of_invocation(_remaining(context))
            except Exception as exc:
                sys.stderr.write(f"codeward profiler: could not report at the end of the invocation: {exc}\n")


def profile_handler(func: Callable[..., Any] | None = None, **options: Any) -> Any:
    """Decorator for a Lambda handler (`@profile_handler` or `@profile_handler(group=..., store=...)`)."""
    import functools

    def decorate(target: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(target)
        def wrapper(event: Any, context: Any) -> Any:
            return invoke(target, event, context, options)

        return wrapper

    return decorate(func) if func is not None else decorate


def handler(event: Any, context: Any) -> Any:
    """The function's handler when it is set to codeward.profiler.aws_lambda.handler: runs CODEWARD_PROFILE_HANDLER."""
    global _real
    if _real is None:
        import importlib

        name = os.environ.get(HANDLER_ENV, "")
        module, _, function = name.rpartition(".")
        if not module or not function:
            raise RuntimeError(f"{HANDLER_ENV} must name the real handler as module.function, not {name!r}")
        _real = getattr(importlib.import_module(module), function)
    return invoke(_real, event, context, {})
