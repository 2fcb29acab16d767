import json
import os
import re
import shlex
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import commands, looks_windows, shell_lines, text_span

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_SPEC = """version: 0.2
phases:
  install:
    commands:
      - npm install
  build:
    commands:
      - echo Building application
      - node app
"""
_EXPRESS = "const express = require('express');\nconst app = express();\napp.listen(5000);\n"
_PACKAGE = '{"scripts": {"start": "react-scripts start", "build": "react-scripts build"}}'
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_PLAIN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./-]*$")
# A program that listens: Node's http/express `listen(`, Python's app.run/uvicorn.run/serve_forever.
_NODE_LISTENS = re.compile(r"\.listen\s*\(|\bcreateServer\s*\(")
_PY_LISTENS = re.compile(
    r"\b(?:app|application|server)\.run\s*\(|\buvicorn\.run\s*\(|\.serve_forever\s*\(|\bweb\.run_app\s*\("
)
# npm scripts that start a development or production server and keep it in the foreground.
_SERVER_SCRIPT = re.compile(
    r"(?:^|[;&|]\s*|\s)(?:react-scripts\s+start|next\s+(?:dev|start)|ng\s+serve|vue-cli-service\s+serve|nodemon\b"
    r"|webpack-dev-server|webpack\s+serve|http-server\b|live-server\b|nuxt\s+(?:dev|start)|gatsby\s+(?:develop|serve)"
    r"|vite(?:\s+(?:dev|serve|preview))?\s*$|ts-node-dev\b)"
)
_MAX_READ = 200_000


def _pipelines(line: str) -> list[tuple[list[str], bool]]:
    """Each pipeline's first simple command as words, and whether the pipeline runs in the background (`&`)."""
    from codeward.linters.revision import shell_tokens

    tokens = shell_tokens(line)
    if tokens is None:
        return []
    found: list[tuple[list[str], bool]] = []
    first: list[str] | None = None
    current: list[str] = []
    for token in [*tokens, ";"]:
        if token in ("|", "|&"):
            first = first if first is not None else current
            current = []
        elif token in (";", "&", "&&", "||", ";;", "(", ")"):
            words = first if first is not None else current
            if words:
                found.append((words, token == "&"))
            first, current = None, []
        else:
            current.append(token)
    return found


def _read(path: str) -> str:
    try:
        if os.path.getsize(path) > _MAX_READ:
            return ""
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


def _script_file(cwd: str, name: str, suffix: str) -> str | None:
    """The file `node name` or `python name` runs, relative to the command's directory."""
    if not _PLAIN.match(name) or ".." in name.split("/"):
        return None
    for candidate in (name, name + suffix, os.path.join(name, "index" + suffix)):
        path = os.path.join(cwd, candidate)
        if os.path.isfile(path):
            return path
    return None


def _npm_script(cwd: str, name: str) -> str | None:
    data: Any = None
    try:
        data = json.loads(_read(os.path.join(cwd, "package.json")) or "null")
    except ValueError:
        return None
    scripts = data.get("scripts") if isinstance(data, dict) else None
    script = scripts.get(name) if isinstance(scripts, dict) else None
    if script is None and name == "start" and os.path.isfile(os.path.join(cwd, "server.js")):
        return "node server.js"  # npm's default start script
    return script if isinstance(script, str) else None


def _server(words: list[str], cwd: str | None, depth: int = 0) -> str | None:
    """Why the command starts a server that stays in the foreground, or None. `cwd` is the directory it runs
    in when known (files are read from there), None for inline buildspecs or after an unknown `cd`."""
    while words and (words[0] in ("sudo", "exec", "command", "nohup", "env") or _ASSIGNMENT.match(words[0])):
        words = words[1:]
    if not words or depth > 2:
        return None
    program, rest = os.path.basename(words[0]), words[1:]
    operands = [w for w in rest if not w.startswith("-")]
    if program in ("timeout", "gtimeout"):
        return None  # bounded
    if program == "nodemon":
        return "nodemon restarts the program on changes and never exits"
    if program in ("node", "nodejs") and operands and not set(rest) & {"-e", "-p", "--eval", "--print", "-v"}:
        path = _script_file(cwd, operands[0], ".js") if cwd else None
        if path and _NODE_LISTENS.search(_read(path)):
            return f"{os.path.relpath(path, cwd)} starts a server (listen) that does not exit"
        return None
    if program in ("python", "python3") and operands:
        if rest[:2] == ["-m", "http.server"] or (rest[:2] == ["-m", "flask"] and "run" in rest):
            return "it serves HTTP until it is stopped"
        if operands[0].endswith("manage.py") and "runserver" in operands:
            return "Django's development server runs until it is stopped"
        path = _script_file(cwd, operands[0], ".py") if cwd and operands[0].endswith(".py") else None
        if path and _PY_LISTENS.search(_read(path)):
            return f"{os.path.relpath(path, cwd)} starts a server that does not exit"
        return None
    if program == "flask" and operands[:1] == ["run"]:
        return "flask run serves the app until it is stopped"
    if program in ("uvicorn", "gunicorn", "hypercorn", "waitress-serve") and not {"-D", "--daemon"} & set(rest):
        return f"{program} serves the app until it is stopped"
    if program == "php" and ("-S" in rest or operands[:2] == ["artisan", "serve"]):
        return "PHP's built-in server runs until it is stopped"
    if program == "streamlit" and operands[:1] == ["run"]:
        return "streamlit serves the app until it is stopped"
    if program in ("rails",) and operands[:1] in (["s"], ["server"]):
        return "rails server runs until it is stopped"
    if program in ("mvn", "./mvnw", "mvnw") and "spring-boot:run" in operands:
        return "spring-boot:run starts the application and waits for it"
    if program in ("gradle", "gradlew") and "bootRun" in operands:
        return "bootRun starts the application and waits for it"
    if program in ("npm", "yarn", "pnpm") and operands and cwd:
        name = operands[1] if operands[0] in ("run", "run-script") and len(operands) > 1 else operands[0]
        if operands[0] not in ("run", "run-script", "start") and program == "npm":
            return None
        script = _npm_script(cwd, name)
        if script is None:
            return None
        if _SERVER_SCRIPT.search(script):
            return f'its "{name}" script ({script}) starts a server that does not exit'
        from codeward.linters.revision import MAX_SHELL_LINE

        for part in re.split(r"&&|;|\|\|", script):
            # shlex is quadratic in a quoted word's length: a script's command that long is not modelled.
            words = shlex.split(part, posix=True) if part.strip() and len(part) <= MAX_SHELL_LINE else []
            reason = _server(words, cwd, depth + 1)
            if reason:
                return f'its "{name}" script ({script.strip()}): {reason}'
    return None


