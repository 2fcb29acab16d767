"""A reader for the subset of Terraform's HCL that holds CodePipeline definitions, with positions.

Terraform writes a pipeline as `resource "aws_codepipeline" "NAME" { stage { action { ... } } }`: nested blocks,
attributes with literal values (strings, numbers, booleans, lists, maps, heredocs) and expressions
(`aws_iam_role.pipeline.arn`, `var.branch`, `jsonencode(...)`). This reader parses that structure and keeps each
value's span; an expression it does not evaluate is kept as its text, marked as such. It then maps every
`aws_codepipeline` to the CloudFormation form of the same pipeline (`AWS::CodePipeline::Pipeline`, PascalCase keys),
so the form-independent pipeline model and its rules read it as they read a template, and every
`aws_codebuild_project` to an `AWS::CodeBuild::Project` whose `Name` and `Source.BuildSpec` are the literal ones:
a reference `aws_codebuild_project.build.name` becomes `{"Ref": "build"}`, as CloudFormation's Ref of a project
returns its name.

Dependency-free on purpose: no HCL package is available, and the subset is small (no evaluation, no modules).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from codeward.linters.document import PList, PMap, Problem, Span

# What an expression that is not a literal becomes: an intrinsic-shaped value, which the pipeline model treats
# as unknown (like a CloudFormation function whose result is only known at deploy time).
EXPRESSION = "Fn::Terraform"
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
# A project's or CodeDeploy application's name, as CloudFormation's Ref of the resource returns it.
_PROJECT_REF = re.compile(
    r"^aws_codebuild_project\.([A-Za-z_][A-Za-z0-9_-]*)\.(?:name|id)$|^aws_codedeploy_app\.([A-Za-z_][A-Za-z0-9_-]*)\.name$"
)
# The ARN of a customer managed policy of the module, `aws_iam_policy.NAME.arn`.
_OWN_POLICY_REF = re.compile(r"^aws_iam_policy\.([A-Za-z_][A-Za-z0-9_-]*)\.arn$")
_FILE_CALL = re.compile(r'^file\(\s*"(?:\$\{path\.module\}/)?([^"$]+)"\s*\)$')
_MAX_FILE = 400_000
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_]*)[ \t]*\n")


class HclError(ValueError):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line, self.column = line, column


@dataclass
class Block:
    type: str
    labels: list[str]
    body: PMap  # attributes by name; nested blocks under "block:<type>" as a list of Block
    span: Span


# Real Terraform nests a handful of blocks (resource > stage > action); this is far beyond any of them.
_MAX_DEPTH = 64


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0  # blocks open: bounded, so that a hostile file cannot exhaust the stack
        self.line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    # Positions -----------------------------------------------------------------------------------------------
    def where(self, pos: int) -> tuple[int, int]:
        lo, hi = 0, len(self.line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.line_starts[mid] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, pos - self.line_starts[lo] + 1

    def span(self, start: int, end: int) -> Span:
        line, column = self.where(start)
        end_line, end_column = self.where(max(end, start))
        return Span(line, column, end_line, end_column)

    def fail(self, message: str) -> HclError:
        line, column = self.where(self.pos)
        return HclError(message, line, column)

    # Lexing helpers ------------------------------------------------------------------------------------------
    def skip(self, newlines: bool = True) -> None:
        text = self.text
        while self.pos < len(text):
            c = text[self.pos]
            if c in " \t\r" or (newlines and c == "\n"):
                self.pos += 1
            elif c == "#" or text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise self.fail("unterminated /* comment")
                self.pos = end + 2
            else:
                return

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    # Grammar ---------------------------------------------------------------------------------------------------
    def body(self, closing: str | None) -> tuple[PMap, list[Block]]:
        start = self.pos
        attrs = PMap(self.span(start, start))
        blocks: list[Block] = []
        while True:
            self.skip()
            if self.pos >= len(self.text):
                if closing is not None:
                    raise self.fail(f'expected "{closing}" before the end of the file')
                break
            if closing is not None and self.peek() == closing:
                break
            name_start = self.pos
            match = _IDENT.match(self.text, self.pos)
            if match is None:
                raise self.fail("expected an attribute or a block")
            name = match.group(0)
            self.pos = match.end()
            self.skip(newlines=False)
            if self.peek() == "=" and not self.text.startswith("==", self.pos):
                self.pos += 1
                self.skip(newlines=False)
                value_start = self.pos
                value = self.expression(stop="\n")
                attrs.put(name, self.span(name_start, match.end()), value, self.span(value_start, self.pos))
                continue
            labels: list[str] = []
            while self.peek() == '"' or (self.peek() and _IDENT.match(self.text, self.pos) and self.peek() != "{"):
                if self.peek() == '"':
                    labels.append(self.string_literal())
                else:
                    label = _IDENT.match(self.text, self.pos)
                    assert label is not None
                    labels.append(label.group(0))
                    self.pos = label.end()
                self.skip(newlines=False)
            if self.peek() != "{":
                raise self.fail(f'expected "=" or "{{" after "{name}"')
            if self.depth >= _MAX_DEPTH:
                raise self.fail(f"blocks nested more than {_MAX_DEPTH} deep")
            self.pos += 1
            self.depth += 1
            try:
                inner, inner_blocks = self.body("}")
            finally:
                self.depth -= 1
            self.pos += 1  # the closing brace
            inner.span = self.span(name_start, self.pos)
            inner.put("__blocks__", inner.span, inner_blocks, inner.span)
            blocks.append(Block(name, labels, inner, self.span(name_start, self.pos)))
        attrs.span = self.span(start, self.pos)
        return attrs, blocks

    def string_literal(self) -> str:
        """A quoted string without interpolation (a block label)."""
        value = self.quoted()
        if isinstance(value, dict):
            raise self.fail("a block label cannot hold an interpolation")
        return value

    def quoted(self) -> Any:
        """A "..." string: its text, or an expression when it interpolates (`${...}`, `%{...}`)."""
        start = self.pos
        self.pos += 1
        out: list[str] = []
        interpolated = False
        text = self.text
        while self.pos < len(text):
            c = text[self.pos]
            if c == '"':
                self.pos += 1
                raw = "".join(out)
                return {EXPRESSION: text[start : self.pos]} if interpolated else raw
            if c == "\n":
                break
            if c == "\\" and self.pos + 1 < len(text):
                escape = text[self.pos + 1]
                out.append({"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}.get(escape, escape))
                self.pos += 2
                continue
            if text.startswith(("$${", "%%{"), self.pos):
                out.append(text[self.pos + 1 : self.pos + 3])  # an escaped, literal ${ or %{
                self.pos += 3
                continue
            if text.startswith(("${", "%{"), self.pos):
                interpolated = True
                self.pos = self.matching(self.pos + 1) + 1
                continue
            out.append(c)
            self.pos += 1
        self.pos = start
        raise self.fail("unterminated string")

    def matching(self, open_pos: int) -> int:
        """The position of the brace closing the one at `open_pos` (strings inside skipped)."""
        depth = 0
        pos = open_pos
        text = self.text
        while pos < len(text):
            c = text[pos]
            if c == '"':
                pos += 1
                while pos < len(text) and text[pos] != '"':
                    pos += 2 if text[pos] == "\\" else 1
            elif c in "{[(":
                depth += 1
            elif c in "}])":
                depth -= 1
                if depth == 0:
                    return pos
            pos += 1
        self.pos = open_pos
        raise self.fail("unbalanced brackets")

    def heredoc(self, match: re.Match[str]) -> str:
        indent, marker = match.group(1) == "-", match.group(2)
        self.pos = match.end()
        lines: list[str] = []
        while self.pos <= len(self.text):
            end = self.text.find("\n", self.pos)
            line = self.text[self.pos :] if end < 0 else self.text[self.pos : end]
            self.pos = len(self.text) if end < 0 else end + 1
            if line.strip() == marker:
                if end >= 0:
                    self.pos -= 1  # leave the newline to end the attribute
                break
            lines.append(line)
            if end < 0:
                raise self.fail(f"heredoc {marker} is not closed")
        if indent:
            widths = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
            cut = min(widths, default=0)
            lines = [line[cut:] for line in lines]
        return "\n".join(lines) + ("\n" if lines else "")

    def expression(self, stop: str) -> Any:
        """A value up to `stop` (a newline for an attribute, "," or the closing bracket inside a collection):
        a literal when it is one, else the expression's text as {EXPRESSION: text}."""
        self.skip(newlines=stop != "\n")
        start = self.pos
        c = self.peek()
        value: Any
        if c == '"':
            value = self.quoted()
        elif c == "<" and (match := _HEREDOC.match(self.text, self.pos)):
            value = self.heredoc(match)
            if "${" in value or "%{" in value:
                value = {EXPRESSION: value}
        elif c == "[":
            value = self.collection("[", "]")
        elif c == "{":
            value = self.collection("{", "}")
        else:
            match = _NUMBER.match(self.text, self.pos)
            word = _IDENT.match(self.text, self.pos)
            if match and not (word and word.start() == self.pos):
                value = float(match.group(0)) if any(ch in match.group(0) for ch in ".eE") else int(match.group(0))
                self.pos = match.end()
            elif word and word.group(0) in ("true", "false", "null"):
                value = {"true": True, "false": False, "null": None}[word.group(0)]
                self.pos = word.end()
            else:
                value = None
        # Anything after the value on the same level makes it an expression (`"a" == var.x ? 1 : 2`, a call).
        rest_start = self.pos
        self.skip(newlines=False)
        if (self.pos < len(self.text) and self.peek() not in (stop, "\n", ",", "}", "]", ")")) or value is None:
            self.pos = rest_start if value is not None else start
            end = self.expression_end(stop)
            text = self.text[start:end].strip()
            self.pos = end
            if not text:
                raise self.fail("expected a value")
            return {EXPRESSION: text}
        return value

    def expression_end(self, stop: str) -> int:
        pos = self.pos
        text = self.text
        while pos < len(text):
            c = text[pos]
            if c == '"':
                self.pos = pos
                self.quoted()
                pos = self.pos
                continue
            if c in "{[(":
                pos = self.matching(pos) + 1
                continue
            if c == "\n" or c in "}])" or (stop != "\n" and c == ","):
                break
            if c == "#" or text.startswith("//", pos):
                break
            pos += 1
        return pos

    def closes(self, closing: str) -> bool:
        """Whether the collection ends here (the closing bracket is consumed); an error at the end of the text."""
        self.skip()
        if self.peek() == closing:
            self.pos += 1
            return True
        if not self.peek():
            raise self.fail(f'expected "{closing}"')
        return False

    def collection(self, opening: str, closing: str) -> Any:
        start = self.pos
        self.pos += 1
        if opening == "[":
            items = PList(self.span(start, start))
            while not self.closes("]"):
                item_start = self.pos
                item = self.expression(stop=",")
                items.put(item, self.span(item_start, self.pos))
                self.skip()
                if self.peek() == ",":
                    self.pos += 1
            items.span = self.span(start, self.pos)
            return items
        mapping = PMap(self.span(start, start))
        while not self.closes("}"):
            key_start = self.pos
            if self.peek() == '"':
                key = self.quoted()
                if isinstance(key, dict):
                    self.pos = self.matching(start) + 1
                    return {EXPRESSION: self.text[start : self.pos]}
            else:
                word = _IDENT.match(self.text, self.pos)
                if word is None:
                    self.pos = self.matching(start) + 1
                    return {EXPRESSION: self.text[start : self.pos]}
                key = word.group(0)
                self.pos = word.end()
            key_end = self.pos
            self.skip(newlines=False)
            if self.peek() not in ("=", ":"):
                self.pos = self.matching(start) + 1
                return {EXPRESSION: self.text[start : self.pos]}
            self.pos += 1
            value_start = self.pos
            value = self.expression(stop=",")
            mapping.put(str(key), self.span(key_start, key_end), value, self.span(value_start, self.pos))
            self.skip()
            if self.peek() == ",":
                self.pos += 1
        mapping.span = self.span(start, self.pos)
        return mapping


