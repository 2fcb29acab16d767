import os
import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import (
    command_words,
    file_elsewhere,
    looks_windows,
    next_word_span,
    npm_scripts,
)
from codeward.linters.suggest import misspelled_file

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_SPEC = """version: 0.2
phases:
  install:
    commands:
      - echo Installing dependencies
      - pip install -r requirements.txt -t .
"""
_UI_SPEC = """version: 0.2
phases:
  install:
    commands:
      - cd ui
      - npm install
  build:
    commands:
      - npm run build
      - chmod +x ./scripts/start_server.sh
"""
_UI_FILES = {
    ".git/HEAD": "ref: refs/heads/main\n",
    "ui/package.json": '{"scripts": {"build": "react-scripts build"}}',
    "aws/scripts/start_server.sh": "#!/bin/sh\n",
}
_PLAIN_PATH = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./-]*$")
# Commands that leave the source tree as it is: until one of the others runs (a clone, an unzip, a download, a
# build tool, a script), every relative path names a file of the repository as committed.
_HARMLESS = frozenset({
    "echo", "printf", "export", "env", "printenv", "ls", "pwd", "which", "type", "whoami", "date", "sleep", "true",
    "set", "unset", "uname", "id", "df", "free", "nproc", "cat", "head", "tail", "grep", "wc", "hostname",
})  # fmt: skip
_DOTNET_VERBS = frozenset({"build", "publish", "restore", "test", "run", "pack", "clean", "msbuild"})
_DOTNET_PROJECTS = (".csproj", ".fsproj", ".vbproj", ".sln", ".slnx", ".proj")
_VERSION_FLAGS = frozenset({"-v", "--version", "version", "-version", "-V"})


def _plain(word: str) -> str | None:
    text = word
    while text.startswith("./"):
        text = text[2:]
    return text if text and _PLAIN_PATH.match(text) and ".." not in text.split("/") else None


def _sed_files(rest: list[str]) -> list[str]:
    """The files `sed -i` edits in place (it fails on one that does not exist); [] for a sed that reads stdin."""
    if not any(w == "--in-place" or w.startswith("--in-place=") or re.match(r"^-[nErsz]*i", w) for w in rest):
        return []
    operands: list[str] = []
    script_given = False
    skip = False
    for word in rest:
        if skip:
            skip = False
        elif word in ("-e", "-f", "--expression", "--file"):
            script_given, skip = True, True
        elif word.startswith(("--expression=", "--file=")):
            script_given = True
        elif word.startswith("-") and word != "-":
            continue
        else:
            operands.append(word)
    return operands if script_given else operands[1:]


def _inputs(words: list[str]) -> list[str]:
    """The relative files a simple command reads and fails without: pip's requirement files, the script run by
    sh/bash/source/python, the operands of chmod, the files sed edits in place, a program run by its path."""
    program, rest = words[0], words[1:]
    if program == "sed":
        return _sed_files(rest)
    if program.startswith("./") and len(program) > 2:
        return [program]
    if program in ("python", "python3") and rest[:2] == ["-m", "pip"]:
        program, rest = "pip", rest[2:]
    if program in ("pip", "pip3") and rest[:1] == ["install"]:
        return [rest[i + 1] for i, word in enumerate(rest[:-1]) if word in ("-r", "--requirement")]
    operands = [w for w in rest if not w.startswith("-")]
    if program in ("sh", "bash", "source", ".") and operands and "-c" not in rest:
        return operands[:1]
    if program in ("python", "python3") and operands and operands[0].endswith(".py") and not rest[0].startswith("-"):
        return operands[:1]
    if program == "chmod" and len(operands) >= 2:
        return operands[1:]
    if program == "dotnet" and rest[:1] and rest[0] in _DOTNET_VERBS:
        # The project or solution file it builds (`dotnet publish src/Api/Api.csproj`, `--project X`).
        return [
            word
            for index, word in enumerate(rest[1:], 1)
            if word.lower().endswith(_DOTNET_PROJECTS) and rest[index - 1] not in ("-o", "--output")
        ]
    return []


