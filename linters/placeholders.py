"""Placeholders: values a later step fills in, which value-format rules must not judge.

Teams keep definitions as templates and fill them in a build step or deploy script: `<TASK_DEFINITION>`
(CodePipeline's ECS blue/green action replaces it), `{{Version}}`, `%ServiceName%`, `${Name}` (envsubst),
`__NAME__`, `$ROLE_ARN`, or a bare `ARN`, `TASK_DEFINITION_ARN`, `YOUR_ACCOUNT_ID` that a `sed` replaces. A
value-format rule that meets one reports `info` "left unfilled", never an error; a secret rule does not
take one for a secret. One recogniser serves every rule, so they agree on what a placeholder is.

Values resolved by the service itself are no placeholders and need no finding at all: CloudFormation
dynamic references (`{{resolve:ssm:...}}`) and CodePipeline variables (`#{SourceVariables.CommitId}`).
"""

from __future__ import annotations

import re

# A whole value, or a token inside one.
_TOKENS = re.compile(
    r"<[A-Za-z_][A-Za-z0-9_ .:/-]{0,80}>"  # <TASK_DEFINITION>, <your account id>
    r"|\{\{(?!\s*resolve:)[^{}\n]{1,80}\}\}"  # {{Version}}, {{ Branch name }}
    r"|%[A-Za-z_][A-Za-z0-9_]{0,80}%"  # %ServiceName%
    r"|\$\{[A-Za-z_][A-Za-z0-9_.:-]{0,80}\}"  # ${Name}
    r"|(?<![A-Za-z0-9])__[A-Za-z][A-Za-z0-9_]{0,80}__(?![A-Za-z0-9])"  # __NAME__
)
# A whole value that is a variable for envsubst or sed: $ROLE_ARN.
_VARIABLE = re.compile(r"^\$[A-Za-z_][A-Za-z0-9_]*$")
# A whole value in capitals and underscores (ARN, TASK_DEFINITION_ARN, IMAGE_URI), or a your-/my- stand-in.
_WORD = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$")
_STAND_IN = re.compile(
    r"^(your|my|replace|change|insert|enter|put|example|sample|fill|todo|tbd|dummy|placeholder)([-_ ]|$)"
    r"|(^|[-_ ])(here|goes[-_ ]here)$|account[-_]?id|your_|xxxx",
    re.I,
)
_DYNAMIC = re.compile(r"\{\{resolve:[a-z-]+:[^}]*\}\}|#\{[A-Za-z0-9@_-]+\.[A-Za-z0-9@_-]+\}")


def placeholder(value: object, field: str | None = None, *, words: bool = True) -> str | None:
    """The placeholder in `value` (the token, or the whole value), or None when it looks like a real value.

    With `words` (for values whose format a bare word cannot have: ARNs, numbers, bucket names), a whole
    value in capitals (`ARN`, `TASK_DEFINITION_ARN`), a stand-in (`your-repo`, `account-id`) or one that
    repeats its own key ("roleArn": "roleArn") counts too; for a choice among words (`ActionMode`), only the
    bracketed forms do, or a misspelt `CREATE_OR_UPDATE` would pass for a placeholder.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    token = _TOKENS.search(text)
    if token:
        return token.group(0)
    if _VARIABLE.match(text) and text != "$LATEST":  # $LATEST is Lambda's own version name, no variable
        return text
    if not words:
        return None
    if _WORD.match(text) or _STAND_IN.search(text):
        return text
    if field is not None and text.replace("-", "").replace("_", "").lower() == field.replace("_", "").lower():
        return text
    return None


def resolved_by_aws(value: object) -> bool:
    """A CloudFormation dynamic reference or a CodePipeline variable: the service fills it in itself."""
    return isinstance(value, str) and bool(_DYNAMIC.search(value))


def unfilled(token: str) -> str:
    """The message of a value-format finding about a placeholder."""
    return f"{token} is left unfilled: the check of this value waits until a build or deploy step fills it in"
