from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity

SPEC = "version: 0.2\nphases:\n  build:\n    commands: [npm ci]\ncache:\n  paths:\n    - node_modules/**/*\n    - /root/.npm/**/*\n"


class CachePathMatchesNothing(SimRule):
    """
    ## What it does
    Reports a relative `cache.paths` entry that selects no file of the source directory (info in a dry
    run, warning after `--execute`). Absolute paths live on the build host and are not checked.

    ## Why is this bad?
    A cache path that matches nothing saves nothing: every build downloads its dependencies again.

    ## Example
    ```yaml
    cache:
      paths:
        - node_module/**/*
    ```

    ## Fix
    Name the directory the dependency manager really fills, followed by `/**/*`.
    """

    code = "CWB204"
    name = "cache-path-matches-nothing"
    severity = Severity.INFO
    kind = "buildspec"
    VALID = (SimValid(SPEC, files={"node_modules/x/index.js": "x"}),)
    INVALID = (SimInvalid(SPEC, 7, 7, "node_modules/**/*"),)
