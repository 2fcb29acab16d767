"""`codeward server`: a language server (LSP over stdio) for editors. Diagnostics for buildspec, AppSpec,
pipeline and Python files on open, on change (debounced) and on save; a quick fix for every finding codeward
can fix, and "fix all"; hover on a finding shows its rule's docs. pygls is imported only here, when the
server starts: `lint` and `review` never load it."""

from __future__ import annotations

import argparse
from typing import Any

from codeward import __version__

# How long after the last keystroke a changed buffer is checked (initializationOptions.debounce, in ms).
DEFAULT_DEBOUNCE_MS = 300
FIX_ALL = "source.fixAll.codeward"


def register(sub: Any) -> argparse.ArgumentParser:
    server = sub.add_parser(
        "server",
        help="run the language server for editors (LSP over stdio)",
        description="Run codeward's language server on stdin/stdout: diagnostics, quick fixes and rule docs on "
        "hover for buildspec, AppSpec, pipeline and Python files. Needs pygls: pip install 'codeward[server]'. "
        "Editor set-up: docs/editors.md.",
    )
    server.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (the default and only transport)")
    return server


def run(args: argparse.Namespace) -> int:
    try:
        import pygls  # noqa: F401
    except ImportError:
        from codeward.cli import UsageError

        raise UsageError("codeward server needs pygls: pip install 'codeward[server]'") from None
    build_server().start_io()
    return 0


def build_server() -> Any:
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from lsprotocol import types as lsp
    from pygls.lsp.server import LanguageServer

    from codeward import editor

    server = LanguageServer("codeward", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
    # One analysis at a time, off the event loop: the server keeps answering while a large file is checked.
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="codeward-analysis")
    state: dict[str, Any] = {"debounce": DEFAULT_DEBOUNCE_MS / 1000}
    findings: dict[str, list[Any]] = {}  # uri -> the findings last published for it
    pending: dict[str, asyncio.Task[None]] = {}

    def to_range(lines: list[str], span: Any) -> Any:
        codec = server.workspace.position_codec
        start = lsp.Position(line=span.line - 1, character=span.column - 1)
        end = lsp.Position(line=span.end_line - 1, character=span.end_column - 1)
        return codec.range_to_client_units(lines, lsp.Range(start=start, end=end))

    def diagnostic(lines: list[str], finding: Any) -> Any:
        rule = editor.rule_for(finding.code)
        severity = {3: lsp.DiagnosticSeverity.Error, 2: lsp.DiagnosticSeverity.Warning}.get(
            int(finding.severity), lsp.DiagnosticSeverity.Information
        )
        message = finding.message + "".join(f"\n{note}" for note in finding.notes)
        return lsp.Diagnostic(
            range=to_range(lines, finding.span),
            message=message,
            severity=severity,
            code=finding.code,
            code_description=lsp.CodeDescription(href=rule.help_uri()) if rule is not None else None,
            source="codeward",
            data={"fixable": finding.fix is not None},
        )

    async def check(uri: str, delay: float = 0.0) -> None:
        if delay:
            await asyncio.sleep(delay)
        document = server.workspace.get_text_document(uri)
        if not document.path:
            return
        version, text = document.version, document.source
        loop = asyncio.get_running_loop()
        analysis = await loop.run_in_executor(worker, editor.analyse, document.path, text)
        current = server.workspace.get_text_document(uri)
        if current.version != version or uri not in server.workspace.text_documents:
            return  # edited (or closed) meanwhile: the newer check publishes
        lines = list(current.lines)
        findings[uri] = analysis.findings
        if analysis.skipped:
            server.window_log_message(
                lsp.LogMessageParams(type=lsp.MessageType.Log, message=f"{document.path}: {analysis.skipped}")
            )
        server.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(
                uri=uri, version=version, diagnostics=[diagnostic(lines, f) for f in analysis.findings]
            )
        )

    def schedule(uri: str, delay: float) -> None:
        previous = pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        pending[uri] = asyncio.ensure_future(check(uri, delay))

    @server.feature(lsp.INITIALIZE)
    def initialize(params: lsp.InitializeParams) -> None:
        options = params.initialization_options
        if isinstance(options, dict) and isinstance(options.get("debounce"), int | float):
            state["debounce"] = max(0.0, float(options["debounce"]) / 1000)

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: lsp.DidOpenTextDocumentParams) -> None:
        schedule(params.text_document.uri, 0.0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: lsp.DidChangeTextDocumentParams) -> None:
        schedule(params.text_document.uri, state["debounce"])

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: lsp.DidSaveTextDocumentParams) -> None:
        schedule(params.text_document.uri, 0.0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        task = pending.pop(uri, None)
        if task is not None:
            task.cancel()
        findings.pop(uri, None)
        server.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def overlaps(lines: list[str], finding: Any, wanted: Any) -> bool:
        found = to_range(lines, finding.span)
        before = (found.end.line, found.end.character) < (wanted.start.line, wanted.start.character)
        after = (found.start.line, found.start.character) > (wanted.end.line, wanted.end.character)
        return not (before or after)

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL]),
    )
    def code_action(params: lsp.CodeActionParams) -> list[Any]:
        uri = params.text_document.uri
        document = server.workspace.get_text_document(uri)
        lines = list(document.lines)
        known = findings.get(uri, [])
        only = params.context.only
        actions = []
        if not only or lsp.CodeActionKind.QuickFix in only:
            for finding in known:
                if finding.fix is None or not overlaps(lines, finding, params.range):
                    continue
                edits = [lsp.TextEdit(range=to_range(lines, e.span), new_text=e.text) for e in finding.fix.edits]
                actions.append(
                    lsp.CodeAction(
                        title=f"{finding.fix.description} ({finding.code})",
                        kind=lsp.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic(lines, finding)],
                        is_preferred=True,
                        edit=lsp.WorkspaceEdit(changes={uri: edits}),
                    )
                )
        fixable = [f for f in known if f.fix is not None]
        if fixable and (not only or any(kind in (FIX_ALL, lsp.CodeActionKind.SourceFixAll) for kind in only)):
            fixed, count = editor.fix_all(document.source, fixable)
            whole = lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(line=len(lines), character=0))
            actions.append(
                lsp.CodeAction(
                    title=f"codeward: fix all ({count} fix{'es' if count != 1 else ''})",
                    kind=FIX_ALL,
                    edit=lsp.WorkspaceEdit(changes={uri: [lsp.TextEdit(range=whole, new_text=fixed)]}),
                )
            )
        return actions

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(params: lsp.HoverParams) -> Any:
        uri = params.text_document.uri
        lines = list(server.workspace.get_text_document(uri).lines)
        point = lsp.Range(start=params.position, end=params.position)
        parts = []
        for finding in findings.get(uri, []):
            if not overlaps(lines, finding, point):
                continue
            rule = editor.rule_for(finding.code)
            head = f"**{finding.code}** `{finding.name}` ({finding.severity}): {finding.message}"
            parts.append(head + ("\n\n" + rule.docs().markdown() if rule is not None else ""))
        if not parts:
            return None
        return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)))

    return server
