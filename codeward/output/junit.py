"""JUnit XML: a test suite per file, a test case per finding, a passing one for a clean file.
CodeBuild report groups (file-format JUNITXML) show these as test results. An `info` finding never fails
the run (the exit status ignores it by default), so it is a passing test case whose message is in
`system-out`: a green build shows green tests."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from codeward.findings import Severity
from codeward.output import Report


def render(report: Report) -> str:
    # Files in path order (a sharded run merged by `codeward report merge` writes the same document).
    by_path: dict[str, list] = {path: [] for path in sorted(report.checked)}
    for f in report.findings:
        by_path.setdefault(f.path, []).append(f)
    failures = sum(1 for f in report.findings if f.severity > Severity.INFO)
    tests = sum(max(1, len(found)) for found in by_path.values())
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name="codeward" tests="{tests}" failures="{failures}" errors="0">',
    ]
    for path, found in by_path.items():
        failed = sum(1 for f in found if f.severity > Severity.INFO)
        out.append(f'  <testsuite name={quoteattr(path)} tests="{max(1, len(found))}" failures="{failed}" errors="0">')
        if not found:
            out.append(f"    <testcase name={quoteattr(path)} classname={quoteattr(path)}/>")
        for f in found:
            name = quoteattr(f"{f.code} {f.name} at line {f.line}, column {f.column}")
            body = escape(f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}" + "".join(f"\n{n}" for n in f.notes))
            out.append(f'    <testcase name={name} classname={quoteattr(path)} file={quoteattr(path)} line="{f.line}">')
            if f.severity is Severity.INFO:
                out.append(f"      <system-out>{body}</system-out>")
            else:
                out.append(
                    f"      <failure message={quoteattr(f.message)} type={quoteattr(str(f.severity))}>{body}</failure>"
                )
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"
