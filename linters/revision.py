"""What a CodeDeploy revision holds, as far as the repository shows: the AppSpec's own directory, or the
artifact a buildspec of the repository packs it into.
Commands that assemble a revision are read from the repository's buildspecs, its CI files (GitHub Actions,
CircleCI, GitLab, Bitbucket, Azure, Travis) and the shell scripts that name an AppSpec file (a `deploy.sh` that
copies `app/appspec.yml`, the jar and `scripts/` into one folder before zipping it).

An EC2/On-Premises revision is often not the source tree: a buildspec picks `appspec.yml`, the scripts and the
build output into an artifact, with `discard-paths: yes` flattening `scripts/start.sh` to `start.sh` or a
`base-directory` moving everything up. Hook scripts and `files` sources are then looked up in what that
artifact would hold, computed with CodeBuild's own path rules (linters.simulate.files), so that
`location: start.sh` passes when the build flattens `scripts/*`, and `location: scripts/start.sh` fails when it
does. A buildspec "packs" the AppSpec when its artifact takes the AppSpec file to the artifact's root, where
CodeDeploy looks for it. Without such a buildspec the AppSpec's directory is the revision.

Build output that does not exist in the checkout (a jar, a publish folder) cannot be seen: a path the artifact's
patterns could match is "unknown", never "missing". So is a file that a command of a repository buildspec writes
under that name (`envsubst < start.sh.template > codedeploy/start.sh`, `cp target/*.jar codedeploy/app.jar`):
builds that zip the AppSpec's folder themselves (`cd codedeploy && zip -r ../rev.zip .`) render scripts there, and
the checkout does not show them.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

PRESENT, MISSING, UNKNOWN = "present", "missing", "unknown"
_APPSPEC_NAMES = ("appspec.yml", "appspec.yaml", "appspec.json")
_SKIP = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", ".tox", "vendor"})
MAX_BUILDSPECS = 40
# Folders a local checkout holds that its commits (the source CodeBuild sees) do not: virtual environments
# and tools' caches. A project's .venv is tens of thousands of files; scanning it for every AppSpec cost
# about a second each.
_NOT_IN_SOURCE = frozenset(
    {".git", ".venv", "venv", "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
)


@dataclass
class Artifact:
    """One artifact of a buildspec that packs the AppSpec."""

    buildspec: str
    # Names inside the artifact (POSIX, relative to its root) of every file the checkout shows.
    names: set[str]
    # Directories inside the artifact.
    dirs: set[str]
    # The artifact's patterns, for names the build may create (a jar); flattened: names have no directories.
    patterns: list[str]
    flattened: bool
    # Every command of the buildspec only prints or reads (echo, ls...; no redirection, no other program): the
    # build writes no file, so the artifact holds what the checkout holds and nothing else.
    inert: bool = False


@dataclass
class Revision:
    # The AppSpec's directory: the revision when no buildspec packs the AppSpec.
    root: str
    windows: bool = False
    artifacts: list[Artifact] = field(default_factory=list)
    # Base names of the files commands of the repository's buildspecs and CI files write (redirections,
    # cp/mv/install targets, and the files a glob copies into a folder).
    built: set[str] = field(default_factory=set)
    # Directories a build command copies or moves the AppSpec into (`mv appspecs/prod.yml ./appspec.yml`): the
    # revision may be packed from there.
    moved_to: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if not self.artifacts:
            return "the AppSpec's directory"
        names = ", ".join(sorted({os.path.basename(a.buildspec) for a in self.artifacts}))
        return f"the artifact {names} builds"

    def lookup(self, relative: str, *, directory_ok: bool = False) -> str:
        """PRESENT, MISSING or UNKNOWN for a path of the revision (relative to the AppSpec, as the agent reads it)."""
        path = _clean(relative)
        if path is None:
            return MISSING
        if not self.artifacts:
            roots = (self.root, *self.moved_to)
            verdict = PRESENT if any(_exists(r, path, self.windows, directory_ok) for r in roots) else MISSING
        else:
            verdicts = [self._in_artifact(artifact, path, directory_ok) for artifact in self.artifacts]
            verdict = PRESENT if PRESENT in verdicts else UNKNOWN if UNKNOWN in verdicts else MISSING
        if verdict == MISSING and path and self._built(path):
            return UNKNOWN  # a build step writes a file of that name: the checkout cannot show it
        return verdict

    def _built(self, path: str) -> bool:
        name = path.rsplit("/", 1)[-1]
        return (name.lower() if self.windows else name) in {n.lower() if self.windows else n for n in self.built}

    def _in_artifact(self, artifact: Artifact, path: str, directory_ok: bool) -> str:
        fold = str.lower if self.windows else str
        names = {fold(n) for n in artifact.names}
        dirs = {fold(d) for d in artifact.dirs}
        key = fold(path)
        if key in names or (directory_ok and (key in dirs or key in ("", "."))):
            return PRESENT
        if artifact.flattened and "/" in path:
            return MISSING  # a flattened artifact has no directories
        if _exists(self.root, path, self.windows, directory_ok):
            return MISSING  # the file is in the checkout, but the build does not ship it under this name
        base = fold(path.rsplit("/", 1)[-1])
        if not artifact.flattened and any(fold(n.rsplit("/", 1)[-1]) == base for n in artifact.names):
            # The artifact ships a file of that name at another path: the location names the wrong folder (unless a
            # build step moves it there, which lookup() checks).
            return MISSING
        from codeward.linters.simulate.files import glob_regex

        name = os.path.basename(path) if artifact.flattened else path
        could = not artifact.inert and any(
            glob_regex(os.path.basename(p) if artifact.flattened else p).fullmatch(name) for p in artifact.patterns
        )
        return UNKNOWN if could else MISSING


def _clean(relative: str) -> str | None:
    text = relative.strip().replace("\\", "/").lstrip("/")
    while text.startswith("./"):
        text = text[2:]
    normal = os.path.normpath(text).replace(os.sep, "/") if text else "."
    if normal == ".." or normal.startswith("../"):
        return None
    return "" if normal == "." else normal


def _exists(root: str, path: str, windows: bool, directory_ok: bool) -> bool:
    full = os.path.join(root, *path.split("/")) if path else root
    if os.path.isfile(full) or (directory_ok and os.path.isdir(full)):
        return True
    if not windows or not path:
        return False
    # Windows paths are case-insensitive: `.\Build` is the repository's `build/`.
    current = root
    for part in path.split("/"):
        try:
            match = next((e for e in os.listdir(current) if e.lower() == part.lower()), None)
        except OSError:
            return False
        if match is None:
            return False
        current = os.path.join(current, match)
    return os.path.isfile(current) or (directory_ok and os.path.isdir(current))


def project_root(start: str) -> str | None:
    """The nearest directory at or above `start` holding `.git`: the checkout the build sees."""
    current = os.path.abspath(start)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _own(current: str, names: Any) -> list[str]:
    """The sub-folders of `current` among `names` that belong to this repository: not another repository cloned
    or extracted inside it (a folder of checkouts under bench/out, a cloned dependency), whose buildspecs,
    scripts and files are not in the source CodeBuild sees."""
    from codeward.linters.simulate.files import nested_repository

    return sorted(d for d in names if not nested_repository(os.path.join(current, d)))


def _buildspecs(root: str) -> list[str]:
    from codeward.linters.kinds import KINDS

    found: list[str] = []
    for current, dirnames, filenames in os.walk(root):
        depth = os.path.relpath(current, root).count(os.sep)
        dirnames[:] = _own(current, (d for d in dirnames if d not in _SKIP and depth < 4))
        for name in sorted(filenames):
            path = os.path.join(current, name)
            if KINDS["buildspec"].filename.search(path):
                found.append(path)
                if len(found) >= MAX_BUILDSPECS:
                    return found
    return found


def _load(path: str) -> Any:
    from codeward.linters.engine import load_document

    from codeward.sources import read_text

    text = read_text(path)
    if not isinstance(text, str):
        return None
    return load_document(path, text).data


# Commands that write their last argument (the destination), and shell redirections to a file.
_COPIERS = frozenset({"cp", "mv", "install", "ln", "rsync", "scp"})
_CONTROL = frozenset({"&&", "||", ";", "|", "&", ";;", "|&"})


# Programs that write no file: a build of these alone produces nothing beyond the checkout.
_INERT = frozenset({
    "echo", "printf", "ls", "pwd", "date", "env", "printenv", "whoami", "id", "uname", "true", "sleep", "cat",
    "export", "set", "which", "type", "hostname", "df", "du", "nproc", "cd",
})  # fmt: skip


def _inert(data: Any) -> bool:
    """Whether every command of the buildspec only prints or reads (no redirection, no other program)."""
    texts = _commands(data)
    if not texts or any(">" in text or "`" in text or "$(" in text for text in texts):
        return False
    for text in texts:
        for words in _simple_commands(text):
            while words and ("=" in words[0] and not words[0].startswith("=")):
                words = words[1:]  # NAME=value before the program, or an assignment alone
            if words and words[0] not in _INERT:
                return False
    return True


def _commands(data: Any) -> list[str]:
    phases = data.get("phases") if isinstance(data, dict) else None
    found: list[str] = []
    for phase in phases.values() if isinstance(phases, dict) else ():
        for key in ("commands", "finally"):
            block = phase.get(key) if isinstance(phase, dict) else None
            if isinstance(block, str):
                found.append(block)  # one string is one command
            elif isinstance(block, list):
                found += [c for c in block if isinstance(c, str)]
    return found


# Lines longer than this are not split into words. shlex builds a quoted word a character at a time, in time
# quadratic in its length (a hostile 800 KB command took over a minute of CPU), and nobody writes a command line
# this long by hand: such lines are generated data, which the shell-modelling rules leave alone.
MAX_SHELL_LINE = 16_384


@lru_cache(maxsize=1024)
def shell_tokens(line: str) -> tuple[str, ...] | None:
    """One line's words as a POSIX shell reads them (quotes removed, `#` comments dropped, `&&`, `|`, `>`... as
    words of their own); None for an unclosed quote or a line over MAX_SHELL_LINE. Cached: every rule that models
    the shell asks for the same lines."""
    if len(line) > MAX_SHELL_LINE:
        return None
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        return tuple(lexer)
    except ValueError:  # an unclosed quote: the command is not one this model can read
        return None


def _simple_commands(command: str) -> list[list[str]]:
    """The words of each simple command in a shell command line (quotes respected; `>`, `&&`... as their own words)."""
    found: list[list[str]] = []
    for line in command.replace("\\\n", " ").splitlines():
        words = shell_tokens(line)  # cached: about ten rules split each command of a buildspec
        if words is None:
            continue
        current: list[str] = []
        for word in words:
            if word in _CONTROL:
                found.append(current)
                current = []
            else:
                current.append(word)
        found.append(current)
    return [words for words in found if words]


# Other CI systems' files that build and push CodeDeploy revisions, and the keys that hold their shell commands
# (GitHub Actions `run`, CircleCI `run`/`command`, GitLab and Bitbucket `script`, Azure `script`/`inline`).
_CI_FILES = (
    ".github/workflows/*.yml", ".github/workflows/*.yaml", ".circleci/config.yml", ".gitlab-ci.yml",
    "bitbucket-pipelines.yml", "azure-pipelines.yml", ".travis.yml",
)  # fmt: skip
_CI_KEYS = frozenset({
    "run", "command", "script", "before_script", "after_script", "commands", "inline", "bash",
    # Travis CI's other phases: the revision is often assembled in before_deploy.
    "before_install", "before_deploy", "after_deploy", "after_success", "after_failure",
})  # fmt: skip
MAX_CI_FILES = 40


def ci_commands(top: str) -> list[str]:
    """The shell commands of the repository's CI files (see _CI_FILES), as strings."""
    import glob

    found: list[str] = []

    def take(value: Any, keyed: bool) -> None:
        if isinstance(value, str):
            if keyed:
                found.append(value)
        elif isinstance(value, list):
            for item in value:
                take(item, keyed)
        elif isinstance(value, dict):
            for key, child in value.items():
                take(child, keyed or key in _CI_KEYS)

    paths = sorted({p for pattern in _CI_FILES for p in glob.glob(os.path.join(top, pattern))})
    for path in paths[:MAX_CI_FILES]:
        if os.path.isfile(path) and not os.path.islink(path):
            take(_load(path), False)
    return found


