"""Resource leaks: files, sockets, connections, cursors, responses, processes, temporary files, archives,
executors and S3 bodies that are not closed on every path."""

from __future__ import annotations

from collections.abc import Iterator

from codeward.reviewer.engine import Context, argument, children, dotted, literal_str, method_name
from codeward.reviewer.lazy import cst
from codeward.reviewer.rule import ReviewRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

RESOURCES = {
    "open": "file",
    "io.open": "file",
    "codecs.open": "file",
    "gzip.open": "file",
    "bz2.open": "file",
    "lzma.open": "file",
    "socket.socket": "socket",
    "socket.create_connection": "socket",
    "sqlite3.connect": "database connection",
    "psycopg2.connect": "database connection",
    "psycopg.connect": "database connection",
    "pymysql.connect": "database connection",
    "MySQLdb.connect": "database connection",
    "mysql.connector.connect": "database connection",
    "cx_Oracle.connect": "database connection",
    "pyodbc.connect": "database connection",
    "urllib.request.urlopen": "HTTP response",
    "subprocess.Popen": "process",
    "tempfile.NamedTemporaryFile": "temporary file",
    "tempfile.TemporaryFile": "temporary file",
    "tempfile.SpooledTemporaryFile": "temporary file",
    "zipfile.ZipFile": "zip file",
    "tarfile.open": "tar file",
    "concurrent.futures.ThreadPoolExecutor": "executor",
    "concurrent.futures.ProcessPoolExecutor": "executor",
    "multiprocessing.Pool": "process pool",
    "http.client.HTTPConnection": "HTTP connection",
    "http.client.HTTPSConnection": "HTTP connection",
    "ftplib.FTP": "FTP connection",
    "smtplib.SMTP": "SMTP connection",
    "smtplib.SMTP_SSL": "SMTP connection",
}
_CLOSERS = frozenset({"close", "shutdown", "terminate", "kill", "quit", "release_conn", "__exit__", "cleanup",
                      "detach"})  # fmt: skip
# Reading a StreamingBody to the end releases its connection; waiting for a process closes its pipes.
_KIND_CLOSERS = {"S3 StreamingBody": frozenset({"read"}), "process": frozenset({"wait", "communicate"}),
                 "process pool": frozenset({"join"})}  # fmt: skip
# Calls that use a resource without taking ownership of it.
_BORROWERS = frozenset(
    [
        "json.load",
        "json.dump",
        "pickle.load",
        "pickle.dump",
        "yaml.safe_load",
        "yaml.safe_dump",
        "print",
        "len",
        "isinstance",
        "shutil.copyfileobj",
        "csv.reader",
        "csv.writer",
        "csv.DictReader",
        "csv.DictWriter",
        "hashlib.file_digest",
        "logging.info",
        "logging.debug",
        "next",
        "iter",
        "list",
        "sorted",
        "enumerate",
        "zip",
        "tomllib.load",
    ]
)


# Used and dropped in one expression (`open(p).read()`, `urlopen(u).read()`), these are closed as soon as the
# expression ends: CPython frees them by reference counting and their finalizers close the descriptor. Executors,
# pools and processes are no leak either when used inline (their threads or children are the point).
_FREED_AT_ONCE = frozenset({"file", "HTTP response", "temporary file", "zip file", "tar file", "executor",
                            "process pool", "process", "socket"})  # fmt: skip
_IN_MEMORY = frozenset({"io.BytesIO", "io.StringIO"})
# Objects whose finalizer closes their descriptor (unlike executors and pools, whose threads outlive them).
_DESCRIPTORS = frozenset({"file", "HTTP response", "temporary file", "zip file", "tar file", "socket"})