def _creates_files(words: list[str]) -> bool:
    """Whether a simple command may write files into the source tree (anything but a few read-only commands,
    version queries and system package installs)."""
    if words[:2] == ["$", "("] and len(words) > 2:
        # A command whose output is run (`$(aws ecr get-login ...)`): judged by the command it substitutes.
        words = [word for word in words[2:] if word != ")"] or words
    program, rest = words[0], words[1:]
    if ">" in words or ">>" in words or ">|" in words or "&>" in words or "tee" in words:
        return True
    if program in _HARMLESS or (rest and rest[0] in _VERSION_FLAGS):
        return False
    if program in ("apt-get", "apt", "yum", "dnf", "apk") or (
        program == "aws" and rest[:1] in (["--version"], ["sts"])
    ):
        return False
    if program in ("npm", "yarn") and "-g" in rest and rest[:1] in (["install"], ["i"], ["add"]):
        return False
    if program == "aws" and rest[:2] in (["ecr", "get-login-password"], ["ecr", "get-login"]):
        return False
    if program == "sed":
        return False  # edits files that exist (in place, or to stdout); it makes none
    if program == "docker" and rest[:1] in (["login"], ["tag"], ["push"], ["pull"], ["images"], ["ps"], ["info"]):
        return False
    # docker build writes into the image, not the source tree, unless told to export its result.
    return not (
        program == "docker"
        and rest[:1] == ["build"]
        and not any(w in ("-o", "--output") or w.startswith("--output=") for w in rest)
    )


# Bundlers whose build writes only its output folder (and caches under node_modules): `npm run build` running one
# of them cannot create a script or a requirements file elsewhere in the tree.
_BUNDLERS = {
    "react-scripts build": "build", "vite build": "dist", "next build": ".next", "ng build": "dist",
    "vue-cli-service build": "dist", "nuxt build": ".nuxt", "gatsby build": "public",
}  # fmt: skip


def _npm_writes(words: list[str], folder: str) -> list[str] | None:
    """The folders (relative to `folder`) that an npm command writes, when they are known: `npm install`/`ci`
    write node_modules; `npm run build` whose package.json script is a bundler's build writes its output folder.
    None for any other command (it may write anything)."""
    if words[0] != "npm" or len(words) < 2:
        return None
    rest = [w for w in words[1:] if not w.startswith("-")]
    if rest[:1] in (["install"], ["i"], ["ci"]) and len(rest) == 1:
        return ["node_modules"]
    if len(rest) != 2 or rest[0] not in ("run", "run-script"):
        return None
    scripts = npm_scripts(folder)
    script = scripts.get(rest[1]) if scripts is not None else None
    if not isinstance(script, str):
        return None
    output = _BUNDLERS.get(" ".join(script.split()))
    return ["node_modules", output] if output else None


def _cd_target(words: list[str]) -> str | None:
    """The plain relative folder a `cd` goes into; None for pushd/popd, `cd` alone, `cd -`, a variable."""
    return _plain(words[1]) if len(words) > 1 and words[0] == "cd" else None


def _cd_proves_root(data: Any, root: str, here: str) -> bool:
    """Whether the buildspec's first `cd` goes into a folder that exists from the repository's root and not from
    the buildspec's own folder: the build then runs from the root, as CodeBuild does with the whole repository."""
    for _at, _text, words in command_words(data):
        if words[0] in ("cd", "pushd", "popd"):
            target = _cd_target(words)
            return (
                target is not None
                and os.path.isdir(os.path.join(root, target))
                and not os.path.isdir(os.path.join(here, target))
            )
    return False


