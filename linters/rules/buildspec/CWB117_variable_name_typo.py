import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import commands
from codeward.linters.suggest import did_you_mean

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_REFERENCE = re.compile(r"\$\{?([A-Za-z_]\w*)|\$env:([A-Za-z_]\w*)|%([A-Za-z_]\w*)%")
_PROVIDED = ("CODEBUILD_", "AWS_")
_COMMON = {"HOME", "PATH", "PWD", "OLDPWD", "USER", "SHELL", "LANG", "TMPDIR", "HOSTNAME"}
_SECTIONS = (
    ("env", "variables"),
    ("env", "parameter-store"),
    ("env", "secrets-manager"),
    ("environment_variables", "plaintext"),
)


class VariableNameTypo(DocumentRule):
    """
    ## What it does
    Reports a variable defined in the buildspec that no command uses while the commands use a similar
    name that nothing defines (`BUILLD_PROFILE` defined, `$BUILD_PROFILE` used).

    ## Why is this bad?
    The commands read an unset variable, which expands to an empty string: the build runs with a wrong
    or missing setting (an empty profile, an empty password) instead of failing clearly.

    ## Example
    ```yaml
    env:
      variables:
        BUILLD_PROFILE: release
    phases:
      build:
        commands:
          - mvn -P "$BUILD_PROFILE" package
    ```

    ## Fix
    Rename the variable so the definition and the commands agree.
    """

    code = "CWB117"
    name = "buildspec-variable-name-typo"
    severity = Severity.WARNING
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        # An exported variable is used (by the stages after this build).
        Valid(
            "version: 0.2\nenv:\n  variables:\n    IMAGE_TAG: latest\n  exported-variables:\n    - IMAGE_TAG\n"
            "phases:\n  build:\n    commands:\n      - echo $IMAGE_TAGS\n"
        ),
        Valid(
            "version: 0.2\nenv:\n  variables:\n    PROFILE: release\n    UNUSED_BUT_FINE: x\nphases:\n  build:\n"
            '    commands:\n      - mvn -P "$PROFILE" -Dother=$OTHER_FROM_PROJECT package\n'
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.1\nenvironment_variables:\n  plaintext:\n    BUILLD_PROFILE: release\nphases:\n  build:\n"
            '    commands:\n      - mvn -P "$BUILD_PROFILE" package\n',
            4,
            5,
            'did you mean "BUILD_PROFILE"?',
        ),
        # Variables before it that are used, or have no likely twin, do not end the search.
        Invalid(
            "version: 0.2\nenv:\n  variables:\n    REGION: us-east-1\n    UNRELATED_THING: x\n"
            "    BUILLD_PROFILE: release\nphases:\n  build:\n    commands:\n      - echo $REGION $BUILD_PROFILE\n",
            6,
            5,
            'variable "BUILLD_PROFILE" is never used, but the commands use "$BUILD_PROFILE", which nothing in the '
            'buildspec defines; did you mean "BUILD_PROFILE"?',
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        defined: dict[str, tuple[str, ...]] = {}
        for section in _SECTIONS:
            block = ctx.document.get(section)
            if isinstance(block, dict):
                for name in block:
                    defined.setdefault(name, section)
        if not defined:
            return
        used: set[str] = set()
        for _, text in commands(value):
            for match in _REFERENCE.finditer(text):
                used.add(next(g for g in match.groups() if g))
        exported = ctx.document.get(("env", "exported-variables"))
        exported_names = {n for n in exported if isinstance(n, str)} if isinstance(exported, list) else set()
        # Variables CodeBuild or the image provide are defined, just not here.
        unknown = [n for n in used if n not in defined and not n.startswith(_PROVIDED) and n not in _COMMON]
        for name, section in defined.items():
            if name in used or name in exported_names:
                continue
            guess = did_you_mean(name, unknown)
            if guess is None or guess == name:
                continue
            ctx.report(
                (*section, name),
                f'variable "{name}" is never used, but the commands use "${guess}", which nothing in the buildspec '
                f'defines; did you mean "{guess}"?',
                key=True,
            )
