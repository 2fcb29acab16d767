"""`codeward server` end to end: the real server process over stdio, driven by a real LSP client (pygls's),
through initialize, didOpen, publishDiagnostics, codeAction, hover, didChange (debounced), didSave, didClose,
shutdown and exit. Diagnostics come from the same engines and configuration as the CLI."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

BUILDSPEC = """version: 0.2
env:
  variables:
    DB_PASSWORD: Zq8v2LmT9xWc4RbK
phases:
  build:
    comands:
      - make
"""
# A non-ASCII character before the finding on its line: UTF-16 columns differ from code points there.
PYTHON = 'import yaml\n\n\ndef load(s):\n    icon = "😀"; return yaml.load(s), icon\n'
NOT_A_DEFINITION = "services:\n  web:\n    image: nginx\n"
# The configuration the CLI reads is the server's too: the plaintext secret rule is off in this project.
PYPROJECT = '[tool.codeward]\nignore = ["CWB104"]\n'
# Typing pauses (50 ms) well inside the debounce: without it, the first edit's check would publish first.
DEBOUNCE_MS = 1000
TIMEOUT = 60  # generous: the machine is shared; a healthy run answers in well under a second


class Client:
    def __init__(self, client: LanguageClient) -> None:
        self.lsp = client
        self.published: asyncio.Queue[lsp.PublishDiagnosticsParams] = asyncio.Queue()

        @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def _published(params: lsp.PublishDiagnosticsParams) -> None:
            self.published.put_nowait(params)

        @client.feature(lsp.WINDOW_LOG_MESSAGE)
        def _logged(params: lsp.LogMessageParams) -> None:
            pass

    async def diagnostics(self, uri: str) -> lsp.PublishDiagnosticsParams:
        while True:
            params = await asyncio.wait_for(self.published.get(), TIMEOUT)
            if params.uri == uri:
                return params

    def open(self, path: Path, language: str) -> str:
        uri = path.as_uri()
        item = lsp.TextDocumentItem(uri=uri, language_id=language, version=1, text=path.read_text())
        self.lsp.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=item))
        return uri


def _range(line: int, start: int, end: int) -> lsp.Range:
    return lsp.Range(start=lsp.Position(line=line, character=start), end=lsp.Position(line=line, character=end))


async def session(workspace: Path) -> None:
    client = LanguageClient("codeward-tests", "1")
    c = Client(client)
    await client.start_io(sys.executable, "-m", "codeward", "server", "--stdio", cwd=str(workspace))
    result = await asyncio.wait_for(
        client.initialize_async(
            lsp.InitializeParams(
                capabilities=lsp.ClientCapabilities(),
                root_uri=workspace.as_uri(),
                initialization_options={"debounce": DEBOUNCE_MS},
            )
        ),
        TIMEOUT,
    )
    assert result.server_info is not None and result.server_info.name == "codeward"
    capabilities = result.capabilities
    assert capabilities.hover_provider and capabilities.code_action_provider
    client.initialized(lsp.InitializedParams())

    # didOpen: diagnostics at once, positioned, with the rule's docs link; CWB104 is off by configuration.
    buildspec = workspace / "ci" / "buildspec.yml"
    uri = c.open(buildspec, "yaml")
    published = await c.diagnostics(uri)
    assert published.version == 1
    (diagnostic,) = published.diagnostics
    assert (diagnostic.code, diagnostic.source, diagnostic.severity) == ("CWB001", "codeward", lsp.DiagnosticSeverity.Error)  # fmt: skip
    assert diagnostic.range == _range(6, 4, 11)
    assert diagnostic.message.startswith('unknown key "comands" in phases.build; did you mean "commands"?')
    assert diagnostic.code_description is not None
    assert diagnostic.code_description.href.endswith("#cwb001-buildspec-unknown-key")

    # codeAction: the quick fix renames the key; "fix all" rewrites the buffer as --fix would.
    actions = await asyncio.wait_for(
        client.text_document_code_action_async(
            lsp.CodeActionParams(
                text_document=lsp.TextDocumentIdentifier(uri=uri),
                range=_range(6, 6, 6),
                context=lsp.CodeActionContext(diagnostics=[diagnostic]),
            )
        ),
        TIMEOUT,
    )
    assert actions is not None
    quick, fix_all = actions
    assert isinstance(quick, lsp.CodeAction) and isinstance(fix_all, lsp.CodeAction)
    assert quick.kind == lsp.CodeActionKind.QuickFix and quick.title == 'rename to "commands" (CWB001)'
    assert quick.edit is not None and list(quick.edit.changes[uri]) == [lsp.TextEdit(range=_range(6, 4, 11), new_text="commands")]  # fmt: skip
    assert fix_all.kind == "source.fixAll.codeward" and fix_all.edit is not None
    (whole,) = fix_all.edit.changes[uri]
    assert whole.new_text == BUILDSPEC.replace("comands", "commands")

    # hover over the finding: its message, then the rule's docs.
    hover = await asyncio.wait_for(
        client.text_document_hover_async(
            lsp.HoverParams(
                text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(line=6, character=5)
            )
        ),
        TIMEOUT,
    )
    assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
    assert hover.contents.value.startswith('**CWB001** `buildspec-unknown-key` (error): unknown key "comands"')
    assert "What it does" in hover.contents.value and "Why is this bad?" in hover.contents.value
    nothing = await client.text_document_hover_async(
        lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(line=0, character=1))
    )
    assert nothing is None

    # didChange, three quick edits: one check, after the last (debounced), from the buffer, not the disk.
    started = asyncio.get_running_loop().time()
    for version, (old, new) in enumerate([("comands", "commands"), ("make", "make all"), ("build", "buil")], start=2):
        line = {"comands": 6, "make": 7, "build": 5}[old]
        text = BUILDSPEC.replace("comands", "commands") if version > 2 else BUILDSPEC
        column = text.splitlines()[line].index(old)
        client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    lsp.TextDocumentContentChangePartial(range=_range(line, column, column + len(old)), text=new)
                ],
            )
        )
        await asyncio.sleep(0.05)
    published = await c.diagnostics(uri)
    assert published.version == 4
    assert asyncio.get_running_loop().time() - started >= DEBOUNCE_MS / 1000
    assert [(d.code, d.range.start.line) for d in published.diagnostics] == [("CWB001", 5)]
    assert 'unknown key "buil" in phases' in published.diagnostics[0].message
    # didSave: checked again at once.
    client.text_document_did_save(lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri)))
    assert (await c.diagnostics(uri)).version == 4

    # Python: the reviewer's findings, columns in UTF-16 code units (the protocol's default).
    python_uri = c.open(workspace / "app.py", "python")
    published = await c.diagnostics(python_uri)
    codes = [(d.code, d.range) for d in published.diagnostics]
    column = PYTHON.splitlines()[4].index("yaml.load") + 1  # + 1: the emoji is two UTF-16 code units
    assert ("CWR106", _range(4, column, column + len("yaml.load(s)"))) in codes, codes
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=python_uri),
            range=_range(4, column, column),
            context=lsp.CodeActionContext(diagnostics=[], only=[lsp.CodeActionKind.QuickFix]),
        )
    )
    assert actions is not None and len(actions) == 1 and isinstance(actions[0], lsp.CodeAction)
    assert actions[0].edit is not None
    (edit,) = actions[0].edit.changes[python_uri]
    assert edit.new_text == "safe_load" and edit.range == _range(4, column + 5, column + 9)  # yaml.[load]

    # A YAML file that is no definition: nothing to say.
    other_uri = c.open(workspace / "docker-compose.yml", "yaml")
    assert list((await c.diagnostics(other_uri)).diagnostics) == []

    # didClose clears the file's diagnostics.
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri)))
    assert list((await c.diagnostics(uri)).diagnostics) == []

    await asyncio.wait_for(client.shutdown_async(None), TIMEOUT)
    client.exit(None)
    assert client._server is not None
    assert await asyncio.wait_for(client._server.wait(), TIMEOUT) == 0
    await client.stop()


def test_language_server_end_to_end(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "buildspec.yml").write_text(BUILDSPEC)
    (tmp_path / "app.py").write_text(PYTHON)
    (tmp_path / "docker-compose.yml").write_text(NOT_A_DEFINITION)
    asyncio.run(session(tmp_path))


def test_the_cli_reads_the_same_configuration(tmp_path: Path) -> None:
    """What the server reported above is what `codeward lint` reports for the file."""
    from tests.helpers import run_cli

    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "buildspec.yml").write_text(BUILDSPEC)
    _, out, _ = run_cli("lint", "--no-cache", "--format", "concise", cwd=str(tmp_path))
    assert [line.split(" ")[1] for line in out.splitlines()[:-1]] == ["CWB001"]
    _, out, _ = run_cli("lint", "--no-cache", "--isolated", "--format", "concise", cwd=str(tmp_path))
    assert [line.split(" ")[1] for line in out.splitlines()[:-1]] == ["CWB104", "CWB001"]


def test_lint_and_review_never_import_pygls(tmp_path: Path) -> None:
    (tmp_path / "buildspec.yml").write_text(BUILDSPEC)
    (tmp_path / "app.py").write_text(PYTHON)
    probe = (
        "import sys; from codeward.cli import main\n"
        "for command in ('lint', 'review'):\n"
        "    try: main([command, '--isolated', '--no-cache', '--format', 'json', '-o', 'out.json'])\n"
        "    except SystemExit: pass\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol', 'asyncio'))\n"
        "print(loaded)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_without_pygls_the_server_says_what_to_install(tmp_path: Path) -> None:
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "pygls.py").write_text("raise ImportError('pygls is not installed')\n")
    done = subprocess.run(
        [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); from codeward.cli import main; "
         "sys.exit(main(['server']))", str(blocker)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr == "codeward: error: codeward server needs pygls: pip install 'codeward[server]'\n"
