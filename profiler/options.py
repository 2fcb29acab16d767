"""Command-line flags for the settings, shared by `codeward profile` and `python -m codeward.profiler`."""

from __future__ import annotations

import os

from codeward.profiler.settings import SPECS, Settings, SettingsError, resolve

TYPE_CHECKING = False  # typing is not imported: python -m codeward.profiler pays for it before the program
if TYPE_CHECKING:
    import argparse  # nor argparse: `codeward profile -- CMD` reads its options without it
    from typing import Any


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
        default = "off by default" if spec.kind is bool else "unset by default" if spec.default == "" else (
            f"default {spec.default}")  # fmt: skip
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
        pyproject = args.config or nearest_pyproject(start)
        if pyproject and not args.config and not _mentions(pyproject, b"profiler"):
            # The project's codeward table has no profiler settings (they would name the word): tomllib is not
            # imported for nothing before the program starts.
            pyproject = None
    overrides: dict[str, Any] = {}
    for spec in SPECS:
        value = getattr(args, spec.attr, None)
        if value is not None:
            overrides[spec.name] = value
    return resolve(pyproject, overrides=overrides, use_env=not args.isolated)


def _mentions(path: str, word: bytes) -> bool:
    try:
        with open(path, "rb") as handle:
            return word in handle.read()
    except OSError:  # let the TOML reader say what is wrong with it
        return True


def nearest_pyproject(start: str) -> str | None:
    """The pyproject.toml at or above `start` with a [tool.codeward] table, as `codeward lint` finds it.

    Not codeward.config's finder: that module brings the linters' imports, which `python -m codeward.profiler`
    would pay for before the program starts."""
    folder = os.path.abspath(start)
    while True:
        path = os.path.join(folder, "pyproject.toml")
        try:
            with open(path, "rb") as handle:
                if b"[tool.codeward" in handle.read():
                    return path
        except OSError:  # none here (or unreadable): look further up
            pass
        folder, previous = os.path.dirname(folder), folder
        if folder == previous:
            return None


__all__ = ["SettingsError", "add_setting_flags", "settings_from_args"]
