"""Property tests: random mutations of valid files never produce an internal error or an exception."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from codeward.linters.engine import lint_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import ROOT

SEEDS: list[tuple[str, str]] = [
    (
        "buildspec.yml",
        "version: 0.2\nphases:\n  install:\n    runtime-versions:\n      python: 3.12\n  build:\n    commands:\n      - make\n",
    ),
    (
        "appspec.yml",
        "version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /srv/app\nhooks:\n  AfterInstall:\n    - location: scripts/a.sh\n      timeout: 60\n",
    ),
    ("pipeline.json", '{"pipeline": {"name": "p", "roleArn": "arn:aws:iam::123456789012:role/r", "stages": []}}'),
]
for folder in ("examples",):
    for path in sorted((Path(ROOT) / folder).rglob("*")):
        if path.suffix in (".yml", ".yaml", ".json") and path.stat().st_size < 20_000:
            SEEDS.append((path.name, path.read_text(errors="replace")))

NOISE = st.sampled_from(
    [
        ":",
        " ",
        "-",
        "\t",
        "[",
        "]",
        "{",
        "}",
        "&a",
        "*a",
        "!Ref ",
        "'",
        '"',
        "#",
        "\n",
        "0",
        "yes",
        "~",
        "\\",
        "é",
        "\x00",
    ]
)


# The files are linted as if they sat at the top of this small checkout (a `.git`, a buildspec whose artifacts
# make up the AppSpec's revision, the scripts the examples name), not of codeward's own: an AppSpec's revision
# is resolved from every buildspec and file of its checkout, and codeward's (with its .venv) made each AppSpec
# cost two seconds without exercising anything more.
CHECKOUT = Path(tempfile.mkdtemp(prefix="codeward-property-"))
atexit.register(shutil.rmtree, CHECKOUT, True)
(CHECKOUT / ".git").mkdir()
for _script in ("a.sh", "start.sh", "stop.sh", "validate.sh", "install_node.sh", "migrate.sh", "warm_up.sh"):
    (CHECKOUT / "scripts").mkdir(exist_ok=True)
    (CHECKOUT / "scripts" / _script).write_text("#!/bin/sh\nexit 0\n")
(CHECKOUT / "site").mkdir()
(CHECKOUT / "site" / "index.html").write_text("<p>ok</p>\n")
(CHECKOUT / "buildspec.yml").write_text(
    "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n"
    "artifacts:\n  files:\n    - appspec.yml\n    - scripts/**/*\n    - site/**/*\n"
)


def _check(name: str, text: str) -> None:
    result = lint_text(str(CHECKOUT / name), text)
    assert not result.internal_error, [f.message for f in result.findings if f.code == "CWF900"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(SEEDS), data=st.data())
def test_text_mutations_never_crash(seed: tuple[str, str], data: st.DataObject) -> None:
    name, text = seed
    lines = text.split("\n")
    for _ in range(data.draw(st.integers(1, 4))):
        if not lines:
            break
        index = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.integers(0, 4))
        line = lines[index]
        if action == 0:
            del lines[index]
        elif action == 1:
            lines.insert(index, line)
        elif action == 2:
            cut = data.draw(st.integers(0, len(line)))
            lines[index] = line[:cut] + data.draw(NOISE) + line[cut:]
        elif action == 3:
            lines[index] = " " * data.draw(st.integers(0, 8)) + line.lstrip()
        else:
            other = data.draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
    _check(name, "\n".join(lines))


def _replace_values(node: object, draw: st.DataObject) -> object:
    if isinstance(node, dict):
        return {k: _replace_values(v, draw) for k, v in node.items()}
    if isinstance(node, list):
        return [_replace_values(v, draw) for v in node]
    if draw.draw(st.integers(0, 5)) == 0:
        return draw.draw(
            st.one_of(st.none(), st.booleans(), st.integers(-5, 5000), st.text(max_size=8), st.just([]), st.just({}))
        )
    return node


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(SEEDS), data=st.data())
def test_structural_mutations_never_crash(seed: tuple[str, str], data: st.DataObject) -> None:
    import json

    from codeward.linters.engine import load_document

    name, text = seed
    document = load_document(name, text)
    if document.data is None:
        return
    mutated = _replace_values(json.loads(json.dumps(document.data)), data)
    _check(name.rsplit(".", 1)[0] + ".json", json.dumps(mutated, indent=1))


def test_a_provider_that_is_a_list_does_not_crash_the_role_rules() -> None:
    # Found by the structural mutations above: `Provider: []` reached CWP136's look-up of the provider's needed
    # permissions ("unhashable type: 'PList'").
    template = (
        "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n"
        "      Policies:\n        - PolicyName: p\n          PolicyDocument:\n            Statement:\n"
        "              - {Effect: Allow, Action: 's3:*', Resource: '*'}\n"
        "  Pipeline:\n    Type: AWS::CodePipeline::Pipeline\n    Properties:\n      RoleArn: !GetAtt Role.Arn\n"
        "      ArtifactStore: {Type: S3, Location: b}\n      Stages:\n        - Name: Deploy\n          Actions:\n"
        "            - Name: Ecs\n              ActionTypeId: {Category: Deploy, Owner: AWS, Provider: [], Version: '1'}\n"
    )
    _check("pipeline.yml", template)