MAX_SCRIPTS = 40
_MAX_SCRIPT_BYTES = 200_000


def script_commands(top: str) -> list[str]:
    """The text of the repository's shell scripts (`*.sh` up to two folders deep) that name an AppSpec file:
    deploy scripts that assemble the revision (`cp app/appspec.yml "$dir/"; cp -r scripts/ "$dir/"; zip ...`)
    before `aws deploy push` or `create-deployment`."""
    found: list[str] = []
    for current, dirnames, filenames in os.walk(top):
        depth = os.path.relpath(current, top).count(os.sep) + (current != top)
        dirnames[:] = _own(current, (d for d in dirnames if d not in _SKIP and not d.startswith(".") and depth < 2))
        for name in sorted(filenames):
            path = os.path.join(current, name)
            if not name.endswith(".sh") or os.path.islink(path):
                continue
            try:
                if os.path.getsize(path) > _MAX_SCRIPT_BYTES:
                    continue
                with open(path, encoding="utf-8", errors="replace") as handle:
                    text = handle.read()
            except OSError:
                continue
            if any(appspec in text for appspec in _APPSPEC_NAMES):
                found.append(text)
                if len(found) >= MAX_SCRIPTS:
                    return found
    return found


def written_names(data: Any, root: str | None = None) -> set[str]:
    """Base names of the files a buildspec's commands write (see names_written_by)."""
    return names_written_by(_commands(data), root)