class InputFileElsewhere(DocumentRule):
    """
    ## What it does
    Reports a build command that reads a file by a relative path (`pip install -r requirements.txt`,
    `sh build.sh`, `chmod +x deploy.sh`, `python manage.py`, `./gradlew`, `sed -i ... taskdef.json`, the project
    or solution file of `dotnet build`/`publish`/`restore`/`test`) when the folder the shell is in (the source
    root, where CodeBuild starts every build, or the folder literal `cd`s led to) has no such file but the
    repository has one of that name in another folder (`backend/requirements.txt`), or one whose name is a slip
    away from it in the same folder (`task-definition.jbv.json` beside `task-definition.jvb.json`: at most two
    characters inserted, dropped, changed or swapped, the same extension, and only one such file), and no
    earlier command could have written it.
    Judged: the repository's one buildspec (with several, a later stage may build on an earlier build's
    artifact), at the root or in a folder when its first `cd` goes into a folder that exists from the root and
    not from its own folder (the build then runs from the root; otherwise a buildspec in a folder may belong to
    a project whose source is that folder); commands up to the first one that may write files (a clone, a
    download, an unzip, a build tool, a script; not `docker build`, `tag` or `push`, which write into images, nor
    `sed`, which edits files that exist, nor `npm install`/`ci` and an `npm run` of a bundler's build such as
    `react-scripts build` or `vite build`, which write `node_modules/` and their output folder only) or the first
    `cd` it cannot follow; not inline buildspecs of templates (whose source may be another repository).

    ## Why is this bad?
    CodeBuild runs the commands in the root of the source it checked out. A file that sits in a
    subfolder is not found there, and the command fails with "No such file or directory" (pip: "Could not
    open requirements file"), which fails the phase on every build.

    ## Example
    ```yaml
    install:
      commands:
        - pip install -r requirements.txt   # the repository has backend/requirements.txt
    ```

    ## Fix
    Name the file by its path from the root (`pip install -r backend/requirements.txt`) or change into
    its folder first (`cd backend`).
    """

    code = "CWB127"
    name = "buildspec-input-file-elsewhere"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        Valid(_SPEC, files={"requirements.txt": "flask\n", ".git/HEAD": "ref: refs/heads/main\n"}),
        # A build script that may write anything, or a buildspec in a folder with no `cd` that shows the root.
        Valid(_UI_SPEC, files={**_UI_FILES, "ui/package.json": '{"scripts": {"build": "./make.sh"}}'},
              filename="aws/buildspec.yml"),
        Valid(_UI_SPEC.replace("      - cd ui\n", ""), files=_UI_FILES, filename="aws/buildspec.yml"),
        Valid(_UI_SPEC.replace("./scripts/start_server.sh", "../aws/scripts/start_server.sh"), files=_UI_FILES,
              filename="aws/buildspec.yml"),
        # The folder is entered first, or the file is named by its path from the root.
        Valid(_SPEC.replace("      - echo Installing dependencies\n", "      - cd backend\n"),
              files={"backend/requirements.txt": "flask\n", ".git/HEAD": "ref: refs/heads/main\n"}),
        Valid(_SPEC.replace("-r requirements.txt", "-r backend/requirements.txt"),
              files={"backend/requirements.txt": "flask\n", ".git/HEAD": "ref: refs/heads/main\n"}),
        # An earlier command may have written it (here: a download), or no file of that name exists anywhere
        # (a previous pipeline stage may provide it).
        Valid(_SPEC.replace("echo Installing dependencies", "aws s3 cp s3://bucket/requirements.txt ."),
              files={"backend/requirements.txt": "flask\n", ".git/HEAD": "ref: refs/heads/main\n"}),
        Valid(_SPEC, files={"backend/app.py": "print(1)\n", ".git/HEAD": "ref: refs/heads/main\n"}),
        # A second buildspec: this one may run on the artifact of another build, which may hold the file.
        Valid(_SPEC, files={"backend/requirements.txt": "flask\n", "buildspec-build.yml": "version: 0.2\n",
                            ".git/HEAD": "ref: refs/heads/main\n"}),
        # sed reading stdin, or editing a file an earlier step writes; two files a slip away: which was meant?
        Valid("version: 0.2\nphases:\n  build:\n    commands:\n      - echo $V | sed s/a/b/ taskdef.jsn\n",
              files={"taskdef.json": "{}\n", ".git/HEAD": "ref: refs/heads/main\n"}),
        Valid("version: 0.2\nphases:\n  build:\n    commands:\n      - cp template.json taskdef.json\n"
              "      - sed -i s/a/b/ taskdef.json\n", files={"template.json": "{}\n", ".git/HEAD": "ref: refs/heads/main\n"}),
        Valid("version: 0.2\nphases:\n  build:\n    commands:\n      - sed -i s/a/b/ app-1.json\n",
              files={"app-2.json": "{}\n", "app-3.json": "{}\n", ".git/HEAD": "ref: refs/heads/main\n"}),
        # A substituted command that may write files stops the check as that command itself would.
        Valid("version: 0.2\nphases:\n  build:\n    commands:\n      - $(./fetch.sh)\n      - ./build.sh\n",
              files={"ops/build.sh": "make\n", "fetch.sh": "echo\n", ".git/HEAD": "ref: refs/heads/main\n"}),
        Valid("version: 0.2\nphases:\n  build:\n    commands:\n      - docker build -o out -t x .\n"
              "      - sed -i s/a/b/ out/app.jsn\n", files={"out/app.json": "{}\n", ".git/HEAD": "ref: refs/heads/main\n"}),
    )  # fmt: skip
    INVALID = (
        # fresh12 b17: `$(aws ecr get-login ...)` runs a docker login, which writes no file of the source.
        Invalid(
            "version: 0.2\nphases:\n  pre_build:\n    commands:\n      - $(aws ecr get-login --no-include-email)\n"
            "  build:\n    commands:\n      - ./build.sh\n",
            8,
            9,
            "build.sh is not at the source root, where the build runs this command (no command before it changes "
            'directory or writes it); the repository has ops/build.sh: ./build.sh fails with "No such file or '
            'directory" and the phase fails',
            files={"ops/build.sh": "make\n", ".git/HEAD": "ref: refs/heads/main\n"},
        ),
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands:\n      - aws ecr get-login-password | docker login "
            "--username AWS --password-stdin $REPO\n      - docker build -t $REPO/web ./web/.\n"
            "      - sed -i s/latest/$TAG/g task-definition.web.json\n      - sed -i s/latest/$TAG/g "
            "task-definition.jbv.json\n",
            8,
            32,
            "task-definition.jbv.json is not in the repository and no command before this one writes it; the "
            'repository has task-definition.jvb.json: sed fails with "No such file or directory"',
            files={
                "task-definition.web.json": "{}\n",
                "task-definition.jvb.json": "{}\n",
                "web/Dockerfile": "FROM x\n",
                ".git/HEAD": "ref: refs/heads/main\n",
            },
        ),
        Invalid(
            _SPEC,
            6,
            24,
            "requirements.txt is not at the source root, where the build runs this command (no command before "
            "it changes directory or writes it); the repository has backend/requirements.txt: pip fails with "
            '"No such file or directory" and the phase fails',
            files={"backend/requirements.txt": "flask\n", ".git/HEAD": "ref: refs/heads/main\n"},
        ),
        # fresh4 q26: the buildspec in aws/ runs from the root (its `cd ui` says so); npm install and a
        # react-scripts build write node_modules and build/ only, so the script is still missing after them.
        Invalid(
            _UI_SPEC,
            10,
            18,
            "scripts/start_server.sh is not in ui, where `cd ui` left the shell",
            files=_UI_FILES,
            filename="aws/buildspec.yml",
        ),
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands:\n"
            "      - dotnet publish -c Release -o ./deployment Server/Portal.Api.csproj\n",
            5,
            51,
            "Server/Portal.Api.csproj is not at the source root",
            files={"Server/Portal.Api/Portal.Api.csproj": "<Project/>\n", ".git/HEAD": "ref: refs/heads/main\n"},
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        from codeward.linters.revision import _buildspecs, project_root

        if path != () or ctx.document.path == "inline-buildspec" or not isinstance(value, dict):
            return
        if looks_windows(value):
            return
        here = os.path.abspath(ctx.base_dir)  # the buildspec's own folder
        root = project_root(here)
        if root is None:
            return
        if here != os.path.abspath(root) and not _cd_proves_root(value, root, here):
            # A buildspec in a folder of its repository belongs to a project whose layout this rule cannot
            # tell (a monorepo's service, an example uploaded on its own), unless its own `cd` into a folder of
            # the repository shows that the build runs from the repository's root.
            return
        if len(_buildspecs(root)) > 1:
            # Several buildspecs: a later stage's build may run on an earlier build's artifact, whose root
            # holds files the repository keeps in folders (discard-paths, base-directory).
            return
        searched: dict[Path, int] = {}
        cwd = ""  # the folder the shell is in, from the source root (0.2 runs every command in one shell)
        written: list[str] = []  # folders the commands so far may have filled (node_modules, a bundler's output)
        for at, text, words in command_words(value):
            if words[0] in ("cd", "pushd", "popd"):
                target = _cd_target(words)
                if target is None or not os.path.isdir(os.path.join(root, cwd, target)):
                    return  # relative paths now start somewhere this cannot follow
                cwd = os.path.normpath(os.path.join(cwd, target)).replace(os.sep, "/")
                continue
            for word in _inputs(words):
                plain = _plain(word)
                name = None if plain is None else (os.path.join(cwd, plain).replace(os.sep, "/") if cwd else plain)
                if name is None or os.path.exists(os.path.join(root, name)):
                    continue
                if any(name == folder or name.startswith(folder + "/") for folder in written):
                    continue
                where = "at the source root" if not cwd else f"in {cwd}, where `cd {cwd}` left the shell"
                other = file_elsewhere(root, os.path.basename(name))
                if other is not None:
                    ctx.report(
                        at,
                        f"{name} is not {where}, where the build runs this command (no command before it "
                        f"changes directory or writes it); the repository has {other}: {words[0]} fails with "
                        '"No such file or directory" and the phase fails'
                        if not cwd
                        else f"{plain} is not {where} ({name} does not exist and no command before this one "
                        f"writes it); the repository has {other}: {words[0]} fails with "
                        '"No such file or directory" and the phase fails',
                        span=next_word_span(ctx.document, searched, at, text, word),
                    )
                    continue
                meant = misspelled_file(root, name)
                if meant is not None:
                    ctx.report(
                        at,
                        f"{name} is not in the repository and no command before this one writes it; the repository "
                        f'has {meant}: {words[0]} fails with "No such file or directory" and the phase fails',
                        span=next_word_span(ctx.document, searched, at, text, word),
                        notes=(f"Did you mean {meant}?",),
                    )
            confined = _npm_writes(words, os.path.join(root, cwd))
            if confined is not None:
                written.extend(os.path.join(cwd, folder).replace(os.sep, "/") if cwd else folder for folder in confined)
                continue
            if _creates_files(words):
                return  # from here on, files may exist that the repository does not hold