def parse_hcl(text: str) -> list[Block]:
    """The top-level blocks of a Terraform file. Raises HclError on text this reader cannot parse."""
    parser = _Parser(text)
    _attrs, blocks = parser.body(None)
    return blocks


def _blocks(block: Block, kind: str) -> list[Block]:
    return [b for b in block.body.get("__blocks__", []) if b.type == kind]


def _value(body: PMap, name: str) -> Any:
    value = body.get(name)
    if isinstance(value, dict) and EXPRESSION in value:
        match = _PROJECT_REF.match(str(value[EXPRESSION]))
        if match:
            # An application's logical id keeps its Terraform type: `aws_codedeploy_app.app` and
            # `aws_codebuild_project.app` may share a name, which CloudFormation's flat ids would confuse.
            return {"Ref": match.group(1) or f"aws_codedeploy_app.{match.group(2)}"}
    return value


def _put(target: PMap, key: str, body: PMap, name: str) -> None:
    if name in body:
        value = _value(body, name)
        if isinstance(value, PMap) and name == "configuration":
            # The action's configuration map: its values may name a project the file defines.
            for item in list(value):
                value[item] = _value(value, item)
        target.put(key, body.key_spans[name], value, body.value_spans[name])


def _artifacts(body: PMap, name: str, span: Span) -> PList | None:
    value = body.get(name)
    if not isinstance(value, list):
        return None
    out = PList(body.value_spans.get(name, span))
    spans = value.item_spans if isinstance(value, PList) else [span] * len(value)
    for item, item_span in zip(value, spans, strict=True):
        entry = PMap(item_span)
        entry.put("Name", item_span, item, item_span)
        out.put(entry, item_span)
    return out