def names_written_by(commands: list[str], root: str | None = None) -> set[str]:
    """Base names of the files and folders shell commands write: `> path` and `>> path` targets, the operands
    of cp/mv/install/ln/rsync/scp (the destination, or the sources when it is a folder; a destination folder
    written `dir/` exists afterwards too), and the folders `mkdir` makes. A glob source (`cp scripts/*.sh deploy/`) stands for the files of the checkout at
    `root` it matches, a folder source (`cp -r bin/ dist/app/`) for the files under it."""
    import glob

    names: set[str] = set()

    def add(target: str) -> None:
        base = target.rstrip("/").rsplit("/", 1)[-1]
        if target.startswith("/dev/") or base in ("", ".", "..") or base.startswith("$"):
            return
        if target.endswith("/"):
            names.add(base)  # a folder the command copies into exists afterwards (`cp app.jar bundle/target/`)
            return
        if any(c in target for c in "*?["):
            if root is not None and not target.startswith(("/", "..", "~", "$")):
                for match in glob.glob(os.path.join(root, target))[:500]:
                    if os.path.isfile(match):
                        names.add(os.path.basename(match))
            return
        names.add(base)

    for command in commands:
        for words in _simple_commands(command):
            rest: list[str] = []
            index = 0
            while index < len(words):
                if words[index] in (">", ">>", ">|", "&>", "&>>") and index + 1 < len(words):
                    add(words[index + 1])
                    index += 2
                    continue
                rest.append(words[index])
                index += 1
            while rest and rest[0] in ("sudo", "command", "time"):
                rest = rest[1:]
            operands = [w for w in rest[1:] if not w.startswith("-") and not w.isdigit()]
            if rest and rest[0] == "mkdir":
                for operand in operands:
                    add(operand.rstrip("/") + "/")  # `mkdir -p deployment/target` makes target a folder of the build
            if rest and rest[0] in _COPIERS and len(operands) >= 2:
                # The destination, and the sources' names (copied into a folder they keep their name).
                for operand in operands:
                    add(operand)
                # A folder copied whole (cp -r bin/ dist/app/) brings every file under it.
                for operand in operands[:-1]:
                    folder = os.path.join(root, operand) if root is not None else None
                    if folder and not operand.startswith(("/", "..", "~", "$")) and os.path.isdir(folder):
                        names.update(_files_under(folder))
    return names


