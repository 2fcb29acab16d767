"""linters.maven: the output name `mvn package` writes, from a pom.xml that may be hostile."""

from __future__ import annotations

from pathlib import Path

from codeward.linters.maven import output_name


def test_a_property_in_final_name_is_substituted(tmp_path: Path) -> None:
    (tmp_path / "pom.xml").write_text(
        "<project><artifactId>app</artifactId><version>1.2</version><packaging>war</packaging>"
        "<properties><stem>shop</stem></properties><build><finalName>${stem}-${project.version}</finalName></build>"
        "</project>"
    )
    assert output_name(str(tmp_path)) == ("shop-1.2.war", "finalName ${stem}-${project.version}, packaging war", True)


def test_a_property_that_names_itself_many_times_gives_no_name_instead_of_growing(tmp_path: Path) -> None:
    # Each round of substitution would multiply the name's length by 20,000 (a few rounds exhaust memory).
    (tmp_path / "pom.xml").write_text(
        "<project><artifactId>x</artifactId><version>1</version><properties><a>"
        + "${a}" * 20000
        + "</a></properties><build><finalName>${a}</finalName></build></project>"
    )
    assert output_name(str(tmp_path)) is None