def _action(block: Block) -> PMap:
    body = block.body
    out = PMap(block.span)
    _put(out, "Name", body, "name")
    type_id = PMap(block.span)
    for key, name in (("Category", "category"), ("Owner", "owner"), ("Provider", "provider"), ("Version", "version")):
        _put(type_id, key, body, name)
    out.put("ActionTypeId", block.span, type_id, block.span)
    for key, name in (("Configuration", "configuration"), ("RunOrder", "run_order"), ("Region", "region"),
                      ("Namespace", "namespace"), ("RoleArn", "role_arn")):  # fmt: skip
        _put(out, key, body, name)
    for config in _blocks(block, "configuration")[:1]:
        # Terraform 0.11 wrote the map as a block, `configuration { ProjectName = "x" }`: the same map.
        if "Configuration" not in out:
            values = PMap(config.span)
            for item in config.body:
                if item != "__blocks__":
                    values.put(
                        item, config.body.key_spans[item], _value(config.body, item), config.body.value_spans[item]
                    )
            out.put("Configuration", config.span, values, config.span)
    for key, name in (("InputArtifacts", "input_artifacts"), ("OutputArtifacts", "output_artifacts")):
        artifacts = _artifacts(body, name, block.span)
        if artifacts is not None:
            out.put(key, body.key_spans[name], artifacts, body.value_spans[name])
    return out