def _files_under(folder: str, limit: int = 2000) -> set[str]:
    """The names of the files under `folder`, stopping after `limit` files seen (a folder copied whole can be
    the whole checkout: `cp -r . dist/`)."""
    found: set[str] = set()
    seen = 0
    for current, dirnames, filenames in os.walk(folder):
        dirnames[:] = _own(current, (d for d in dirnames if d not in _SKIP))
        found.update(filenames)
        seen += len(filenames) + len(dirnames)
        if seen >= limit:
            break
    return found


def moved_to(commands: list[str], appspec: str, top: str) -> list[str]:
    """Directories (relative to the checkout's top) that `cp`/`mv` commands copy the AppSpec at `appspec` into,
    as commands run from the source root: `mv ./appspecs/appspec-prod.yml ./appspec.yml` gives "", and
    `cp appspec.yml deploy/` gives "deploy"."""
    found: list[str] = []
    for command in commands:
        for words in _simple_commands(command):
            while words and words[0] in ("sudo", "command"):
                words = words[1:]
            operands = [w for w in words[1:] if not w.startswith("-")]
            if not words or words[0] not in ("cp", "mv") or len(operands) != 2:
                continue
            source, target = (_clean(w) for w in operands)
            if source != appspec or target is None:
                continue
            if operands[1].endswith("/") or target == "" or os.path.isdir(os.path.join(top, target)):
                folder = target
            elif target.rsplit("/", 1)[-1].lower() in _APPSPEC_NAMES:
                folder = target.rsplit("/", 1)[0] if "/" in target else ""
            else:
                continue
            if folder not in found and folder != os.path.dirname(appspec):
                found.append(folder)
    return found


