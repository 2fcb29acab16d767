"""XML: parsers that resolve external entities (XXE), and XPath expressions (lxml, ElementTree, elementpath)."""

from __future__ import annotations

from codeward.reviewer.dataflow.models import Library, Sink

XML_TYPES = ("xml.etree.", "lxml.etree.", "defusedxml.", "elementpath.")

XML = Library(
    "xml",
    sinks=(
        Sink("lxml.etree.fromstring", "xxe", ((0, "text"),), when="no-parser"),
        Sink("lxml.etree.parse", "xxe", ((0, "source"),), when="no-parser"),
        Sink("lxml.etree.XML", "xxe", ((0, "text"),), when="no-parser"),
        Sink("xml.dom.minidom.parseString", "xxe", ((0, "string"),)),
        Sink("xml.dom.pulldom.parseString", "xxe", ((0, "string"),)),
        Sink("xml.sax.parseString", "xxe", ((0, "string"),)),
        Sink("lxml.etree.XPath", "xpath", ((0, "path"),)),
        Sink("lxml.etree.ETXPath", "xpath", ((0, "path"),)),
        Sink(".xpath", "xpath", ((0, "_path"),)),
        Sink("elementpath.select", "xpath", ((1, "path"),)),
        Sink("elementpath.iter_select", "xpath", ((1, "path"),)),
        Sink("elementpath.Selector", "xpath", ((0, "path"),)),
        *(Sink(f"xml.Element.{m}", "xpath", ((0, "path"),)) for m in ("find", "findall", "iterfind", "findtext")),
    ),
)

LIBRARIES = (XML,)