def _pipeline(block: Block) -> PMap:
    body = block.body
    properties = PMap(block.span)
    _put(properties, "Name", body, "name")
    _put(properties, "RoleArn", body, "role_arn")
    role = _ROLE_REF.match(_expression(properties.get("RoleArn")) or "")
    if role is not None and role.group(2) == "arn":
        # The role the module defines, as CloudFormation's !GetAtt names a role of the template.
        properties["RoleArn"] = {"Fn::GetAtt": [f"aws_iam_role.{role.group(1)}", "Arn"]}
    _put(properties, "PipelineType", body, "pipeline_type")
    stores = _blocks(block, "artifact_store")
    if len(stores) == 1:
        store = PMap(stores[0].span)
        _put(store, "Location", stores[0].body, "location")
        _put(store, "Type", stores[0].body, "type")
        properties.put("ArtifactStore", stores[0].span, store, stores[0].span)
    stages = PList(block.span)
    for stage in _stage_blocks(block):
        entry = PMap(stage.span)
        _put(entry, "Name", stage.body, "name")
        actions = PList(stage.span)
        for item in _blocks(stage, "action"):
            actions.put(_action(item), item.span)
        # `dynamic "action" { for_each = ...; content { ... } }`: the content is the action Terraform writes
        # once per element; what depends on the element (`action.value`, `each.value`) stays unknown.
        for content in _dynamic_contents(stage, "action"):
            actions.put(_action(content), content.span)
        entry.put("Actions", stage.span, actions, stage.span)
        stages.put(entry, stage.span)
    properties.put("Stages", block.span, stages, block.span)
    return properties


def _stage_blocks(block: Block) -> list[Block]:
    """The pipeline's `stage` blocks in file order, with the content of each `dynamic "stage"` block standing for
    the stages Terraform writes from it (as many as its `for_each` has elements, which the file does not say):
    counted once, its element-dependent values unknown, as for `dynamic "action"`."""
    out = []
    for item in block.body.get("__blocks__", []):
        if item.type == "stage":
            out.append(item)
        elif item.type == "dynamic" and item.labels[:1] == ["stage"]:
            out.extend(_blocks(item, "content")[:1])
    return out


def _file_text(value: Any, folder: str | None) -> str | None:
    """The text of `file("path")` (relative to the module's folder, `${path.module}/` allowed), which Terraform
    reads and passes on as a string; None for any other value or a file that cannot be read."""
    import os

    if folder is None or not (isinstance(value, dict) and isinstance(value.get(EXPRESSION), str)):
        return None
    match = _FILE_CALL.match(value[EXPRESSION])
    if match is None:
        return None
    return _read_inside(os.path.join(folder, match.group(1)), folder)


def _read_inside(path: str, folder: str) -> str | None:
    """The text of the file at `path`, or None when it is no file of the repository (a hostile pull request's
    `file("/etc/passwd")` is never read, never quoted in a finding), is over _MAX_FILE, or cannot be read."""
    import os

    try:
        if not os.path.isfile(path) or not _inside_repository(path, folder) or os.path.getsize(path) > _MAX_FILE:
            return None
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


