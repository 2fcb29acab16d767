import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import command_words, looks_windows, next_word_span

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# CloudFormation's CreateStack reference: "A stack name can contain only alphanumeric characters
# (case-sensitive) and hyphens. It must start with an alphabetical character and can't be longer than 128
# characters."
_STACK_NAME = re.compile(r"^[A-Za-z][-A-Za-z0-9]{0,127}$")
# Text whose value the shell or another tool decides: a variable, a substitution, a glob, a placeholder.
_NOT_LITERAL = re.compile(r"[$`*?\[{}<>%]")


def _stack_names(words: list[str]) -> list[str]:
    """The literal `--stack-name` values of an `aws cloudformation ...` or `sam deploy` command."""
    if words[:2] == ["aws", "cloudformation"] or words[:2] == ["sam", "deploy"]:
        found = []
        for index, word in enumerate(words):
            if word == "--stack-name" and index + 1 < len(words):
                found.append(words[index + 1])
            elif word.startswith("--stack-name="):
                found.append(word.partition("=")[2])
        return found
    return []


class InvalidStackName(DocumentRule):
    """
    ## What it does
    Reports an `aws cloudformation ... --stack-name NAME` or `sam deploy --stack-name NAME` command whose literal
    stack name CloudFormation refuses: a character other than letters, digits and hyphens (an underscore, a
    dot), a first character that is not a letter, or more than 128 characters. Names built from variables or
    substitutions, and stack ARNs (which `describe-stacks` and `delete-stack` accept), are not judged.

    ## Why is this bad?
    CloudFormation's API reference: "A stack name can contain only alphanumeric characters (case-sensitive) and
    hyphens. It must start with an alphabetical character and can't be longer than 128 characters." The call
    fails with a ValidationError, and with it the build.

    ## Example
    ```yaml
    build:
      commands:
        - aws cloudformation deploy --template-file main.yml --stack-name lab2_network
    ```

    ## Fix
    Use hyphens where the name has underscores or dots: `--stack-name lab2-network`.
    """

    code = "CWB137"
    name = "buildspec-invalid-stack-name"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        Valid(
            "version: 0.2\nphases:\n  build:\n    commands:\n"
            "      - aws cloudformation deploy --template-file t.yml --stack-name Lab2-Network\n"
            "      - aws cloudformation describe-stacks --stack-name $STACK_NAME\n"
            "      - sam deploy --stack-name ${PROJECT}_${ENV} --capabilities CAPABILITY_IAM\n"
            "      - aws cloudformation delete-stack --stack-name=arn:aws:cloudformation:us-east-1:123456789012:"
            "stack/app/1a2b\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands:\n"
            "      - aws cloudformation deploy --template-file main.yml --stack-name Lab2_Network\n",
            5,
            73,
            'the stack name "Lab2_Network" has characters CloudFormation refuses: a stack name is letters, digits '
            "and hyphens, starting with a letter, at most 128 characters",
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if not isinstance(value, dict) or looks_windows(value):
            return
        searched: dict[Path, int] = {}
        for at, text, words in command_words(value):
            for name in _stack_names(words):
                if not name or _NOT_LITERAL.search(name) or name.startswith("arn:") or _STACK_NAME.match(name):
                    continue
                ctx.report(
                    at,
                    f'the stack name "{name}" has characters CloudFormation refuses: a stack name is letters, '
                    "digits and hyphens, starting with a letter, at most 128 characters",
                    span=next_word_span(ctx.document, searched, at, text, name),
                    notes=("CloudFormation answers with a ValidationError and the build fails.",),
                )
