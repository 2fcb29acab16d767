from codeward.linters.rule import LoaderRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class DuplicateKey(LoaderRule):
    """
    ## What it does
    Reports a key that appears twice in the same mapping or JSON object.

    ## Why is this bad?
    Parsers silently keep one of the two values (most keep the last), so half of what you wrote is
    ignored: a second `build:` phase replaces the first one's commands without a word. A key repeated with the
    same value changes nothing a parser reads (the CodeDeploy agent's YAML reader, like most, keeps the last
    occurrence): that repetition is a warning, not an error.

    ## Example
    ```yaml
    phases:
      build:
        commands: [make]
      build:
        commands: [make test]
    ```

    ## Fix
    Merge the two entries into one key.
    """

    code = "CWF002"
    name = "duplicate-key"
    severity = Severity.ERROR
    VALID = (Valid("version: 0.2\nphases:\n  build:\n    commands: [make, make test]\n"),)
    INVALID = (
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands: [make]\n  build:\n    commands: [make test]\n",
            5,
            3,
            '"build"',
        ),
        Invalid('{"pipeline": {"name": "a", "stages": [],\n "name": "b"}}', 2, 2, '"name"', filename="pipeline.json"),
        # The same value twice: reported as a warning (the message says so), since every reader gets that value.
        Invalid(
            "version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /srv/app\n    destination: /srv/app\n",
            6,
            5,
            "repeats the same value",
            filename="appspec.yml",
        ),
    )
