import os
import posixpath
import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import SKIP_DIRS, commands, files_named, looks_windows
from codeward.linters.simulate.files import nested_repository

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_SPEC = """version: 0.2
phases:
  build:
    commands:
      - cd $CODEBUILD_SRC_DIR/backend
      - docker build -t app .
  post_build:
    commands:
      - printf '[{"name":"app","imageUri":"%s"}]' app:latest > imagedefinitions.json
artifacts:
  files:
    - imagedefinitions.json
"""
_PACKAGE = """version: 0.2
phases:
  build:
    commands:
      - bash scripts/package.sh
artifacts:
  files:
    - packaged.yaml
"""
_GIT = {".git/HEAD": "ref: refs/heads/main\n", "backend/Dockerfile": "FROM scratch\n"}
_HOOKS = """version: 0.2
phases:
  build:
    commands:
      - mvn -q package
artifacts:
  files:
    - target/*.jar
    - appspec.yml
    - stop_server.sh
"""
_HOOK_FILES = {
    ".git/HEAD": "ref: refs/heads/main\n",
    "appspec.yml": "version: 0.0\n",
    "scripts/stop_server.sh": "#!/bin/sh\n",
}
_ECS = """version: 0.2
phases:
  build:
    commands:
      - cd infra
      - docker build -t app .
      - envsubst < appspec_template.yaml > appspec.yaml
artifacts:
  files:
    - appspec.yaml
    - infra/appspec_template.yaml
"""
_ECS_FILES = {".git/HEAD": "ref: refs/heads/main\n", "infra/appspec_template.yaml": "version: 0.0\n",
              "infra/Dockerfile": "FROM scratch\n"}  # fmt: skip
_MVN = """version: 0.2
phases:
  build:
    commands:
      - mvn -s settings.xml clean package
artifacts:
  files:
    - target/shop.war
"""
_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <artifactId>shop-web</artifactId>
  <version>1.0</version>
  <packaging>war</packaging>
  <build><finalName>my-web-app</finalName></build>