def resource_kind(ctx: Context, call: cst.Call) -> str | None:
    name = ctx.call_name(call)
    kind = RESOURCES.get(name)
    if kind is not None:
        if name == "open" and ctx.qualname(call.func) != "open":
            return None
        if kind in ("zip file", "tar file") and _in_memory(ctx, call):
            return None  # `ZipFile(BytesIO(data))`: no descriptor, nothing to leak
        if kind == "process" and not _piped(call):
            return None  # no pipe to the child: the parent holds no descriptor (the child's exit is another matter)
        return kind
    method = method_name(call)
    if method == "cursor" and isinstance(call.func, cst.Attribute):
        origin = ctx.origin(call.func.value)
        if origin is not None and RESOURCES.get(origin[0]) == "database connection":
            return "database cursor"
    return None


def _read_in_return(use: cst.CSTNode, parents: list[cst.CSTNode]) -> bool:
    """`return r.read()...`: the resource is read to its end inside the return statement."""
    if len(parents) < 2 or not any(isinstance(p, cst.Return) for p in parents):
        return False
    attribute, call = parents[-1], parents[-2]
    return (
        isinstance(attribute, cst.Attribute)
        and attribute.value is use
        and attribute.attr.value in ("read", "readlines", "json")
        and isinstance(call, cst.Call)
        and call.func is attribute
    )


def _reads_to_end(call: cst.Call) -> bool:
    """`response.read()` with no size: http.client reads an HTTP response to its end and then closes its
    connection itself (`urlopen(u)`'s response needs no `close()` after it)."""
    return call.func.attr.value == "read" and not call.args  # type: ignore[attr-defined]


def _in_memory(ctx: Context, call: cst.Call) -> bool:
    """An archive opened over a buffer in memory (`io.BytesIO(...)`, directly or through a variable)."""
    source = argument(call, 0, "file") or argument(call, -2, "fileobj")
    if source is None:
        return False
    if isinstance(source, cst.Call):
        return ctx.call_name(source) in _IN_MEMORY
    origin = ctx.origin(source)
    return origin is not None and origin[0] in _IN_MEMORY


def _piped(call: cst.Call) -> bool:
    """`Popen(..., stdout=PIPE)`: the parent holds the pipe's end until it is read to the end or closed."""
    return any(
        arg.keyword is not None
        and arg.keyword.value in ("stdin", "stdout", "stderr")
        and (dotted(arg.value) or "").rsplit(".", 1)[-1] == "PIPE"
        for arg in call.args
    )


def _over_file_object(ctx: Context, call: cst.BaseExpression, parents: list[cst.CSTNode]) -> bool:
    """`ZipFile(fh)` with `fh` from `with open(...) as fh` or `fh = open(...)`: the archive opened no descriptor
    of its own (closing it leaves `fh` open); the file is its own resource, checked where it is opened."""
    if not isinstance(call, cst.Call):
        return False
    source = argument(call, 0, "file") or argument(call, -2, "fileobj")
    if not isinstance(source, cst.Name):
        return False
    for parent in parents:
        if isinstance(parent, cst.With) and any(
            item.asname is not None
            and isinstance(item.asname.name, cst.Name)
            and item.asname.name.value == source.value
            for item in parent.items
        ):
            return True
    origin = ctx.origin(source)
    return origin is not None and RESOURCES.get(origin[0]) == "file"


def _body_kind(ctx: Context, value: cst.BaseExpression) -> str | None:
    """`s3.get_object(...)["Body"]`: a botocore StreamingBody holding an HTTP connection."""
    if isinstance(value, cst.Subscript) and len(value.slice) == 1:
        index = value.slice[0].slice
        if isinstance(index, cst.Index) and literal_str(index.value) == "Body":
            inner = value.value
            if isinstance(inner, cst.Call) and method_name(inner) == "get_object":
                return "S3 StreamingBody"
    return None


def _walk(node: cst.CSTNode, parents: list[cst.CSTNode]) -> Iterator[tuple[cst.CSTNode, list[cst.CSTNode]]]:
    """Nodes of a function body with their ancestors, not entering nested functions or classes."""
    yield node, parents
    if isinstance(node, cst.FunctionDef | cst.ClassDef | cst.Lambda) and parents:
        return
    parents.append(node)
    for child in children(node):
        yield from _walk(child, parents)
    parents.pop()


