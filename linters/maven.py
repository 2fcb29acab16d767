"""What `mvn package` names the file it makes, read from a project's pom.xml.

Maven writes `target/<finalName>.<packaging>`: `finalName` from `<build>`, else `<artifactId>-<version>` (the version
inherited from `<parent>` when the project gives none), the extension from `<packaging>` (`jar` when absent). The
model answers only when the pom says it plainly: a multi-module pom, a plugin that makes or renames archives
(assembly, shade, Spring Boot with a classifier, `warName`, a second `finalName`) or a property it cannot resolve
leave the name unknown (None).
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ElementTree

_MAX_BYTES = 500_000
_ARCHIVES = frozenset({"jar", "war", "ear"})
# Plugins and settings that make other archives, or rename the one Maven makes, than the default name says.
_RENAMERS = (
    "maven-assembly-plugin", "maven-shade-plugin", "<classifier>", "<warName>", "<jarName>", "<earName>",
    "<attachClasses>", "<archiveClasses>", "<modules>",
)  # fmt: skip
_PROPERTY = re.compile(r"\$\{([^}]*)\}")
# A file name longer than this is no real finalName: stop substituting (each round can multiply the length).
_MAX_NAME = 1024


def _text(element: ElementTree.Element | None, tag: str) -> str | None:
    found = element.find(tag) if element is not None else None
    return found.text.strip() if found is not None and found.text and found.text.strip() else None


def _local(tree: ElementTree.Element) -> None:
    """Drop the POM namespace from every tag, so that `find` reads tags by their plain names."""
    for element in tree.iter():
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.split("}", 1)[1]


def output_name(folder: str) -> tuple[str, str, bool] | None:
    """The file name `mvn package` writes in `folder`/target (`my-app-1.0.war`), why (`finalName my-app,
    packaging war`) and whether the name came through a property (which `-Dname=value` may change), or None when
    the pom is missing, not plain XML, or does not say the name plainly."""
    pom = os.path.join(folder, "pom.xml")
    try:
        if not os.path.isfile(pom) or os.path.islink(pom) or os.path.getsize(pom) > _MAX_BYTES:
            return None
        with open(pom, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return None
    if "<!DOCTYPE" in text or "<!ENTITY" in text or any(marker in text for marker in _RENAMERS):
        return None  # entities are never expanded here; renaming plugins make names this model does not follow
    if text.count("<finalName>") > 1:
        return None  # a profile or a plugin names another file
    try:
        tree = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        return None
    _local(tree)
    if tree.find("build/directory") is not None:
        return None  # the build writes somewhere else than target/
    packaging = _text(tree, "packaging") or "jar"
    if packaging not in _ARCHIVES:
        return None
    artifact = _text(tree, "artifactId")
    version = _text(tree, "version") or _text(tree.find("parent"), "version")
    final = _text(tree.find("build"), "finalName")
    if artifact is None or (final is None and version is None):
        return None
    properties = {"project.artifactId": artifact, "artifactId": artifact, "pom.artifactId": artifact}
    if version is not None:
        properties.update({"project.version": version, "version": version, "pom.version": version})
    for element in tree.find("properties") if tree.find("properties") is not None else ():
        if isinstance(element.tag, str) and element.text and element.text.strip():
            properties.setdefault(element.tag, element.text.strip())
    name = final if final is not None else f"{artifact}-{version}"
    substituted = "${" in name
    for _ in range(5):  # properties may name properties
        if "${" not in name:
            break
        name = _PROPERTY.sub(lambda match: properties.get(match.group(1), match.group(0)), name)
        if len(name) > _MAX_NAME:
            return None  # a property that names itself many times grows without bound (hostile pom.xml)
    if "${" in name or "/" in name or not name:
        return None
    why = f"finalName {final}" if final is not None else f"artifactId {artifact}, version {version}"
    return f"{name}.{packaging}", f"{why}, packaging {packaging}", substituted