</project>
"""
_MVN_FILES = {".git/HEAD": "ref: refs/heads/main\n", "pom.xml": _POM, "settings.xml": "<settings/>\n"}
_COPIERS = frozenset({"cp", "mv", "install", "rsync"})
_REDIRECTS = frozenset({">", ">>", ">|", "&>", "&>>"})
# Commands that write no file of the source tree (or only the ones the model reads from their words).
_QUIET = frozenset({
    "echo", "printf", "export", "env", "printenv", "ls", "pwd", "which", "type", "date", "sleep", "true", "set",
    "unset", "uname", "id", "cat", "head", "tail", "grep", "wc", "test", "[", "cd", "touch", "tee", "chmod",
    "docker", "aws", "git", "pip", "pip3", "npm", "yarn", "apt-get", "yum", "sed",
    # Filters that write to their output only (a redirect of theirs is read as such).
    "cut", "tr", "jq", "sort", "uniq", "basename", "dirname", "awk",
})  # fmt: skip
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_SRC = re.compile(r"^\$(?:CODEBUILD_SRC_DIR|\{CODEBUILD_SRC_DIR\})(?=/|$)")
# Where build tools put what they make, and what they make: a name a build tool derives (a jar from the pom's
# artifactId and version) is mentioned nowhere as such.
_BUILT_DIRS = ("target/", "build/", "dist/", "out/", "bin/", "obj/", ".aws-sam/", "cdk.out/", "public/", ".next/",
               "lib/", "coverage/", "reports/", "artifacts/", "release/", "deploy/", "package/", "node_modules/")  # fmt: skip
_BUILT_SUFFIXES = (".jar", ".war", ".ear", ".zip", ".tgz", ".gz", ".whl", ".dll", ".exe", ".so", ".js", ".css",
                   ".html", ".map", ".class", ".apk", ".nupkg", ".egg", ".pyc", ".wasm", ".bin", ".tar")  # fmt: skip
_MAX_FILES = 3000
_MAX_BYTES = 200_000


def _writes_unnamed(program: str, args: list[str]) -> bool:
    """Whether a command of the _QUIET programs may still write files whose names its words do not give."""
    first = args[0] if args else ""
    if program == "awk":
        return any(">" in arg for arg in args)  # awk's own `print > "file"`
    if program == "docker":
        return first in ("run", "cp", "create", "compose", "buildx") or "-o" in args or "--output" in args
    if program == "aws":
        return first == "s3" and len(args) > 1 and args[1] in ("cp", "sync", "mv") and not args[-1].startswith("s3:")
    if program == "git":
        return first not in ("config", "status", "log", "rev-parse", "describe", "--version", "remote", "show")
    if program in ("npm", "yarn"):
        return first not in ("install", "i", "ci", "add", "config", "login", "cache", "audit", "-v", "--version")
    if program in ("pip", "pip3"):
        return "-t" in args or "--target" in args or first in ("download", "wheel")
    return False


def _literal(path: str) -> bool:
    return bool(path) and not any(c in path for c in "*?[{$`") and not path.startswith(("/", "~"))


def _resolve(cwd: str | None, target: str) -> str | None:
    """A path the shell names, relative to the source root; None when the model cannot tell where it is."""
    if _SRC.match(target):
        target = _SRC.sub("", target).lstrip("/") or "."
        cwd = ""
    if cwd is None or not _literal(target):
        return None
    joined = posixpath.normpath(posixpath.join(cwd, target))
    return None if joined.startswith("..") else ("" if joined == "." else joined)


class _Build:
    """What a buildspec's commands write, with the directory each command runs in (cd is followed)."""

    def __init__(self, data: Any, top: str) -> None:
        self.top = top
        self.written: list[tuple[str, str | None]] = []  # (base name, path from the source root or None)
        self.words: set[str] = set()
        self.opaque = False  # a command that may write files the model cannot name
        # Base names of the files handed to a script of the repository, which may write a copy under that name
        # (`./scripts/render.sh template/appspec.yaml` writes ./appspec.yaml).
        self.handed: set[str] = set()
        # The words that name a file the model records as written or copied (a redirect's target, cp's operands).
        self.accounted: set[str] = set()
        # The commands that may write files the model does not name, with the folder each runs in (None: unknown).
        self.writers: list[tuple[list[str], str | None]] = []
        cwd: str | None = ""
        from codeward.linters.revision import _simple_commands

        # Version 0.1 runs each command in a shell of its own, from the source root; later versions run them all
        # in one shell, so a `cd` holds for the commands after it, across phases.
        separate = str(data.get("version")) == "0.1" if isinstance(data, dict) else False
        for _at, text in commands(data):
            for words in _simple_commands(text):
                self.words.update(words)
                cwd = self._one(words, cwd)
            if separate:
                cwd = ""

    def _one(self, words: list[str], cwd: str | None) -> str | None:
        rest: list[str] = []
        index = 0
        while index < len(words):
            if words[index] in _REDIRECTS and index + 1 < len(words):
                self._write(cwd, words[index + 1])
                self.accounted.add(words[index + 1])
                index += 2
                continue
            rest.append(words[index])
            index += 1
        while rest and rest[0] in ("sudo", "command", "time", "exec"):
            rest = rest[1:]
        while rest and _ASSIGNMENT.match(rest[0]):
            # `TAG=$(echo ... | cut -c 1-7)`: an assignment runs only the command it substitutes, if any.
            value = rest[0].split("=", 1)[1]
            if value.endswith("$") and rest[1:2] == ["("]:  # the shell's words split `$(` apart
                rest = rest[2:]
                continue
            inner = value[2:] if value.startswith("$(") else value[1:] if value.startswith("`") else ""
            rest = ([inner] if inner else []) + rest[1:]
        if not rest:
            return cwd
        program, operands = rest[0], [w for w in rest[1:] if not w.startswith("-")]
        if program in ("cd", "pushd"):
            folder = _resolve(cwd, operands[0]) if operands else None
            if folder and not os.path.isdir(os.path.join(self.top, folder)):
                # A folder the repository lacks: made by the build (mkdir), or the cd fails and the shell stays.
                made = any(w is not None and (w == folder or w.startswith(folder + "/")) for _, w in self.written)
                return folder if made else None
            return folder
        if program == "popd":
            return None
        if program in ("touch", "tee", "mkdir") or (program in _COPIERS and len(operands) >= 2):
            self.accounted.update(operands)
        if program in ("touch", "tee"):
            for operand in operands:
                self._write(cwd, operand)
        elif program in _COPIERS and len(operands) >= 2:
            destination = operands[-1]
            folder = _resolve(cwd, destination)
            is_dir = (
                destination.endswith("/")
                or destination in (".", "..")
                or (folder is not None and os.path.isdir(os.path.join(self.top, folder)))
            )
            if is_dir:
                for source in operands[:-1]:
                    name = source.rstrip("/").rsplit("/", 1)[-1]
                    self.written.append((name, None if folder is None else posixpath.join(folder, name)))
            else:
                self._write(cwd, destination)
        elif program == "mkdir":
            for operand in operands:
                self._write(cwd, operand)
        elif self._empty_script(program, operands, cwd):
            pass  # a script of the repository with no command in it writes nothing
        elif program not in _QUIET or _writes_unnamed(program, rest[1:]):
            self.opaque = True
            self.writers.append((rest, cwd))
            if program in ("bash", "sh", "source", ".") or self._is_script(program, cwd):
                self.handed.update(o.rstrip("/").rsplit("/", 1)[-1] for o in operands)
        return cwd

    def _is_script(self, program: str, cwd: str | None) -> bool:
        """Whether `program` is a file of the repository (a script the build runs by its path)."""
        where = _resolve(cwd, program) if "/" in program or program.endswith((".sh", ".py")) else None
        return where is not None and os.path.isfile(os.path.join(self.top, where))

    def _empty_script(self, program: str, operands: list[str], cwd: str | None) -> bool:
        """Whether the command runs a script of the repository that holds no command (empty, or only comments
        and blank lines): `bash scripts/package.sh` then writes nothing."""
        if program in ("bash", "sh", "source", "."):
            script = operands[0] if operands else ""
        elif program.endswith(".sh"):
            script = program
        else:
            return False
        where = _resolve(cwd, script)
        if not script or where is None:
            return False
        full = os.path.join(self.top, where)
        try:
            if not os.path.isfile(full) or os.path.getsize(full) > _MAX_BYTES:
                return False
            with open(full, encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError:
            return False
        return all(not line.strip() or line.lstrip().startswith("#") for line in lines)

    def _write(self, cwd: str | None, target: str) -> None:
        if target.startswith("/dev/"):
            return
        self.written.append((target.rstrip("/").rsplit("/", 1)[-1], _resolve(cwd, target)))


def _handed(build: _Build, name: str) -> bool:
    """Whether a script of the repository is handed `name`, or a stem it may write it under (`./push.sh app`
    writing `app.json` with `> $1.json`)."""
    return name in build.handed or any(len(h) > 2 and name.startswith(h + ".") for h in build.handed)


_MAVEN = frozenset({"mvn", "./mvnw", "mvnw", "mvn.cmd"})
_MAVEN_BUILDS = frozenset({"package", "install", "verify", "deploy"})
_MAVEN_ELSEWHERE = ("-f", "--file", "-pl", "--projects", "-am", "--also-make", "-rf", "--resume-from")
_MAVEN_ARCHIVE = re.compile(r"^(?:(.+)/)?target/([^/]+\.(?:jar|war|ear))$")


def _maven_miss(build: _Build, top: str, target: str) -> tuple[str, str] | None:
    """Why `target` (`target/app.war` from the source root) is not what the build makes, when Maven alone may write
    files and its pom says plainly what `mvn package` names its archive (linters.maven); None otherwise."""
    from codeward.linters.maven import output_name

    match = _MAVEN_ARCHIVE.match(target)
    if match is None or not build.writers:
        return None
    folder = match.group(1) or ""
    builds = False
    for words, cwd in build.writers:
        if words[0] not in _MAVEN or cwd != folder:
            return None  # another tool, or Maven in another folder, may write it
        if any(w.startswith(_MAVEN_ELSEWHERE) or "finalName" in w for w in words[1:]):
            return None
        builds = builds or bool(_MAVEN_BUILDS & set(words[1:]))
    made = output_name(os.path.join(top, folder)) if builds else None
    if made is None:
        return None
    name, why, substituted = made
    if name == match.group(2) or (substituted and any(w.startswith("-D") for ws, _ in build.writers for w in ws)):
        return None
    where = posixpath.join(folder, "target", name)
    return (
        f"Maven writes {where} ({posixpath.join(folder, 'pom.xml')}: {why}), not {match.group(2)}",
        f'Name it "{where}" in artifacts.files, or "{posixpath.join(folder, "target")}/*.{name.rsplit(".", 1)[1]}".',
    )


def _run_mentions(top: str, here: str, words: set[str], name: str, skip: str) -> bool:
    """Whether a file the build runs mentions `name`: a word of the commands naming a file of the repository (a
    script), the Makefile when `make` runs, package.json when a package manager does."""
    candidates = {w for w in words if "/" in w or w.endswith((".sh", ".py", ".js", ".ps1", ".rb"))}
    if "make" in words:
        candidates.add("Makefile")
    if words & {"npm", "yarn", "pnpm", "npx"}:
        candidates.add("package.json")
    root = os.path.realpath(top)
    for word in candidates:
        for folder in (here, top):
            full = os.path.realpath(os.path.join(folder, word))
            if os.path.commonpath([root, full]) != root or full == os.path.realpath(skip) or not os.path.isfile(full):
                continue
            try:
                with open(full, "rb") as handle:
                    if name.encode() in handle.read(_MAX_BYTES):
                        return True
            except OSError:
                continue
    return False


def _mentioned(top: str, name: str, skip: str) -> bool:
    """Whether a text file of the repository other than `skip` mentions `name` (a script may write it)."""
    needle = name.encode()
    seen = 0
    for current, dirnames, filenames in os.walk(top):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not nested_repository(os.path.join(current, d))]
        for filename in filenames:
            seen += 1
            if seen > _MAX_FILES:
                return True  # too big to tell: assume it may be
            full = os.path.join(current, filename)
            if os.path.abspath(full) == skip or os.path.islink(full):
                continue
            try:
                with open(full, "rb") as handle:
                    if needle in handle.read(_MAX_BYTES):
                        return True
            except OSError:
                continue
    return False


