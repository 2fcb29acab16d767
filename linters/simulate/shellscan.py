"""A light reading of shell commands: which variables a command reads and sets, and whether it only
changes shell state (`cd`, `export`). Enough to explain what a command sees; not a shell parser."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
# Where a simple command can start: the beginning, or after a separator or a compound keyword.
_START = r"(?:^|[;&|\n(){}]|\b(?:then|do|else|elif)\b)\s*"
_ASSIGN = re.compile(_START + rf"(?:(?:export|declare|typeset|local|readonly)(?:\s+-[a-zA-Z]+)*\s+)?({_NAME})\+?=")
_EXPORT_NAMES = re.compile(_START + r"(?:export|declare\s+-x|readonly)((?:\s+" + _NAME + r"(?:=\S*)?)+)")
_READ = re.compile(_START + r"read((?:\s+-[a-zA-Z]+(?:\s+\S+)?)*)((?:\s+" + _NAME + r")+)")
_FOR = re.compile(_START + rf"for\s+({_NAME})\s+in\b")
_SPECIAL = set("0123456789?#@*$!-_")


@dataclass(frozen=True)
class Ref:
    name: str
    offset: int
    length: int
    # ${X:-default}, ${X-default}, ${X:=x}, ${X:?msg}, ${X:+x}, ${#X}: the author handled an unset X.
    guarded: bool


def references(command: str) -> list[Ref]:
    """Variables expanded by the command, outside single quotes and escapes."""
    refs: list[Ref] = []
    i, n = 0, len(command)
    in_double = False
    while i < n:
        ch = command[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "'" and not in_double:
            end = command.find("'", i + 1)
            i = n if end < 0 else end + 1
            continue
        if ch == '"':
            in_double = not in_double
        elif ch == "$" and i + 1 < n:
            nxt = command[i + 1]
            if nxt == "{":
                end = command.find("}", i + 2)
                body = command[i + 2 : end if end >= 0 else n]
                length_op = body.startswith("#") or body.startswith("!")
                match = re.match(_NAME, body.lstrip("#!"))
                if match:
                    rest = body.lstrip("#!")[match.end() :]
                    guarded = length_op or bool(re.match(r":?[-=?+]", rest))
                    refs.append(Ref(match.group(0), i, (end + 1 - i) if end >= 0 else n - i, guarded))
                i = (end + 1) if end >= 0 else n
                continue
            match = re.match(_NAME, command[i + 1 :])
            if match:
                refs.append(Ref(match.group(0), i, len(match.group(0)) + 1, False))
                i += 1 + len(match.group(0))
                continue
        i += 1
    return refs


def assignments(command: str) -> list[tuple[str, int]]:
    """(name, offset) of every variable the command sets."""
    out: list[tuple[str, int]] = []
    masked = _mask_single_quotes(command)
    for match in _ASSIGN.finditer(masked):
        out.append((match.group(1), match.start(1)))
    for match in _EXPORT_NAMES.finditer(masked):
        for name in re.finditer(_NAME + r"(?==|\s|$)", match.group(1)):
            out.append((name.group(0), match.start(1) + name.start()))
    for match in _READ.finditer(masked):
        for name in re.finditer(_NAME, match.group(2)):
            out.append((name.group(0), match.start(2) + name.start()))
    for match in _FOR.finditer(masked):
        out.append((match.group(1), match.start(1)))
    return sorted(set(out), key=lambda item: item[1])


def _mask_single_quotes(command: str) -> str:
    return re.sub(r"'[^']*'", lambda m: "'" + " " * (len(m.group(0)) - 2) + "'", command)


_STATE_ONLY = re.compile(
    rf"^\s*(?:cd(?:\s+\S+)?|pushd\s+\S+|popd|(?:export|declare|typeset|readonly)\s.*|{_NAME}=\S*|{_NAME}=\"[^\"]*\"|{_NAME}='[^']*'"
    rf"|source\s+\S+|\.\s+\S+|set\s+[-+]\w+|umask\s+\d+|alias\s.*|ulimit\s.*)\s*$"
)


def only_changes_state(command: str) -> str | None:
    """What a command that changes nothing but its shell's state does ("cd", "export", "assignment")."""
    text = command.strip()
    if "\n" in text or not _STATE_ONLY.match(text) or "$(" in text or "`" in text:
        return None
    word = text.split()[0]
    if word in ("cd", "pushd", "popd"):
        return "changes directory"
    if word in ("export", "declare", "typeset", "readonly") or "=" in word:
        return "sets a variable"
    if word in ("source", "."):
        return "loads a file into the shell"
    return "changes a shell setting"


def cd_target(command: str) -> str | None:
    """The directory of a leading plain `cd DIR` (followed by nothing or by `&&`)."""
    match = re.match(r"^\s*cd\s+([^\s;&|$`'\"]+)\s*(?:$|&&)", command)
    return match.group(1) if match else None