def _closed_in_else(
    parents: list[cst.CSTNode], block: cst.CSTNode | None, statement: cst.CSTNode, close: cst.CSTNode
) -> bool:
    """`try: f = open(p)` / `except OSError: ...` / `else: f.close()`: the open is the try's last statement and the
    close the else's first, so nothing can fail in between (the handlers run only when the open failed)."""
    for node in parents:
        if isinstance(node, cst.Try) and node.body is block and node.orelse is not None:
            body, other = list(node.body.body), list(node.orelse.body.body)  # type: ignore[attr-defined]
            return bool(body) and body[-1] is statement and bool(other) and other[0] is close
    return False


def _statement_of(parents: list[cst.CSTNode], node: cst.CSTNode) -> tuple[cst.CSTNode, cst.CSTNode | None]:
    """(the statement holding node, the block that lists it)."""
    chain = [*parents, node]
    for index in range(len(chain) - 1, 0, -1):
        if isinstance(chain[index], cst.BaseStatement) and isinstance(chain[index - 1], cst.BaseSuite | cst.Module):
            return chain[index], chain[index - 1]
    return node, None


class ResourceLeak(ReviewRule):
    """
    ## What it does
    Finds resources that are not closed on every path: files, sockets, database connections and cursors,
    `urlopen` responses, `Popen` processes, temporary files, zip and tar files, executors and process
    pools, SMTP/FTP/HTTP connections and botocore `StreamingBody` objects that are opened in a function,
    neither managed by `with` nor closed in a `finally`, and not handed to the caller. A resource closed on
    the normal path but not when an exception comes first is reported at `info`. Files and responses
    used and dropped in one expression (`open(p).read()`) are not reported: CPython closes them as the
    expression ends. Archives over a buffer in memory (`ZipFile(BytesIO(data))`) hold no descriptor.

    ## Why is this bad?
    An exception before `close()` (or a missing `close()`) leaks the descriptor or connection: long-running
    services and warm Lambda environments run out of file descriptors or database connections, and written
    data may never be flushed.

    ## Example
    ```python
    f = open(path)
    data = json.load(f)
    f.close()
    ```

    ## Fix
    Use `with open(path) as f:` (or `contextlib.closing(...)`, `contextlib.ExitStack`), or close it in a
    `finally:` block.
    """

    code = "CWR501"
    name = "resource-leak"
    category = "resource-leak"
    cwe = 772
    severity = Severity.WARNING
    needles = ("open(", "socket", "connect(", "Popen", "Temporary", "ZipFile", "Executor", "Pool", "cursor(", "SMTP",
               "FTP", "Connection", "get_object")  # fmt: skip

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        """A resource created and used in one expression (`open(p).read()`) is never closed explicitly."""
        parent = ctx.parents[-1] if ctx.parents else None
        if not isinstance(parent, cst.Attribute | cst.Arg):
            return
        kind = resource_kind(ctx, node)
        if kind is None or kind in _FREED_AT_ONCE:
            return
        if isinstance(parent, cst.Arg):
            consumer = ctx.parents[-2] if len(ctx.parents) > 1 else None
            if not isinstance(consumer, cst.Call) or ctx.call_name(consumer) not in _BORROWERS:
                return
        elif parent.attr.value in ("close", "__enter__"):
            return
        ctx.report(node, f"this {kind} is used without being closed; the handle stays open until garbage collection")

    def visit_Assign(self, ctx: Context, node: cst.Assign) -> None:
        """Remember which functions create resources: only those are walked again when they end."""
        value = node.value
        if isinstance(value, cst.Call | cst.Subscript) and ctx.function is not None:
            kind = resource_kind(ctx, value) if isinstance(value, cst.Call) else _body_kind(ctx, value)
            if kind is not None:
                ctx.shared[("creates", id(ctx.function))] = True

    def leave_FunctionDef(self, ctx: Context, node: cst.FunctionDef) -> None:
        if not ctx.shared.pop(("creates", id(node)), False):
            return
        created: list[tuple[str, cst.Call | cst.BaseExpression, str, list[cst.CSTNode]]] = []
        uses: dict[str, list[tuple[cst.CSTNode, list[cst.CSTNode]]]] = {}
        for inner, parents in _walk(node.body, []):
            if (
                isinstance(inner, cst.Assign)
                and len(inner.targets) == 1
                and isinstance(inner.targets[0].target, cst.Name)
            ):
                value = inner.value
                kind = resource_kind(ctx, value) if isinstance(value, cst.Call) else _body_kind(ctx, value)
                if kind is not None:
                    created.append((inner.targets[0].target.value, value, kind, list(parents)))
            elif isinstance(inner, cst.Name):
                uses.setdefault(inner.value, []).append((inner, list(parents)))
        for name, call, kind, parents in created:
            verdict = self._verdict(ctx, name, call, kind, parents, uses.get(name, []))
            if verdict is not None:
                # Closed on the normal path, left open only when something fails: weaker evidence, reported at info.
                weak = verdict.startswith("is not closed if an exception")
                ctx.report(call, f"`{name}` ({kind}) {verdict}", severity=Severity.INFO if weak else None)

    def _verdict(
        self,
        ctx: Context,
        name: str,
        call: cst.BaseExpression,
        kind: str,
        created_parents: list[cst.CSTNode],
        uses: list[tuple[cst.CSTNode, list[cst.CSTNode]]],
    ) -> str | None:
        """None when the resource is safe; otherwise what is wrong."""
        if kind in ("zip file", "tar file") and _over_file_object(ctx, call, created_parents):
            return None
        reads = [(use, parents) for use, parents in uses if not (parents and isinstance(parents[-1], cst.AssignTarget))]
        if kind in _DESCRIPTORS and reads and all(_read_in_return(use, parents) for use, parents in reads):
            return None  # `r = urlopen(u); return r.read()`: read in the return, freed as the function returns
        closes: list[tuple[cst.CSTNode, list[cst.CSTNode]]] = []
        closers = _CLOSERS | _KIND_CLOSERS.get(kind, frozenset())
        for use, parents in uses:
            parent = parents[-1] if parents else None
            if isinstance(parent, cst.Attribute) and parent.value is use:
                grand = parents[-2] if len(parents) > 1 else None
                if (
                    isinstance(grand, cst.Call)
                    and grand.func is parent
                    and (parent.attr.value in closers or (kind == "HTTP response" and _reads_to_end(grand)))
                ):
                    closes.append((grand, parents[:-2]))
                elif not isinstance(grand, cst.Call) and isinstance(parents[-2] if len(parents) > 1 else None, cst.Arg):
                    return None  # `atexit.register(f.close)` or similar hands the closing over
                continue
            if isinstance(parent, cst.WithItem | cst.Return | cst.Yield):
                return None
            if isinstance(parent, cst.Arg):
                consumer = parents[-2] if len(parents) > 1 else None
                if isinstance(consumer, cst.Call) and ctx.call_name(consumer) not in _BORROWERS:
                    return None  # handed to code that may keep and close it
            if isinstance(parent, cst.Assign | cst.Element | cst.DictElement | cst.Tuple | cst.List):
                if isinstance(parent, cst.Assign) and any(t.target is use for t in parent.targets):
                    continue
                return None  # stored somewhere else: ownership moves
        if not closes:
            return "is never closed; use `with`"
        if any(any(isinstance(p, cst.Finally) for p in parents) for _, parents in closes):
            return None
        statement, block = _statement_of(created_parents, call)
        for close, parents in closes:
            close_statement, close_block = _statement_of(parents, close)
            if block is not None and close_block is block:
                body = list(block.body)  # type: ignore[attr-defined]
                if statement in body and close_statement in body:
                    between = body[body.index(statement) + 1 : body.index(close_statement)]
                    if not between:
                        return None
            if _closed_in_else(created_parents, block, statement, close_statement):
                return None
        return "is not closed if an exception occurs before close(); use `with` or `finally`"

    VALID = (
        Valid("import json\n\ndef load(p):\n    with open(p) as f:\n        return json.load(f)\n"),
        # Opened only to check it can be read, closed at once in the try's else.
        Valid(
            "def check(path):\n    try:\n        f = open(path)\n    except OSError as err:\n"
            "        raise ValueError(path) from err\n    else:\n        f.close()\n"
        ),
        Valid("def readme():\n    return open('README.md').read()\n"),
        Valid(
            "from urllib.request import urlopen\n\ndef get(u):\n    r = urlopen(u, timeout=5)\n    return r.read().decode()\n"
        ),
        # Read to its end: http.client closes the connection itself.
        Valid(
            "import io, zipfile\nfrom urllib.request import urlopen\n\ndef unpack(u):\n    r = urlopen(u, timeout=5)\n"
            "    z = zipfile.ZipFile(io.BytesIO(r.read()))\n    return z.namelist()\n"
        ),
        Valid(
            "import io, zipfile\n\ndef names(data):\n    z = zipfile.ZipFile(io.BytesIO(data))\n    return z.namelist()\n"
        ),
        Valid(
            "import io, zipfile\n\ndef names(data):\n    buf = io.BytesIO(data)\n    z = zipfile.ZipFile(buf)\n"
            "    return z.namelist()\n"
        ),
        Valid(
            "import zipfile\n\ndef names(path):\n    with open(path, 'rb') as fh:\n        z = zipfile.ZipFile(fh)\n"
            "        return z.namelist()\n"
        ),
        Valid(
            "import subprocess, sys\n\ndef install(cmd):\n    p = subprocess.Popen(cmd, stdout=sys.stdout)\n"
            "    print('started')\n    p.communicate()\n"
        ),
        Valid(
            "import sqlite3\n\ndef rows(db):\n    conn = sqlite3.connect(db)\n    try:\n"
            "        return conn.execute('SELECT 1').fetchall()\n    finally:\n        conn.close()\n"
        ),
        Valid("def opener(p):\n    f = open(p, 'rb')\n    return f\n"),
        Valid(
            "import socket\n\nclass Client:\n    def connect(self, host):\n"
            "        sock = socket.create_connection((host, 443), timeout=5)\n        self.sock = sock\n"
        ),
        Valid(
            "import boto3\ns3 = boto3.client('s3')\n\ndef read(b, k):\n    body = s3.get_object(Bucket=b, Key=k)['Body']\n"
            "    try:\n        return body.read()\n    finally:\n        body.close()\n"
        ),
    )
    INVALID = (
        Invalid(
            "import json\n\ndef load(p):\n    f = open(p)\n    data = json.load(f)\n    f.close()\n    return data\n",
            4,
            9,
            message="exception",
        ),
        Invalid(
            "import sqlite3\n\ndef count(db):\n    conn = sqlite3.connect(db)\n    cur = conn.cursor()\n"
            "    cur.execute('SELECT count(*) FROM t')\n    n = cur.fetchone()[0]\n    conn.close()\n    return n\n",
            5,
            11,
            message="never closed",
            also=((4, 12),),  # `conn` too: closed, but not when execute() raises
        ),
        Invalid("import smtplib\n\ndef send(host, msg):\n    smtplib.SMTP(host).send_message(msg)\n", 4, 5),
        Invalid(
            "from urllib.request import urlopen\n\ndef fetch(u):\n    r = urlopen(u, timeout=5)\n    code = r.getcode()\n    return code\n",
            4,
            9,
        ),
        # Only the first kilobyte is read: the rest of the body keeps the connection open.
        Invalid(
            "from urllib.request import urlopen\n\ndef head(u):\n    r = urlopen(u, timeout=5)\n    start = r.read(1024)\n"
            "    return start\n",
            4,
            9,
        ),
        Invalid(
            "from concurrent.futures import ThreadPoolExecutor\n\ndef run(jobs):\n    pool = ThreadPoolExecutor(4)\n"
            "    return [f.result() for f in [pool.submit(j) for j in jobs]]\n",
            4,
            12,
        ),
    )
