"""Template engines: the template text itself is code (server-side template injection)."""

from __future__ import annotations

from codeward.reviewer.dataflow.models import Library, Sink

TEMPLATES = Library(
    "templates",
    sinks=(
        Sink("jinja2.Template", "template", ((0, "source"),)),
        Sink("jinja2.Environment().from_string", "template", ((0, "source"),)),
        Sink(".from_string", "template", ((0, "source"),)),
        Sink("mako.template.Template", "template", ((0, "text"),)),
        Sink("chevron.render", "template", ((0, "template"),)),
    ),
)

LIBRARIES = (TEMPLATES,)