def _inside_repository(path: str, folder: str) -> bool:
    """Whether `path` (symbolic links resolved) is inside the checkout holding `folder`, or inside `folder` itself
    when it is in none."""
    import os

    from codeward.safepaths import checkout_root

    root = os.path.realpath(checkout_root(folder) or folder)
    return os.path.commonpath([root, os.path.realpath(path)]) == root


def _project(block: Block, folder: str | None) -> PMap:
    body = block.body
    properties = PMap(block.span)
    _put(properties, "Name", body, "name")
    for source in _blocks(block, "source")[:1]:
        out = PMap(source.span)
        _put(out, "Type", source.body, "type")
        _put(out, "BuildSpec", source.body, "buildspec")
        text = _file_text(out.get("BuildSpec"), folder)
        if text is not None:
            # buildspec = file("buildspec/plan.yml"): CodeBuild gets that file's text, an inline buildspec.
            out["BuildSpec"] = text
        properties.put("Source", source.span, out, source.span)
    return properties


_MODULE_FILES = 64  # .tf files of one folder read for the definitions a pipeline names; a module has a few


def _module_blocks(folder: str | None, own: str | None) -> list[Block]:
    """The CodeBuild projects and CodeDeploy applications that the other `.tf` files of the folder define:
    Terraform reads a folder as one module, so a pipeline in codepipeline.tf names the project of codebuild.tf.
    Files that cannot be read or parsed are passed over (they get their own findings when linted)."""
    import os

    if folder is None:
        return []
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".tf") and n != own)[:_MODULE_FILES]
    except OSError:
        return []
    found: list[Block] = []
    for name in names:
        text = _read_inside(os.path.join(folder, name), folder)
        if text is None or not any(k in text for k in ("aws_codebuild_project", "aws_codedeploy_app", "aws_iam_")):
            continue
        try:
            blocks = parse_hcl(text)
        except HclError:
            continue
        found.extend(
            b
            for b in blocks
            if len(b.labels) == 2
            and (
                (b.type == "resource" and b.labels[0] in _MODULE_TYPES)
                or (b.type == "data" and b.labels[0] == "aws_iam_policy_document")
            )
        )
    return found


# Resources of a module's other files that a pipeline's checks read: the projects and applications it names, and
# the IAM roles and policies that say what its role may do.
_MODULE_TYPES = (
    "aws_codebuild_project",
    "aws_codedeploy_app",
    "aws_iam_role",
    "aws_iam_role_policy",
    "aws_iam_role_policy_attachment",
    "aws_iam_policy",
    "aws_iam_policy_attachment",
)
_ROLE_REF = re.compile(r"^aws_iam_role\.([A-Za-z_][A-Za-z0-9_-]*)\.(arn|name|id)$")
_DOCUMENT_REF = re.compile(r"^data\.aws_iam_policy_document\.([A-Za-z_][A-Za-z0-9_-]*)\.json$")
_JSONENCODE = re.compile(r"^jsonencode\((.*)\)$", re.S)
# Stands for a value whose permissions cannot be read (iam.py then treats the role as not written whole).
_UNKNOWN = {"Fn::Terraform": "unknown"}


def _expression(value: Any) -> str | None:
    return value[EXPRESSION].strip() if isinstance(value, dict) and isinstance(value.get(EXPRESSION), str) else None


