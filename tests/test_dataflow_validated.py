"""Values a framework validates before the code sees them: pydantic fields typed `Enum`/`Literal`/`int`, fields
constrained by an anchored pattern, fields whose `@field_validator`/`@validator` raises on bad values, and
FastAPI parameters typed that way. Each has a vulnerable twin (a free `str`, an unanchored pattern, a validator
that checks nothing that matters, a model built from a plain class)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from codeward.reviewer.review import review_file

from tests.outputs_whole import reviewed

MODELS = """
from enum import Enum
from typing import Annotated, Literal, Optional

from pydantic import BaseModel, Field, StringConstraints, field_validator, validator


class Kind(str, Enum):
    LS = "ls"
    PING = "ping"


class Cmd(BaseModel):
    command: str
    kind: Kind
    mode: Literal["fast", "slow"]
    count: int = 1
    ids: list[int] = []
    tag: Optional[str] = None
    code: str = Field(pattern=r"^[a-z0-9]{1,8}$")
    slug: Annotated[str, StringConstraints(pattern=r"^[a-z-]+$")] = "x"
    loose: str = Field(pattern=r"[a-z]+")
    spaced: str = Field(pattern=r"^[a-z ]+$")

    @validator("command")
    def not_empty(cls, v):
        if not v.strip():
            raise ValueError("empty")
        return v.strip()


class Allowed(Cmd):
    @field_validator("command")
    @classmethod
    def in_allow_list(cls, v):
        allowed = [k.value for k in Kind]
        if v not in allowed:
            raise ValueError("not allowed")
        return v


class Plain:
    kind: Kind
"""

USES = """
@app.route("/a", methods=["POST"])
def a():
    data = Cmd(**request.json)
    os.system("run " + data.command)
    os.system("run " + data.kind)
    os.system("run " + data.mode)
    os.system("run %d" % data.count)
    os.system("run " + data.tag)
    os.system("run " + data.code)
    os.system("run " + data.slug)
    os.system("run " + data.loose)
    os.system("run " + data.spaced)
    os.system("run " + str(data.ids))


@app.route("/b", methods=["POST"])
def b():
    data = Allowed(**request.json)
    subprocess.run(data.command, shell=True)
    given = Allowed(command=request.json["c"], kind="ls", mode="fast", code="a")
    subprocess.run(given.command, shell=True)
    subprocess.run(given.tag, shell=True)


@api.post("/c")
def c(item: Allowed, other: Cmd):
    subprocess.run(item.command, shell=True)
    subprocess.run(other.command, shell=True)
    subprocess.run(item.kind, shell=True)


@api.get("/d/{kind}")
def d(kind: Kind, mode: Literal["a", "b"], n: Optional[int], name: str, when: Annotated[int, Query()] = 0):
    os.system("run " + kind)
    os.system("run " + mode)
    os.system("run %s" % n)
    os.system("run %s" % when)
    os.system("run " + name)


@app.route("/e", methods=["POST"])
def e():
    plain = Plain()
    plain.kind = request.json["k"]
    os.system("run " + plain.kind)
"""
HEAD = "import os\nimport subprocess\n\nfrom fastapi import FastAPI, Query\nfrom flask import Flask, request\n"
APPS = "\napp = Flask(__name__)\napi = FastAPI()\n\n"
# Lines of USES reported as command injection: a plain `str` field (only stripped), an optional `str` field,
# an unanchored pattern, a pattern letting spaces through, the model without the allow-list, a free `str`
# route parameter, a plain class's attribute.
EXPECTED = [5, 9, 12, 13, 29, 39, 46]


def _lines(findings, offset: int) -> list[int]:
    return sorted(f.line - offset for f in findings if f.code == "CWR102")


def test_models_in_the_same_module() -> None:
    source = HEAD + MODELS + APPS + USES
    offset = (HEAD + MODELS + APPS).count("\n")
    assert _lines(reviewed("app.py", source), offset) == EXPECTED


def test_models_in_another_module(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text(MODELS)
    head = HEAD + "from models import Allowed, Cmd, Kind, Plain\n" + APPS
    (tmp_path / "app.py").write_text(head + USES)
    assert _lines(review_file(str(tmp_path / "app.py")).findings, head.count("\n")) == EXPECTED


@pytest.mark.parametrize(
    ("annotation", "reported"),
    [("int", False), ("Literal['a', 'b']", False), ("Optional[UUID]", False), ("list[int]", False),
     ("int | None", False), ("Annotated[str, Query(pattern=r'^[0-9a-f]+$')]", False), ("str", True),
     ("Optional[str]", True), ("Annotated[str, Query(max_length=9)]", True), ("list[str]", True)],
)  # fmt: skip
def test_fastapi_parameter_annotations(annotation: str, reported: bool) -> None:
    source = textwrap.dedent(f"""\
        import os
        from typing import Annotated, Literal, Optional
        from uuid import UUID
        from fastapi import FastAPI, Query
        api = FastAPI()

        @api.get("/x")
        def x(value: {annotation}):
            os.system("run %s" % value)
        """)
    assert _lines(reviewed("app.py", source), 0) == ([9] if reported else [])
