"""Outgoing requests: the URL chooses which server the application talks to (SSRF)."""

from __future__ import annotations

from codeward.reviewer.dataflow.models import Library, Sink

_VERBS = ("get", "post", "put", "patch", "delete", "head", "options")
_CLIENTS = ("requests.Session()", "requests.session()", "httpx.Client()", "httpx.AsyncClient()",
            "aiohttp.ClientSession()")  # fmt: skip

HTTP = Library(
    "http clients",
    sinks=(
        *(
            Sink(f"{lib}.{verb}", "ssrf", ((0, "url"),), when="host")
            for lib in ("requests", "httpx")
            for verb in _VERBS
        ),
        *(Sink(f"{client}.{verb}", "ssrf", ((0, "url"),), when="host") for client in _CLIENTS for verb in _VERBS),
        *(Sink(f"{client}.request", "ssrf", ((1, "url"),), when="host") for client in _CLIENTS),
        Sink("requests.request", "ssrf", ((1, "url"),), when="host"),
        Sink("httpx.request", "ssrf", ((1, "url"),), when="host"),
        Sink("urllib.request.urlopen", "ssrf", ((0, "url"),), when="host"),
        Sink("urllib.request.Request", "ssrf", ((0, "url"),), when="host"),
        Sink("urllib.request.urlretrieve", "ssrf", ((0, "url"),), when="host"),
        Sink("urllib2.urlopen", "ssrf", ((0, "url"),), when="host"),
        Sink("urllib3.PoolManager().request", "ssrf", ((1, "url"),), when="host"),
        Sink("urllib3.PoolManager().urlopen", "ssrf", ((1, "url"),), when="host"),
        Sink("urllib3.request", "ssrf", ((1, "url"),), when="host"),
        Sink("http.client.HTTPConnection", "ssrf", ((0, "host"),)),
        Sink("http.client.HTTPSConnection", "ssrf", ((0, "host"),)),
        Sink("socket.create_connection", "ssrf", ((0, "address"),)),
        Sink("pycurl.Curl().setopt", "ssrf", ((1, "value"),)),
    ),
)

LIBRARIES = (HTTP,)