class ArtifactMatchesNothing(DocumentRule):
    """
    ## What it does
    Reports `artifacts.files` when none of its entries can match a file: each entry is a plain path (no
    wildcard) that is not in the repository and that no command writes there, because the command that
    writes it runs in another directory (`cd backend` before `> imagedefinitions.json`), or because nothing
    names it at all (not a command, not a file of the repository). Paths under build-output folders
    (`target/`, `dist/`...) and build products (`.jar`, `.zip`, `.js`...) are left alone: build tools derive
    their names. Except Maven's, when Maven is the only tool that may write files and the pom of the folder it
    runs in says the name plainly: `target/<finalName>.<packaging>`, else `<artifactId>-<version>` (the parent's
    version when the project gives none); a `jar`, `war` or `ear` entry under that `target/` with another name
    matches nothing (no model when the pom has modules, an assembly or shade plugin, a classifier, a second
    `finalName` or a property it cannot resolve).

    When other entries match, also reports a plain path that the build writes only where a `cd` had left the
    shell (`cd infra` in build, `> appspec.yaml` in post_build writes infra/appspec.yaml; a 0.2 buildspec runs
    every command in one shell), when no other word of the commands names it and no script the build runs
    mentions it; a `cd` into a folder the repository lacks and no command makes leaves the shell's folder unknown.

    When other entries match, also reports a plain path that matches nothing while exactly one file of that name
    sits at another path below the buildspec's folder (`stop_server.sh` listed, `scripts/stop_server.sh`
    committed), no command names it or copies files under names it cannot see (`cp scripts/* .`), and no script
    the build runs mentions it. A file of that name in another project of the repository is not that one.

    ## Why is this bad?
    CodeBuild resolves `artifacts.files` from the source root (or `base-directory`), whatever directory the
    commands ended in. When nothing matches, the UPLOAD_ARTIFACTS phase fails with `CLIENT_ERROR: no
    matching artifact paths found`, and so does the build, after every command succeeded. When something else
    matches, CodeBuild logs the path as skipped and uploads the rest: the artifact lacks the file (a hook script
    the AppSpec runs, a template the next action deploys), and the failure comes later, in another service.

    ## Example
    ```yaml
    build:
      commands:
        - cd backend
        - printf '[...]' > imagedefinitions.json   # written as backend/imagedefinitions.json
    artifacts:
      files:
        - imagedefinitions.json
    ```

    ## Fix
    Name the file where it is written (`backend/imagedefinitions.json`, or `base-directory: backend`), write
    it where the artifacts are resolved (`> $CODEBUILD_SRC_DIR/imagedefinitions.json`, or `cd ..` first), or
    correct the misspelt name.
    """

    code = "CWB131"
    name = "buildspec-artifact-matches-nothing"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        Valid(_SPEC.replace("    - imagedefinitions.json", "    - backend/imagedefinitions.json"), files=_GIT),
        Valid(_SPEC.replace("> imagedefinitions.json", "> $CODEBUILD_SRC_DIR/imagedefinitions.json"), files=_GIT),
        Valid(_SPEC.replace("  files:", "  base-directory: backend\n  files:"), files=_GIT),
        # A build tool derives the name (target/app-1.0.jar from the pom), or a script of the repository names it.
        Valid(
            "version: 0.2\nphases:\n  build:\n    commands:\n      - mvn -q package\n"
            "artifacts:\n  files:\n    - target/app-1.0.jar\n",
            files=_GIT,
        ),
        Valid(_SPEC.replace("    - imagedefinitions.json", "    - report.txt").replace(
            "docker build -t app .", "./ci.sh"), files={**_GIT, "backend/ci.sh": "echo ok > ../report.txt\n"}),
        Valid(_PACKAGE, files={**_GIT, "scripts/package.sh": "aws cloudformation package --output-template-file $OUT\n",
                               "deploy.yml": "packaged.yaml\n"}),
        # One entry that matches is enough for a name nothing writes and the repository does not hold elsewhere.
        Valid(_SPEC.replace("    - imagedefinitions.json", "    - report.txt\n    - backend/Dockerfile"), files=_GIT),
        # A file of the repository copied to the root under a name the model cannot see, or named right.
        Valid(_HOOKS.replace("mvn -q package", "cp scripts/* ."), files=_HOOK_FILES),
        Valid(_HOOKS.replace("    - stop_server.sh", "    - scripts/stop_server.sh"), files=_HOOK_FILES),
        # A script of the repository is handed scripts/stop_server.sh: it may write a copy under that name.
        Valid(_HOOKS.replace("mvn -q package", "./render.sh scripts/stop_server.sh"),
              files={**_HOOK_FILES, "render.sh": 'cp "$1" "./$(basename "$1")"\n'}),
        # The build goes back to the root, or copies the file there; version 0.1 runs each command from the root;
        # a `cd` into a folder the repository lacks fails, so the model no longer knows where the shell is.
        Valid(_ECS.replace("      - envsubst", "      - cd ..\n      - envsubst").replace(
            "< appspec_template", "< infra/appspec_template"), files=_ECS_FILES),
        Valid(_ECS.replace("appspec.yaml\n    - infra", "appspec.yaml\n    - appspec.yaml\n    - infra").replace(
            "> appspec.yaml", "> appspec.yaml && cp appspec.yaml $CODEBUILD_SRC_DIR/"), files=_ECS_FILES),
        Valid(_ECS.replace("version: 0.2", "version: 0.1"), files=_ECS_FILES),
        Valid(_ECS.replace("cd infra", "cd deploy"), files=_ECS_FILES),
        # Maven names the archive as listed, or the pom leaves the name to a plugin, or mvn builds another pom.
        Valid(_MVN.replace("target/shop.war", "target/my-web-app.war"), files=_MVN_FILES),
        Valid(_MVN, files={**_MVN_FILES, "pom.xml": _POM.replace("<build>", "<build><plugins><plugin><artifactId>"
              "maven-shade-plugin</artifactId></plugin></plugins>")}),
        Valid(_MVN.replace("mvn -s", "mvn -f app/pom.xml -s"), files=_MVN_FILES),
        Valid(_MVN.replace("clean package", "clean package\n      - ./rename.sh"), files=_MVN_FILES),
        # fresh12 b23: a script of the repository is handed the stem of the name (`> $1.json` writes web.json).
        Valid(
            "version: 0.2\nphases:\n  post_build:\n    commands:\n      - ./ops/push.sh web $REGISTRY\n"
            "artifacts:\n  files:\n    - web.json\n",
            files={**_GIT, "ops/push.sh": "printf '[]' > $1.json\n"},
        ),
        # Another project of the repository has a file of that name: not the one this build meant.
        Valid(_HOOKS, filename="app/buildspec.yml", files={"../.git/HEAD": "ref: refs/heads/main\n",
              "appspec.yml": "version: 0.0\n", "../other/scripts/stop_server.sh": "#!/bin/sh\n"}),
    )  # fmt: skip
    INVALID = (
        # Other entries match, so the upload succeeds without the hook script, which is at scripts/stop_server.sh.
        Invalid(
            _HOOKS,
            10,
            7,
            '"stop_server.sh" matches no file: it is not in the repository and no command writes it, while the '
            "repository has scripts/stop_server.sh",
            files=_HOOK_FILES,
        ),
        Invalid(
            _SPEC,
            12,
            7,
            "the build writes it as backend/imagedefinitions.json",
            files=_GIT,
        ),
        Invalid(
            _SPEC.replace("    - imagedefinitions.json", "    - test.jason"),
            12,
            7,
            "not in the repository and no command writes it",
            files=_GIT,
        ),
        # fresh11 z1: post_build writes appspec.yaml in infra/, where build's `cd` left the shell; the template
        # entry matches, so CodeBuild uploads an artifact without appspec.yaml.
        Invalid(
            _ECS,
            10,
            7,
            'artifacts.files "appspec.yaml" matches no file: the build writes it as infra/appspec.yaml, after '
            "changing directory; CodeBuild skips a path that matches nothing when others match, so the artifact "
            "lacks it",
            files=_ECS_FILES,
        ),
        # fresh10 y35: the pom's finalName names the war Maven makes.
        Invalid(
            _MVN,
            8,
            7,
            'artifacts.files "target/shop.war" matches no file: Maven writes target/my-web-app.war (pom.xml: '
            "finalName my-web-app, packaging war), not shop.war; CodeBuild resolves artifacts from the source root "
            '(or base-directory), so the upload fails with "no matching artifact paths found"',
            files=_MVN_FILES,
        ),
        # Without finalName: artifactId-version, the version from the parent when the project gives none.
        Invalid(
            _MVN.replace("target/shop.war", "target/shop.jar"),
            8,
            7,
            'artifacts.files "target/shop.jar" matches no file: Maven writes target/shop-web-2.1.jar (pom.xml: '
            "artifactId shop-web, version 2.1, packaging jar), not shop.jar; CodeBuild resolves artifacts from the "
            'source root (or base-directory), so the upload fails with "no matching artifact paths found"',
            files={
                **_MVN_FILES,
                "pom.xml": '<project xmlns="http://maven.apache.org/POM/4.0.0"><parent>'
                "<version>2.1</version></parent><artifactId>shop-web</artifactId></project>\n",
            },
        ),
        # fresh12 b39: another entry matches, so the upload succeeds without the jar; an assignment runs only the
        # filters it substitutes, which write no file.
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands:\n      - TAG=build-$(echo $CODEBUILD_BUILD_ID "
            "| awk -F'\\t' '{print $2}')\n      - mvn clean install\n      - printf '[]' > imagedefinitions.json\nartifacts:\n"
            "  files:\n    - imagedefinitions.json\n    - target/shop.war\n",
            11,
            7,
            'artifacts.files "target/shop.war" matches no file: Maven writes target/my-web-app.war (pom.xml: '
            "finalName my-web-app, packaging war), not shop.war; CodeBuild skips a path that matches nothing when "
            "others match, so the artifact lacks it",
            files=_MVN_FILES,
        ),
        # The only command that could write it runs a script with no command in it.
        Invalid(
            _PACKAGE,
            8,
            7,
            '"packaged.yaml" matches no file: it is not in the repository and no command writes it',
            files={
                **_GIT,
                "scripts/package.sh": "#!/bin/bash\n# TODO: package the template\n",
                "deploy.yml": "packaged.yaml\n",
            },
        ),
    )

    @classmethod
    def measured(cls) -> str:
        return (
            "Precision on real-world definitions (bench/realworld.py, seven labelled sets): "
            "3 errors in 3 files, all labelled defect (corpus 220, fresh3 k23 and k72); none on the files AWS accepts. "
            "With the Maven model and the cd-left writes (bench.realworld_select over the 276 labelled files with a "
            "checkout, fifteen sets): errors on 9 files, all labelled defect (fresh10 y35, y36 and fresh11 z1 new); "
            "none on a file labelled ok or other. Over the same files and fresh12 after its first run: 10 defect files "
            "(fresh12 b39 new), none labelled ok or other."
        )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        from codeward.linters.revision import _patterns, project_root

        if path != () or ctx.document.path == "inline-buildspec" or not isinstance(value, dict):
            return
        artifacts = value.get("artifacts")
        if not isinstance(artifacts, dict) or looks_windows(value) or "secondary-artifacts" in artifacts:
            return
        patterns = _patterns(artifacts.get("files"))
        base = artifacts.get("base-directory", "")
        if not patterns or not isinstance(base, str) or (base and not _literal(base)):
            return
        here = os.path.abspath(ctx.base_dir)
        top = project_root(here)
        if top is None:
            return
        build = _Build(value, top)
        at = ("artifacts", "files") if isinstance(artifacts.get("files"), str) else None
        if not all(_literal(p) for p in patterns):
            # A wildcard entry may match: only entries that certainly miss a file of the repository are judged.
            self._misplaced(ctx, build, top, here, base, patterns, at)
            return
        problems: list[tuple[int, tuple[str, str]]] = []
        some_match = False
        for index, pattern in enumerate(patterns):
            target = posixpath.normpath(posixpath.join(base, pattern))
            why = self._why(ctx, build, top, here, target)
            if why is None:
                some_match = True  # this entry may match: the upload finds something
                continue
            problems.append((index, why))
        if some_match:
            self._misplaced(ctx, build, top, here, base, patterns, at)
            return
        for index, (why, fix) in problems:
            where = at or ("artifacts", "files", index)
            ctx.report(
                where,
                f'artifacts.files "{patterns[index]}" matches no file: {why}; CodeBuild resolves artifacts from the '
                'source root (or base-directory), so the upload fails with "no matching artifact paths found"',
                notes=(fix,),
            )

    @staticmethod
    def _misplaced(
        ctx: Context, build: _Build, top: str, here: str, base: str, patterns: list[str], at: Path | None
    ) -> None:
        """Entries that match nothing while another entry matches: CodeBuild skips them and uploads the rest, so
        the artifact silently lacks them. Reported only when the repository holds a file of that name at another
        path (the name is right, the folder wrong: `cleanup.sh` for `scripts/cleanup.sh`), no command names it or
        copies files under names the model cannot see (`cp scripts/* .`), and no script the build runs (nor its
        Makefile or package.json) mentions it."""
        if any(re.search(r"[*?\[]", name) for name, _ in build.written):
            return
        for index, pattern in enumerate(patterns):
            if not _literal(pattern):
                continue
            target = posixpath.normpath(posixpath.join(base, pattern))
            name = target.rsplit("/", 1)[-1]
            if os.path.exists(os.path.join(top, target)) or os.path.exists(os.path.join(here, target)):
                continue
            if _handed(build, name):
                continue
            places = [where for written, where in build.written if written == name]
            if places:
                # Written, but only where a `cd` had left the shell: every write of the name is followed, no other
                # word of the commands names it (a tool told to write it) and no script the build runs mentions it.
                if any(where is None or where == target for where in places) or any(
                    name in word and word not in build.accounted for word in build.words
                ):
                    continue
                if _run_mentions(top, here, build.words, name, ctx.document.path):
                    continue
                ctx.report(
                    at or ("artifacts", "files", index),
                    f'artifacts.files "{pattern}" matches no file: the build writes it as {places[-1]}, after '
                    "changing directory; CodeBuild skips a path that matches nothing when others match, so the "
                    "artifact lacks it",
                    notes=(f'Name it "{places[-1]}" in artifacts.files, or write it at the source root '
                           f"(> $CODEBUILD_SRC_DIR/{name}).",),
                )  # fmt: skip
                continue
            maven = _maven_miss(build, top, target)
            if maven is not None:
                ctx.report(
                    at or ("artifacts", "files", index),
                    f'artifacts.files "{pattern}" matches no file: {maven[0]}; CodeBuild skips a path that matches '
                    "nothing when others match, so the artifact lacks it",
                    notes=(maven[1],),
                )
                continue
            # A word naming it may tell a tool to write it (--output-template-file packaged.yml), unless the word
            # is the path of a file the repository has elsewhere (`sed -i ... appspec.yml` edits ./appspec.yml).
            if any(not os.path.isfile(os.path.join(top, w.rpartition("=")[2])) for w in build.words if name in w):
                continue
            if target.startswith(_BUILT_DIRS) or target.endswith(_BUILT_SUFFIXES):
                continue
            # The one file of that name below the buildspec's own folder: in a repository of several projects,
            # another project's file of the same name is not the one this build meant.
            below = files_named(here, name)
            if not below or len(below) != 1 or _run_mentions(top, here, build.words, name, ctx.document.path):
                continue
            found = posixpath.normpath(posixpath.join(os.path.relpath(here, top).replace(os.sep, "/"), below[0]))
            ctx.report(
                at or ("artifacts", "files", index),
                f'artifacts.files "{pattern}" matches no file: it is not in the repository and no command writes it, '
                f"while the repository has {found}; CodeBuild skips a path that matches nothing when others match, "
                "so the artifact lacks it",
                notes=(f'Name it "{found}" (from the source root, or base-directory).',),
            )

    @staticmethod
    def _why(ctx: Context, build: _Build, top: str, here: str, target: str) -> tuple[str, str] | None:
        """Why nothing can match `target` (a path from the source root) and the fix, or None when something may."""
        if os.path.exists(os.path.join(top, target)) or os.path.exists(os.path.join(here, target)):
            return None
        name = target.rsplit("/", 1)[-1]
        places = [where for written, where in build.written if written == name]
        if any(where is None or where == target for where in places):
            return None
        if places:
            return (
                f"the build writes it as {places[-1]}, after changing directory",
                f'Name it "{places[-1]}" in artifacts.files, or write it at the source root '
                f"(> $CODEBUILD_SRC_DIR/{name}).",
            )
        if any(name in word for word in build.words) or _handed(build, name):
            return None  # a tool is told the name (--output-template-file packaged.yml), or a script its stem
        maven = _maven_miss(build, top, target)
        if maven is not None:
            return maven
        if target.startswith(_BUILT_DIRS) or target.endswith(_BUILT_SUFFIXES):
            return None
        if build.opaque and _mentioned(top, name, os.path.abspath(ctx.document.path)):
            return None
        return (
            "it is not in the repository and no command writes it",
            "Correct the name to the file the build makes, or add the command that writes it.",
        )