class ServerNeverExits(DocumentRule):
    """
    ## What it does
    Warns about a build command that starts a server in the foreground: `node app` when app.js calls
    `listen(...)`, `python app.py` when it calls `app.run(...)`, `npm start` when the start script is
    `react-scripts start`, `next start`, `nodemon` or such a `node` file, `flask run`, `python manage.py
    runserver`, `uvicorn`/`gunicorn` (not `--daemon`), `php -S`, `mvn spring-boot:run`, `gradle bootRun`.
    A command run in the background (`... &`) or under `timeout` is not reported. Files are read from the
    repository (the command's directory, following `cd`); inline buildspecs of templates are judged by the
    command alone.

    ## Why is this bad?
    CodeBuild waits for every command to finish. A server never does, so the phase runs until the build's
    timeout (60 minutes by default, up to 8 hours) and the build fails, billed for the whole time. This is
    the typical result of copying an application's start command into the buildspec: the build should
    build, and the server should start where the application is deployed.

    A warning, not an error: whether a program exits is read from its code, and a server started to be
    tested may be stopped by the test that follows it in the same command line.

    ## Example
    ```yaml
    build:
      commands:
        - npm install
        - node app          # app.js: app.listen(5000)
    ```

    ## Fix
    Remove the command (start the server in the deployment: an AppSpec hook, the container's command, the
    Elastic Beanstalk Procfile), or, if later commands test it, start it in the background and stop it
    afterwards (`node app & sleep 5; npm test; kill %1`).
    """

    code = "CWB128"
    name = "buildspec-server-never-exits"
    severity = Severity.WARNING
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        # A script that exits, a server in the background or bounded by timeout.
        Valid(_SPEC, files={"app.js": "console.log('built');\n", "package.json": "{}"}),
        Valid(_SPEC.replace("node app", "node app &"), files={"app.js": _EXPRESS}),
        Valid(_SPEC.replace("node app", "timeout 30 node app"), files={"app.js": _EXPRESS}),
        Valid(_SPEC.replace("node app", "npm run build"), files={"package.json": _PACKAGE}),
        Valid(_SPEC.replace("node app", "gunicorn --daemon app:app")),
    )
    INVALID = (
        Invalid(_SPEC, 9, 9, "app.js starts a server (listen) that does not exit", files={"app.js": _EXPRESS}),
        Invalid(
            _SPEC.replace("node app", "npm start"),
            9,
            9,
            'its "start" script (react-scripts start) starts a server',
            files={"package.json": _PACKAGE},
        ),
        Invalid(_SPEC.replace("node app", "cd web && python manage.py runserver 0.0.0.0:8000"), 9, 19,
                "Django's development server"),
        Invalid(_SPEC.replace("node app", "cd api && python server.py"), 9, 19, "server.py starts a server",
                files={"api/server.py": "from flask import Flask\napp = Flask(__name__)\napp.run(port=80)\n"}),
    )  # fmt: skip

    @classmethod
    def measured(cls) -> str:
        return (
            "Precision on real-world definitions (bench/realworld.py, six labelled sets): 1 warning, on a file "
            "labelled defect (fresh f54), none on the files AWS accepts."
        )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if path != () or not isinstance(value, dict) or looks_windows(value):
            return
        cwd: str | None = None
        if ctx.document.path != "inline-buildspec" and ctx.base_dir:
            cwd = os.path.abspath(ctx.base_dir)
        for at, text in commands(value):
            for line in shell_lines(text):
                for words, background in _pipelines(line):
                    if words[0] in ("cd", "pushd") and len(words) > 1:
                        target = words[1]
                        if cwd is not None and _PLAIN.match(target) and ".." not in target.split("/"):
                            cwd = os.path.join(cwd, target)
                        else:
                            cwd = None
                        continue
                    if background:
                        continue
                    reason = _server(words, cwd)
                    if reason is None:
                        continue
                    shown = " ".join(words)
                    ctx.report(
                        at,
                        f"`{shown}` does not return: {reason}; CodeBuild waits for it until the build times out "
                        "(60 minutes by default) and the build fails",
                        span=text_span(ctx.document, at, words[0]),
                    )