def _artifact_specs(data: Any) -> list[dict[str, Any]]:
    artifacts = data.get("artifacts") if isinstance(data, dict) else None
    if not isinstance(artifacts, dict):
        return []
    specs = [artifacts]
    secondary = artifacts.get("secondary-artifacts")
    if isinstance(secondary, dict):
        specs += [s for s in secondary.values() if isinstance(s, dict)]
    return specs


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in ("yes", "true"))


def _patterns(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [p for p in value if isinstance(p, str)] if isinstance(value, list) else []


def revision_for(appspec_path: str, base_dir: str, windows: bool = False) -> Revision:
    """The revision of the AppSpec at `appspec_path` (its directory `base_dir`)."""
    from codeward.linters.simulate.files import Tree, resolve

    revision = Revision(base_dir, windows)
    top = project_root(base_dir)
    if top is None:
        return revision
    trees: dict[str, Any] = {}
    appspec = os.path.relpath(os.path.abspath(appspec_path), top).replace(os.sep, "/")
    others = ci_commands(top) + script_commands(top)
    revision.built |= names_written_by(others, top)
    commands = list(others)
    loaded = [(buildspec, _load(buildspec)) for buildspec in _buildspecs(top)]
    for _, data in loaded:
        revision.built |= written_names(data, top)
        commands += _commands(data)
    revision.moved_to = [os.path.join(top, d) for d in moved_to(commands, appspec, top)]
    for buildspec, data in loaded:
        for spec in _artifact_specs(data):
            patterns = _patterns(spec.get("files"))
            if not patterns:
                continue
            base = spec.get("base-directory") if isinstance(spec.get("base-directory"), str) else None
            exclude = _patterns(spec.get("exclude-paths"))
            flattened = _flag(spec.get("discard-paths"))
            # CodeBuild resolves the patterns from the source root: the checkout's top, or (for a buildspec a
            # project keeps in a folder of its own) that folder.
            for build_root in dict.fromkeys((top, os.path.dirname(buildspec))):
                tree = trees.get(build_root) or trees.setdefault(
                    build_root, Tree.scan(build_root, _NOT_IN_SOURCE, own_only=True)
                )
                files = resolve(tree, patterns, base_directory=base, exclude=exclude, discard_paths=flattened)
                prefix = os.path.relpath(build_root, top).replace(os.sep, "/")
                entries = [(p if prefix == "." else f"{prefix}/{p}", name) for p, name in files.entries]
                if not any(src == appspec and name.lower() in _APPSPEC_NAMES for src, name in entries):
                    continue
                names = {name for _, name in entries}
                dirs = {name.rsplit("/", i)[0] for name in names for i in range(1, name.count("/") + 1)}
                revision.artifacts.append(Artifact(buildspec, names, dirs, patterns, flattened, _inert(data)))
                break
    return revision
