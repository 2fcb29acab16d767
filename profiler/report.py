"""Writing one report: the JSON profile plus the formats asked for, each file replaced atomically."""

from __future__ import annotations

import json
import os

TYPE_CHECKING = False  # typing is not imported in the profiled program
if TYPE_CHECKING:
    from typing import Any

    from codeward.profiler.settings import Settings


def _write(path: str, text: str) -> None:
    temporary = f"{path}.tmp{os.getpid()}"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)  # a reader never sees half a file


def write_reports(profile: dict[str, Any], settings: Settings, stem: str, *, render: bool = True) -> list[str]:
    """The JSON profile, and with `render` the formats the settings ask for beside it."""
    directory = settings.output_dir
    os.makedirs(directory, exist_ok=True)
    base = os.path.join(directory, stem)
    paths = [base + ".json"]
    _write(paths[0], json.dumps(profile, separators=(",", ":")))
    if render:
        paths += render_formats(profile, settings.report_formats(), base)
    return paths


def render_formats(profile: dict[str, Any], formats: list[str], base: str) -> list[str]:
    """Write the formats of one profile next to `base`.json (`codeward profile report`, the launcher)."""
    stem = os.path.basename(base)
    paths: list[str] = []
    if "collapsed" in formats:
        from codeward.profiler.formats import collapsed

        paths.append(base + ".collapsed")
        _write(paths[-1], collapsed(profile, "wall"))
        paths.append(base + ".cpu.collapsed")
        _write(paths[-1], collapsed(profile, "cpu"))
    if "speedscope" in formats:
        from codeward.profiler.formats import speedscope

        paths.append(base + ".speedscope.json")
        _write(paths[-1], speedscope(profile, name=stem))
    if "html" in formats:
        from codeward.profiler.html import render

        paths.append(base + ".html")
        _write(paths[-1], render(profile, title=stem))
    return paths
