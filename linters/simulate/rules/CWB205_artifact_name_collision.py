from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity

SPEC = (
    "version: 0.2\nphases:\n  build:\n    commands: [make]\nartifacts:\n  files: ['**/*.txt']\n  discard-paths: yes\n"
)


class ArtifactNameCollision(SimRule):
    """
    ## What it does
    Reports files that `discard-paths: yes` flattens to the same name inside one artifact.

    ## Why is this bad?
    With directories discarded, `a/notes.txt` and `b/notes.txt` both become `notes.txt`: the artifact
    keeps only one of them, and which one is not under your control.

    ## Example
    ```yaml
    artifacts:
      files: ['**/*.txt']
      discard-paths: yes
    ```

    ## Fix
    Keep the paths (`discard-paths: no`), or narrow `files` so that names are unique.
    """

    code = "CWB205"
    name = "artifact-name-collision"
    severity = Severity.WARNING
    kind = "buildspec"
    VALID = (SimValid(SPEC, files={"a/one.txt": "1", "b/two.txt": "2"}),)
    INVALID = (SimInvalid(SPEC, 7, 18, "notes.txt", files={"a/notes.txt": "1", "b/notes.txt": "2"}),)
