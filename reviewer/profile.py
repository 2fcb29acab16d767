"""Which rules a review runs on a file: the default set, what the user asked for, and the test profile.

Test code (files under `tests/`, `test/`, `testing/`, `__tests__/`, `*_tests/` (such as `e2e_tests/`),
`test_*.py`, `*_test.py`, `*_tests.py`, `conftest.py`,
or the globs of `test-paths` in `[tool.codeward.reviewer]`) gets a profile of its own unless the review runs
with `--profile strict` (or `profile = "strict"`): the rules below stay quiet there, because in tests their
findings are fixtures and harness code, not defects a reviewer comments on. Of the known token formats
(CWR201), tests keep only live credentials (GitHub/GitLab/Slack/Stripe/Google keys, and AWS access key ids
next to a secret access key): private keys, JSON Web Tokens and lone access key ids in tests are test data. Example and documentation code (`examples/`,
`example/`, `samples/`, `sample/`, `docs/`, `doc/`) gets the same treatment for placeholder secrets, regions and account ids
(`QUIET_IN_EXAMPLES`); `--profile strict` reviews it like the rest.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

# `t/`: the test folder of the celery family of projects (and of Perl's convention they follow).
DEFAULT_TEST_PATHS = ("tests", "test", "t", "testing", "__tests__", "*_tests", "test_*.py", "*_test.py",
                      "*_tests.py", "conftest.py")  # fmt: skip
# Example and documentation code: its credentials, regions and account ids are placeholders for the reader's own.
EXAMPLE_PATHS = ("examples", "example", "samples", "sample", "docs", "doc")
PROFILES = ("default", "strict")

# Rules that stay quiet in test code under the default profile, and why.
QUIET_IN_TESTS: dict[str, str] = {
    "CWR103": "shell commands a test builds from its own fixtures (CWR102 still follows outside input there)",
    "CWR105": "tests load the fixtures they ship, and a pickle round-trip checks that an object pickles",
    "CWR110": "fixture web apps that echo back what the test sends them",
    # Judged false 16 of 16 in tests (constant parametrize cases, Hypothesis text, an escaping test), 0 true.
    "CWR120": "SQL a test formats from its own parametrize cases and fixtures (CWR101 still follows outside input)",
    "CWR121": "tests evaluate the repr of the object under test",
    "CWR309": "a test starts the app it tests in debug mode; nothing is deployed that way",
    "CWR202": "fixture passwords of test servers and fake accounts",
    "CWR203": "`http://user:pass@host` fixtures",
    "CWR204": "test output, not production logs",
    "CWR205": "fixture values that look like credentials",
    "CWR301": "clients of local test servers with self-signed certificates",
    "CWR305": "fixture passwords and tokens a test makes up: their predictability protects nothing",
    "CWR302": "TLS contexts for local test servers with self-signed certificates",
    "CWR306": "scratch file names in the test's own sandbox",
    "CWR312": "short keys that keep key generation fast in tests",
    "CWR314": "cookies a test sets to check how flags are handled",
    "CWR117": "redirect handlers of fake test servers",
    "CWR118": "fixture web apps that echo back what the test sends them, headers included",
    "CWR402": "listings of moto and Stubber fixtures, which hold a handful of items: one page is all there is",
    "CWR405": "buckets of moto and Stubber fixtures",
    # Judged not worth a comment 2 of 2 in tests (a moto fixture of two items, an integration test's teardown), 0 true.
    "CWR404": "batch writes to moto and Stubber fixtures and test teardown: a partial failure fails the test's own checks",
    "CWR602": "a test that turns any exception into a failure, or probes for one",
    "CWR603": "a test that turns any exception into a failure, or probes for one",
    "CWR408": "an unhandled error fails the test, as it should",
    "CWR409": "regions of mocked and stubbed clients",
    "CWR410": "documentation account ids in fixtures",
    "CWR501": "sockets and connections of test servers and scripts, freed when the test ends",
    "CWR601": "helper defaults in test code",
    "CWR604": "re-raising in a test changes nothing a reviewer cares about",
    "CWR607": "timestamps of fixtures and mocks",
    "CWR608": "tests that exercise a deprecated API on purpose (it still has to work)",
    "CWR609": "the test runner's own timeout bounds child processes",
    "CWR610": "requests to local test servers; the test runner's timeout bounds them",
    "CWR612": "building test data",
    "CWR614": "a test that blocks its own event loop on purpose (or on a platform without threads)",
    "CWR616": "assertions such as `assert result == None` read the way the test means them",
}
# Rules that stay quiet in example and documentation code under the default profile (judges found all 17 of
# their findings there placeholders, not worth a comment). CWR201 keeps live token formats there too.
QUIET_IN_EXAMPLES: dict[str, str] = {
    "CWR121": "examples that load a settings file the reader writes",
    "CWR202": "placeholder passwords the reader replaces",
    "CWR203": "placeholder `user:pass@host` URLs (a local broker's default login)",
    "CWR205": "placeholder values that look like credentials",
    "CWR409": "the region an example runs in, for the reader to change",
    "CWR410": "documentation account ids",
}
# Token formats that are real credentials wherever they appear, tests included.
LIVE_TOKENS = ("AWS access key id", "GitHub", "GitLab", "Slack", "Stripe", "Google API key")


@dataclass(frozen=True)
class Options:
    strict: bool = False
    test_paths: tuple[str, ...] = DEFAULT_TEST_PATHS
    foreign_suppressions: bool = True

    def key(self) -> str:
        """What the results cache must know of these options."""
        return repr((self.strict, self.test_paths, self.foreign_suppressions))


class OptionsError(ValueError):
    """Bad `[tool.codeward.reviewer]` values: a usage error."""


def options(config: Any) -> Options:
    """The review options of `[tool.codeward.reviewer]` (the command line has written its flags there)."""
    table = config.raw.get("reviewer", {}) if isinstance(config.raw, dict) else {}
    if not isinstance(table, dict):
        raise OptionsError(f"{config.source}: [tool.codeward.reviewer] must be a table")
    profile = table.get("profile", "default")
    if profile not in PROFILES:
        raise OptionsError(f'{config.source}: [tool.codeward.reviewer] profile must be "default" or "strict"')
    paths = table.get("test-paths", DEFAULT_TEST_PATHS)
    if isinstance(paths, str):
        paths = [paths]
    if not isinstance(paths, list | tuple) or not all(isinstance(p, str) and p.strip() for p in paths):
        raise OptionsError(f"{config.source}: [tool.codeward.reviewer] test-paths must be a list of glob patterns")
    foreign = table.get("foreign-suppressions", True)
    if not isinstance(foreign, bool):
        raise OptionsError(f"{config.source}: [tool.codeward.reviewer] foreign-suppressions must be true or false")
    return Options(profile == "strict", tuple(paths), foreign)


def is_test_path(config: Any, path: str, patterns: Sequence[str] = DEFAULT_TEST_PATHS) -> bool:
    return any(config._matches(path, pattern) for pattern in patterns)


def asked(code: str, explicit: Sequence[str]) -> bool:
    """The user named the rule, a prefix of it, or ALL."""
    return any(prefix == "ALL" or code.startswith(prefix) for prefix in explicit)


def selector(
    config: Any, path: str, opts: Options | None = None, wanted: Sequence[str] = ()
) -> tuple[Callable[[str], bool], bool]:
    """(which rules run on `path`, whether CWR201 keeps only live token formats there: test, example and
    documentation code). `wanted`: rules the command itself asks for, default set or not (the secrets hook's)."""
    from codeward.reviewer.measured import in_default_set

    opts = opts or options(config)
    base = config.selector_for(path)
    tests = not opts.strict and is_test_path(config, path, opts.test_paths)
    examples = not opts.strict and not tests and is_test_path(config, path, EXAMPLE_PATHS)
    explicit = tuple(config.explicit)

    answers: dict[str, bool] = {}  # a review asks about every rule several times a file

    def select(code: str) -> bool:
        found = answers.get(code)
        if found is None:
            found = answers[code] = _select(code)
        return found

    def _select(code: str) -> bool:
        if not base(code) or (tests and code in QUIET_IN_TESTS) or (examples and code in QUIET_IN_EXAMPLES):
            return False
        return in_default_set(code) or asked(code, explicit) or code in wanted

    # Of CWR201's tokens, tests and examples keep only live credential formats.
    return select, tests or examples


# A secret access key: 40 characters of the base64 alphabet standing alone in a literal.
_SECRET_ACCESS_KEY = re.compile(r"""["'][A-Za-z0-9/+]{40}["']""")


def keep_in_tests(code: str, message: str, text: str = "") -> bool:
    """Findings that stay in test code beyond the rules' selection: only live token formats of CWR201. An AWS
    access key id alone grants nothing without its secret key, and tests make ids up for their fixtures (judged
    not worth a comment 6 of 6 in a mocked IAM test): it stays only when the file also holds a secret key."""
    if code != "CWR201":
        return True
    if "hard-coded AWS access key id" in message:
        return bool(_SECRET_ACCESS_KEY.search(text))
    return any(f"hard-coded {provider}" in message for provider in LIVE_TOKENS)
