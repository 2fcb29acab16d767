import json
import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.placeholders import placeholder
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import commands, text_span

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# `printf 'FORMAT' args > file` or `echo 'TEXT' > file` writing an image definitions file, the format or text in
# single quotes (so the shell expands nothing inside it).
_WRITE = re.compile(
    r"""\b(printf|echo)\s+(?:-[a-zA-Z]+\s+)*'([^']*)'[^'>|;&]*>\s*["']?((?:[\w./-]*/)?(?:imagedefinitions|imageDetail)[\w.-]*\.json)\b""",
    re.I,
)
# Docker's reference grammar (distribution/reference): [domain/]path[:tag][@digest], path components lower case.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)"
_REFERENCE = re.compile(
    rf"^{_DOMAIN}?{_COMPONENT}(?:/{_COMPONENT})*(?::[\w][\w.-]{{0,127}})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z0-9]+)*:[0-9a-fA-F]{{32,}})?$"
)
_KEYS = ("imageUri", "ImageURI", "imageURI", "ImageUri")

_SPEC = """version: 0.2
phases:
  post_build:
    commands:
      - printf '{"ImageURI":"%s"}' $REPOSITORY_URI:$TAG > imageDetail.json
"""


def _uris(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [v for k, v in value.items() if k in _KEYS and isinstance(v, str)]
    if isinstance(value, list):
        return [u for item in value for u in _uris(item)]
    return []


class ImageReference(DocumentRule):
    """
    ## What it does
    Reports an image definitions file (`imagedefinitions.json`, `imageDetail.json`) that a build command writes
    with a literal image URI that is not a valid image reference: `printf '{"ImageURI":"image_URI"}' >
    imageDetail.json`, where the single quotes keep the shell from substituting anything. Values filled in
    by `%s`, a variable or a placeholder that a later step replaces are not judged.

    ## Why is this bad?
    The ECS deploy actions give the URI to the task definition as the container image. An image reference
    has lower-case path components (`registry/repository:tag`); anything else is refused ("invalid
    reference format"), the tasks cannot start and the deployment fails.

    ## Example
    ```yaml
    - printf '{"ImageURI":"image_URI"}' > imageDetail.json
    ```

    ## Fix
    Write the URI the build pushed: `printf '{"ImageURI":"%s"}' "$REPOSITORY_URI:$IMAGE_TAG" > imageDetail.json`.
    """

    code = "CWB125"
    name = "buildspec-image-reference"
    severity = Severity.ERROR
    tags = ("correctness", "containers")
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        Valid(_SPEC),
        Valid(_SPEC.replace('\'{"ImageURI":"%s"}\' $REPOSITORY_URI:$TAG', '\'{"ImageURI":"nginx:1.27"}\'')),
        Valid(_SPEC.replace("%s\"}' $REPOSITORY_URI:$TAG", "IMAGE_URI\"}'")),
        Valid(
            "version: 0.2\nphases:\n  build:\n    commands:\n"
            '      - printf \'[{"name":"web","imageUri":"123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1"}]\''
            " > imagedefinitions.json\n"
        ),
    )
    INVALID = (
        Invalid(
            _SPEC.replace("%s\"}' $REPOSITORY_URI:$TAG", "image_URI\"}'"),
            5,
            30,
            '"image_URI" is not a valid image reference',
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        for at, text in commands(value):
            for match in _WRITE.finditer(text):
                program, body, target = match.groups()
                if "%s" in body or "$" in body or (program.lower() == "printf" and "%" in body):
                    continue
                try:
                    data = json.loads(body)
                except ValueError:
                    continue
                for uri in _uris(data):
                    if _REFERENCE.match(uri) or placeholder(uri) or not uri.strip():
                        continue
                    ctx.report(
                        at,
                        f'"{uri}" is not a valid image reference, and the shell writes it to {target} as it stands '
                        "(single quotes): the ECS deployment gives it to the task definition, which refuses it "
                        "(invalid reference format), so the tasks cannot start",
                        span=text_span(ctx.document, at, uri),
                    )
