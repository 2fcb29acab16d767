"""Command-line flags for the settings, shared by `codeward profile` and `python -m codeward.profiler`."""

from __future__ import annotations

import argparse
from typing import Any

from codeward.profiler.settings import SPECS, Settings, SettingsError, resolve


def add_setting_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("agent settings (also CODEWARD_PROFILER_* and [tool.codeward.profiler])")
    for spec in SPECS:
        names = [spec.flag]
        if spec.name[0].isupper():
            names.append("--" + spec.name)  # the CodeGuru spelling works too
        if spec.attr == "sampling_interval_ms":
            names.append("--interval")
        if spec.attr == "output_dir":
            names.insert(0, "-o")
        default = f"default {spec.default}" if spec.kind is not bool else "off by default"
        if spec.kind is bool:
            group.add_argument(*names, dest=spec.attr, action="store_const", const=True, default=None,
                               help=f"{spec.help} ({default})")  # fmt: skip
        else:
            group.add_argument(*names, dest=spec.attr, default=None, metavar=spec.kind.__name__.upper(),
                               help=f"{spec.help} ({default}; {spec.env})")  # fmt: skip
    parser.add_argument("--config", metavar="PYPROJECT", help="read [tool.codeward.profiler] from this file")
    parser.add_argument("--isolated", action="store_true", help="ignore pyproject.toml and CODEWARD_PROFILER_*")
    parser.add_argument("--top", type=int, default=15, metavar="N", help="functions in the terminal table")
    parser.add_argument("-q", "--quiet", action="store_true", help="print no table when the program ends")


def settings_from_args(args: argparse.Namespace, start: str = ".") -> Settings:
    """Flags over environment over pyproject over defaults; raises SettingsError with the culprit named."""
    pyproject = None
    if not args.isolated:
        if args.config:
            pyproject = args.config
        else:
            try:
                from codeward.config import find_pyproject
            except ImportError:  # the profiler on its own (python -m codeward.profiler without codeward installed)
                find_pyproject = None
            pyproject = find_pyproject(start) if find_pyproject else None
    overrides: dict[str, Any] = {}
    for spec in SPECS:
        value = getattr(args, spec.attr, None)
        if value is not None:
            overrides[spec.name] = value
    return resolve(pyproject, overrides=overrides, use_env=not args.isolated)


__all__ = ["SettingsError", "add_setting_flags", "settings_from_args"]
