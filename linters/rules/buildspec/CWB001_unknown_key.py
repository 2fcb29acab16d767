from codeward.linters.rule import SchemaRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class UnknownKey(SchemaRule):
    """
    ## What it does
    Reports a key the buildspec format does not define at that place: a misspelled key, a phase name
    CodeBuild does not know (`prebuild`, `post-build`, or one of the author's own such as `test:` or
    `deploy:` holding `commands`), or a key put at the wrong level. When the key looks like a known one, the
    message names it and a fix renames it. Other unknown keys, which CodeBuild passes over without losing
    anything the author meant, are warnings.

    ## Why is this bad?
    CodeBuild only logs a warning for keys it cannot identify and then ignores them. A misspelled
    `comands:` or `pre-build:`, or a `test:` phase, therefore does not fail the build: its commands silently
    never run (CodeBuild has four phases, `install`, `pre_build`, `build`, `post_build`, and no others).

    ## Example
    ```yaml
    version: 0.2
    phases:
      prebuild:
        commands:
          - npm ci
    ```

    ## Fix
    Use the key's exact name (`pre_build`; phase names use underscores, other keys use hyphens) or
    move the key to the level where it belongs.
    """

    code = "CWB001"
    name = "buildspec-unknown-key"
    severity = Severity.ERROR
    kinds = frozenset({"buildspec"})
    error_kind = "unknown-key"
    tags = ("schema",)
    VALID = (
        Valid(
            "version: 0.2\nphases:\n  pre_build:\n    commands:\n      - npm ci\n  post_build:\n    commands:\n      - ls\n"
        ),
        Valid(
            "version: 0.1\nenvironment_variables:\n  plaintext:\n    STAGE: dev\nphases:\n  build:\n    commands:\n      - make\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.2\nphases:\n  prebuild:\n    commands:\n      - npm ci\n",
            3,
            3,
            'unknown key "prebuild" in phases; did you mean "pre_build"?',
            fixed="version: 0.2\nphases:\n  pre_build:\n    commands:\n      - npm ci\n",
        ),
        Invalid(
            "version: 0.2\nphases:\n  post-build:\n    commands:\n      - ls\n",
            3,
            3,
            'did you mean "post_build"?',
            fixed="version: 0.2\nphases:\n  post_build:\n    commands:\n      - ls\n",
        ),
        Invalid("version: 0.2\nphases:\n  build:\n    comands:\n      - make\n", 4, 5, 'did you mean "commands"?'),
        Invalid(
            "version: 0.2\nphases:\n  install:\n    commands: [pip install -r requirements.txt]\n"
            "  test:\n    commands:\n      - python -m pytest\n",
            5,
            3,
            'unknown key "test" in phases',
        ),
        Invalid(
            "version: 0.2\nexported-variables:\n  - TAG\nphases:\n  build:\n    commands:\n      - make\n",
            2,
            1,
            'unknown key "exported-variables" in the top level of the buildspec',
        ),
        Invalid(
            "version: 0.2\nartifacts:\n  files: ['**/*']\n  discard_path: yes\nphases:\n  build:\n    commands: [make]\n",
            4,
            3,
            'did you mean "discard-paths"?',
        ),
    )