def _plain(value: Any) -> Any:
    """A parsed HCL value as plain data (jsonencode's object), or _UNKNOWN when part of it is an expression."""
    if isinstance(value, dict):
        if EXPRESSION in value:
            raise ValueError("expression")
        return {k: _plain(v) for k, v in value.items() if k != "__blocks__"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _policy_json(value: Any, documents: dict[str, Any]) -> Any:
    """A policy attribute as a PolicyDocument: `jsonencode({...})`, a JSON heredoc or string, or
    `data.aws_iam_policy_document.NAME.json`; _UNKNOWN for anything else."""
    import json

    text = _expression(value)
    if text is None:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return _UNKNOWN
        return _UNKNOWN
    match = _DOCUMENT_REF.match(text)
    if match:
        return documents.get(match.group(1), _UNKNOWN)
    match = _JSONENCODE.match(text)
    if match:
        try:
            parser = _Parser(match.group(1))
            parsed = parser.expression(stop=")")
            parser.skip()
            if parser.pos != len(parser.text):
                return _UNKNOWN
            return _plain(parsed)
        except (HclError, ValueError, RecursionError):
            return _UNKNOWN
    return _UNKNOWN


def _policy_document(block: Block) -> Any:
    """A `data "aws_iam_policy_document"` as a PolicyDocument (Allow statements with literal actions), _UNKNOWN when
    it merges other documents or a statement cannot be read."""
    body = block.body
    if any(k in body for k in ("source_json", "override_json", "source_policy_documents", "override_policy_documents")):
        return _UNKNOWN
    statements = []
    for statement in _blocks(block, "statement"):
        effect = statement.body.get("effect", "Allow")
        if "not_actions" in statement.body or not isinstance(effect, str):
            return _UNKNOWN
        actions = statement.body.get("actions", [])
        if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
            return _UNKNOWN
        statements.append({"Effect": effect, "Action": list(actions)})
    return {"Statement": statements}


def _iam_resources(blocks: list[Block]) -> dict[str, dict[str, Any]]:
    """The module's IAM roles with every policy that reaches them, in CloudFormation's form (keyed
    `aws_iam_role.NAME`): inline_policy blocks and aws_iam_role_policy as policies, attachments of managed policies
    as ManagedPolicyArns (which makes the role's permissions unknown)."""
    blocks = [b for b in blocks if len(b.labels) == 2]
    documents = {
        b.labels[1]: _policy_document(b)
        for b in blocks
        if b.type == "data" and b.labels[0] == "aws_iam_policy_document"
    }
    # Customer managed policies the module defines: an attachment of one is as readable as an inline policy.
    policies = {
        b.labels[1]: _policy_json(b.body.get("policy"), documents)
        for b in blocks
        if b.type == "resource" and b.labels[0] == "aws_iam_policy"
    }
    roles: dict[str, dict[str, Any]] = {}
    for block in blocks:
        if block.type == "resource" and block.labels[0] == "aws_iam_role":
            properties: dict[str, Any] = {"AssumeRolePolicyDocument": {}, "Policies": []}
            for inline in _blocks(block, "inline_policy"):
                properties["Policies"].append({"PolicyDocument": _policy_json(inline.body.get("policy"), documents)})
            if "managed_policy_arns" in block.body:
                properties["ManagedPolicyArns"] = ["(managed)"]
            roles[block.labels[1]] = properties
    for block in blocks:
        if block.type != "resource" or block.labels[0] not in (
            "aws_iam_role_policy",
            "aws_iam_role_policy_attachment",
            "aws_iam_policy_attachment",
        ):
            continue
        targets = (
            block.body.get("roles") if block.labels[0] == "aws_iam_policy_attachment" else [block.body.get("role")]
        )
        for target in targets if isinstance(targets, list) else [targets]:
            match = _ROLE_REF.match(_expression(target) or "")
            for name, properties in roles.items():
                # A literal role name or an unreadable reference may be any role: none is known whole then.
                if match is not None and match.group(1) != name:
                    continue
                own = _OWN_POLICY_REF.match(_expression(block.body.get("policy_arn")) or "")
                if block.labels[0] == "aws_iam_role_policy" and match is not None:
                    properties["Policies"].append({"PolicyDocument": _policy_json(block.body.get("policy"), documents)})
                elif own is not None and own.group(1) in policies and match is not None:
                    properties["Policies"].append({"PolicyDocument": policies[own.group(1)]})
                else:
                    properties["ManagedPolicyArns"] = ["(attached)"]
    return {
        f"aws_iam_role.{name}": {"Type": "AWS::IAM::Role", "Properties": properties}
        for name, properties in roles.items()
    }


def terraform_pipelines(text: str, folder: str | None = None, name: str | None = None) -> tuple[Any, list[Problem]]:
    """A Terraform file as a CloudFormation-shaped template of its pipelines and CodeBuild projects (None when it
    defines no `aws_codepipeline`), with the problems found reading it; `folder` is the file's folder, from which
    `file("...")` buildspecs are read, and `name` the file's own name there: the projects and CodeDeploy applications
    of the folder's other `.tf` files (one Terraform module) are read too, as definitions the pipeline refers to."""
    if "aws_codepipeline" not in text:
        return None, []
    try:
        blocks = parse_hcl(text)
    except HclError as exc:
        return None, [
            Problem(
                "CWF001",
                f"cannot read this Terraform file: {exc}",
                Span(exc.line, exc.column, exc.line, exc.column + 1),
            )
        ]
    resources = PMap(Span(1, 1, 1, 1))
    # Only this file's blocks carry positions of this file: the module's others come first and are replaced by a
    # definition of the same name here.
    problems = _missing_files(blocks, folder) + _missing_arguments(blocks) + _miscased_values(blocks)
    blocks = _module_blocks(folder, name) + blocks
    for block in blocks:
        if block.type != "resource" or len(block.labels) != 2:
            continue
        kind, logical = block.labels
        if kind == "aws_codepipeline":
            cfn_type, properties = "AWS::CodePipeline::Pipeline", _pipeline(block)
        elif kind == "aws_codebuild_project":
            cfn_type, properties = "AWS::CodeBuild::Project", _project(block, folder)
        elif kind == "aws_codedeploy_app":
            cfn_type, properties = "AWS::CodeDeploy::Application", PMap(block.span)
            _put(properties, "ComputePlatform", block.body, "compute_platform")
            logical = f"aws_codedeploy_app.{logical}"
        else:
            continue
        resource = PMap(block.span)
        resource.put("Type", block.span, cfn_type, block.span)
        resource.put("Properties", block.span, properties, block.span)
        resources.put(logical, block.span, resource, block.span)
    if not any(r.get("Type") == "AWS::CodePipeline::Pipeline" for r in resources.values()):
        return None, []
    span = Span(1, 1, 1, 1)
    for logical, resource in _iam_resources(blocks).items():
        if logical not in resources:
            resources.put(logical, span, resource, span)
    template = PMap(Span(1, 1, 1, 1))
    template.put("Resources", Span(1, 1, 1, 1), resources, Span(1, 1, 1, 1))
    return template, problems


def _missing_files(blocks: list[Block], folder: str | None) -> list[Problem]:
    """CWF015 for each `buildspec = file("path")` of this file's CodeBuild projects whose path, relative to the
    module's folder, is no file: Terraform's file() fails and the plan stops before anything is made. Paths outside
    the checkout (or absolute ones) are not looked at, and nothing of them is quoted."""
    import os

    if folder is None:
        return []
    problems = []
    for block in blocks:
        if block.type != "resource" or block.labels[:1] != ["aws_codebuild_project"]:
            continue
        for source in _blocks(block, "source")[:1]:
            value = source.body.get("buildspec")
            if not (isinstance(value, dict) and isinstance(value.get(EXPRESSION), str)):
                continue
            match = _FILE_CALL.match(value[EXPRESSION])
            if match is None or os.path.isabs(match.group(1)):
                continue
            path = os.path.join(folder, match.group(1))
            if os.path.exists(path) or not _inside_repository(path, folder):
                continue
            from codeward.linters.suggest import misspelled_file

            meant = misspelled_file(folder, match.group(1), twins=True)
            problems.append(
                Problem(
                    "CWF015",
                    f'file("{match.group(1)}") names no file of this module\'s folder'
                    + (f" (it has {meant})" if meant else "")
                    + ": Terraform cannot read it, so the plan fails and nothing is created",
                    source.body.value_spans["buildspec"],
                )
            )
    return problems


# The arguments and blocks the AWS provider's aws_codepipeline schema requires, by block: Terraform refuses the
# configuration ("The argument "version" is required, but no definition was found") before planning anything.
_REQUIRED_ARGUMENTS = {
    "pipeline": (("name", "role_arn"), ("artifact_store", "stage")),
    "stage": (("name",), ("action",)),
    "action": (("name", "category", "owner", "provider", "version"), ()),
}


def _missing_arguments(blocks: list[Block]) -> list[Problem]:
    """CWF016 for each required argument or block that an `aws_codepipeline` of this file, one of its stages or
    one of their actions lacks. A block that a `dynamic` block may supply (`dynamic "action" { ... }`) counts as
    present; a block written as an argument (`stage = { ... }`) is reported as a warning."""
    problems = []

    def check(block: Block, what: str, label: str) -> None:
        arguments, nested = _REQUIRED_ARGUMENTS[what]
        present = {b.type for b in block.body.get("__blocks__", [])}
        present |= {b.labels[0] for b in _blocks(block, "dynamic") if b.labels}
        for name in arguments:
            if name not in block.body:
                problems.append(_missing(block, f'argument "{name}"', label))
        for name in nested:
            if name in present:
                continue
            if name in block.body:
                # `stage = { ... }`: Terraform 0.11 took a block written as an argument, 0.12 and later refuse it.
                # Which one runs the module is not in the file, so this is a warning.
                problems.append(
                    Problem(
                        "CWF016",
                        f'{label} writes "{name}" as an argument ({name} = {{ ... }}): Terraform 0.12 and later take '
                        f"only a block ({name} {{ ... }}) and reject the configuration before planning",
                        block.body.key_spans[name],
                        downgrade="Terraform 0.11 accepted this form; the module does not say which version runs it.",
                    )
                )
                continue
            problems.append(_missing(block, f'block "{name}"', label))

    def check_stage(stage: Block, stage_label: str) -> None:
        check(stage, "stage", stage_label)
        for action in _blocks(stage, "action"):
            name = action.body.get("name")
            check(action, "action", f'action "{name}"' if isinstance(name, str) else f"an action of {stage_label}")
        # `dynamic "action" { content { ... } }`: each action it makes has the content's arguments.
        for content in _dynamic_contents(stage, "action"):
            check(content, "action", f'the content of dynamic "action" in {stage_label}')

    for block in blocks:
        if block.type != "resource" or block.labels[:1] != ["aws_codepipeline"] or len(block.labels) != 2:
            continue
        pipeline_label = f'aws_codepipeline "{block.labels[1]}"'
        check(block, "pipeline", pipeline_label)
        # A `dynamic "stage"` block's content stands for the stages it makes, actions included.
        for stage in _stage_blocks(block):
            name = stage.body.get("name")
            if stage.type == "content":
                check_stage(stage, f'the content of dynamic "stage" in {pipeline_label}')
            else:
                check_stage(stage, f'stage "{name}"' if isinstance(name, str) else "a stage")
    return problems


def _dynamic_contents(block: Block, kind: str) -> list[Block]:
    """The `content` block of each `dynamic "<kind>"` block inside `block`."""
    return [content for dynamic in _blocks(block, "dynamic") if dynamic.labels[:1] == [kind]
            for content in _blocks(dynamic, "content")[:1]]  # fmt: skip


def _missing(block: Block, what: str, label: str) -> Problem:
    line, column = block.span.line, block.span.column
    return Problem(
        "CWF016",
        f"{label} lacks the required {what}: Terraform rejects the configuration before planning, so nothing of "
        "the module is created or changed",
        Span(line, column, line, column + len(block.type)),
    )


# Enumerations of aws_codebuild_project that the AWS provider validates case-sensitively (by block, argument).
_PROJECT_ENUMS = {
    ("artifacts", "type"): ("CODEPIPELINE", "NO_ARTIFACTS", "S3"),
    ("secondary_artifacts", "type"): ("CODEPIPELINE", "NO_ARTIFACTS", "S3"),
    ("source", "type"): (
        "BITBUCKET", "CODECOMMIT", "CODEPIPELINE", "GITHUB", "GITHUB_ENTERPRISE", "GITLAB", "GITLAB_SELF_MANAGED",
        "NO_SOURCE", "S3",
    ),
    # The CodeBuild API's EnvironmentType, as `environmentType` in schemas/buildspec.schema.json (a test keeps them equal).
    ("environment", "type"): (
        "LINUX_CONTAINER", "LINUX_GPU_CONTAINER", "ARM_CONTAINER", "WINDOWS_CONTAINER", "WINDOWS_SERVER_2019_CONTAINER",
        "WINDOWS_SERVER_2022_CONTAINER", "LINUX_LAMBDA_CONTAINER", "ARM_LAMBDA_CONTAINER", "LINUX_EC2", "ARM_EC2",
        "WINDOWS_EC2", "MAC_ARM",
    ),
    ("environment", "image_pull_credentials_type"): ("CODEBUILD", "SERVICE_ROLE"),
}  # fmt: skip


def _miscased_values(blocks: list[Block]) -> list[Problem]:
    """CWF018 for each value of an aws_codebuild_project enumeration (of this file) that is one of the values the
    provider takes, written in another case: `artifacts { type = "s3" }`. The provider compares exactly, so plan
    stops; values that match none (a newer enumeration member) are left alone."""
    problems = []
    for block in blocks:
        if block.type != "resource" or block.labels[:1] != ["aws_codebuild_project"]:
            continue
        for (nested, name), allowed in _PROJECT_ENUMS.items():
            for inner in _blocks(block, nested):
                value = inner.body.get(name)
                if not isinstance(value, str) or value in allowed:
                    continue
                meant = next((a for a in allowed if a.lower() == value.lower()), None)
                if meant is None:
                    continue
                problems.append(
                    Problem(
                        "CWF018",
                        f'{nested} {name} "{value}" must be written "{meant}": the AWS provider compares the value '
                        "exactly and rejects the configuration before planning, so nothing of the module is created",
                        inner.body.value_spans[name],
                    )
                )
    return problems
