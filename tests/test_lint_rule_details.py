"""Lint rules' details that no rule case reached, written for the survivors of the lint-rules mutation sample
(bench/mutation-report.md): each case states every finding of the file (code, span, severity, message,
notes). Every expectation was read against the file it lints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from codeward.linters.engine import lint_file
from codeward.linters.rules.pipeline import BUILD_ACTION, SOURCE_ACTION, action, api_case

from codeward.findings import Span
from tests.outputs_whole import check_whole


def write_files(tmp_path: Path, files: dict[str, str | bytes]) -> None:
    """The files a case lays beside the linted one (folders made as needed)."""
    for file, content in files.items():
        (tmp_path / file).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / file).write_bytes(content if isinstance(content, bytes) else content.encode())


def findings(tmp_path: Path, name: str, text: str) -> list[tuple]:
    path = tmp_path / name
    path.write_text(text)
    out = []
    found = lint_file(str(path)).findings
    # The files beside it decide findings too: they are part of the text the table knows it by.
    tree = sorted(str(p.relative_to(tmp_path)) + "\0" + (p.read_text(errors="replace") if p.is_file() else "")
                  for p in tmp_path.rglob("*"))  # fmt: skip
    check_whole("lint-file", name, "\0".join([text, *tree]), found, str(tmp_path))
    for f in found:
        s = f.span
        out.append((f.code, (s.line, s.column, s.end_line, s.end_column), str(f.severity), f.message, tuple(f.notes)))
    return out


def _pipeline(**top: object) -> str:
    data = json.loads(api_case(("Source", [SOURCE_ACTION]), ("Build", [BUILD_ACTION])))
    data["pipeline"].update(top)
    return json.dumps(data, indent=2)


_CONNECTION = action(
    "Checkout", "Source", "CodeStarSourceConnection",
    {"ConnectionArn": "arn:aws:codestar-connections:us-east-1:123456789012:connection/abc",
     "FullRepositoryId": "octo/app", "BranchName": "main"},
    outputs=("Code",),
)  # fmt: skip
_TRIGGER = '{"providerType": "CodeStarSourceConnection", "gitConfiguration": {"sourceActionName": "Checkout"}}'

LAMBDA = (
    "version: 0.0\nResources:\n  - fn:\n      Type: AWS::Lambda::Function\n      Properties:\n        Name: orders\n"
    "        Alias: live\n        CurrentVersion: 1\n        TargetVersion: 2\n"
)
CASES = {
    "pipeline role left a placeholder": (
        "pipeline.json",
        _pipeline(roleArn="<PIPELINE_ROLE_ARN>"),
        [('CWP004', (4, 16, 4, 37), 'info', 'pipeline.roleArn: <PIPELINE_ROLE_ARN> is left unfilled: the check of this value waits until a build or deploy step fills it in', ())],
    ),
    "hook timeout as a string": (
        "appspec.yml",
        "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: a.sh\n      timeout: \"4000\"\n",
        [('CWA104', (5, 17, 5, 21), 'error', 'hook script "a.sh" of AfterInstall is not in the revision (paths are relative to the AppSpec file); the deployment would fail with ScriptMissing', ()), ('CWA103', (6, 16, 6, 22), 'warning', 'timeout 4000 exceeds the 3600 seconds a lifecycle event may take (AfterInstall)', ("Scripts without a timeout are given 3600 seconds, but the event's hour is shared by all.",))],
    ),
    "destination starting with ./": (
        "appspec.yml", "version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: ./srv/app\n",
        [('CWA107', (5, 18, 5, 27), 'error', 'destination "./srv/app" is not an absolute path; write the full path on the instance, such as "/srv/app"', ())],
    ),
    "symbolic mode without an operator": (
        "appspec.yml", "version: 0.0\nos: linux\npermissions:\n  - object: /srv/app\n    mode: rwx\n",
        [('CWA113', (5, 11, 5, 14), 'error', 'mode "rwx" is symbolic; the agent accepts only octal digits such as 644 or 755', ())],
    ),
    "duplicate hook with its value on the next line": (
        "appspec.yml",
        LAMBDA + "Hooks:\n  - BeforeAllowTraffic:\n      check-one\n  - BeforeAllowTraffic: check-two\n",
        [('CWA118', (13, 5, 13, 23), 'error', 'BeforeAllowTraffic is already hooked at line 11; an event runs one hook function', ())],
    ),
    "discard-paths conflict between patterns written differently": (
        "buildspec.yml",
        "version: 0.2\nphases:\n  build:\n    commands: [make]\nartifacts:\n  files:\n    - web//app.zip\n"
        "    - api/app.zip\n  discard-paths: yes\n",
        [('CWB107', (8, 7, 8, 18), 'warning', 'with discard-paths: yes in artifacts, "api/app.zip" and "web/app.zip" both produce a file named "app.zip"', ('Set discard-paths: no (and base-directory to drop leading folders) or narrow the pattern.',))],
    ),
    "a PowerShell backslash is no escape": (
        "buildspec.yml",
        "version: 0.2\nenv:\n  shell: PowerShell.exe\nphases:\n  build:\n    commands:\n      - Write-Host \"C:\\build\\\"\n",
        [('CWB004', (3, 10, 3, 24), 'error', '"PowerShell.exe" is not a valid value for env.shell; expected one of "bash", "/bin/sh", "powershell.exe", "cmd.exe". Did you mean "powershell.exe"?', ())],
    ),
    "pwsh is no buildspec shell, but its quoting is PowerShell's": (
        "buildspec.yml",
        "version: 0.2\nenv:\n  shell: pwsh\nphases:\n  build:\n    commands:\n      - Write-Host \"C:\\build\\\"\n",
        [('CWB004', (3, 10, 3, 14), 'error', '"pwsh" is not a valid value for env.shell; expected one of "bash", "/bin/sh", "powershell.exe", "cmd.exe"', ())],
    ),
    "two triggers of one source action": (
        "pipeline.json",
        api_case(("Source", [_CONNECTION]), ("Build", [BUILD_ACTION]),
                 top=f'"pipelineType": "V2",\n"triggers": [{_TRIGGER}, {_TRIGGER}],'),
        [('CWP120', (6, 202, 6, 212), 'error', 'source action "Checkout" already has a trigger; put all its filters in one trigger', ())],
    ),
    "an approval with an output artifact": (
        "pipeline.json",
        api_case(("Source", [SOURCE_ACTION]),
                 ("Approve", [action("Approve", "Approval", "Manual", outputs=("Signed",))])),
        [('CWP108', (10, 123, 10, 140), 'error', 'action "Approve": Approval/Manual action takes no output artifacts, has 1', ('Approval/Manual accepts no input and no output artifacts.',))],
    ),
    "a Git host as a provider": (
        "pipeline.json",
        api_case(("Source", [action("Source", "Source", "GitLab", {"Repo": "app"}, outputs=("Code",))]),
                 ("Build", [BUILD_ACTION])),
        [('CWP111', (7, 93, 7, 101), 'error', 'unknown provider "GitLab" for an AWS Source action', ('AWS Source providers: S3, ECR, CodeCommit, CodeStarSourceConnection.', 'Git hosts are reached through CodeStarSourceConnection and a connection ARN.'))],
    ),
    # -- survivors of the lint-rules sample of seed 20 (bench/mutation-report.md) --
    "an ACL entry of four parts without a default": (
        "appspec.yml", "version: 0.0\nos: linux\npermissions:\n  - object: /srv/app\n    acls:\n      - x:u:deploy:rwx\n",
        [('CWA114', (6, 9, 6, 23), 'error', 'ACL entry "x:u:deploy:rwx" starts with "x" where d or default is expected', ())],
    ),
    "an ACL entry for others without a name": (
        "appspec.yml", "version: 0.0\nos: linux\npermissions:\n  - object: /srv/app\n    acls:\n      - o:r\n",
        [('CWA114', (6, 9, 6, 12), 'error', 'ACL entry "o:r" has no other name; set the owner\'s, group\'s and others\' base permissions with mode instead', ())],
    ),
    "an SELinux category listed twice": (
        "appspec.yml",
        "version: 0.0\nos: linux\npermissions:\n  - object: /srv/app\n    context:\n      type: httpd_sys_content_t\n"
        "      range: s0:c1,c1\n",
        [('CWA115', (7, 14, 7, 22), 'error', 'SELinux range "s0:c1,c1" lists a category twice', ())],
    ),
    # `resources` in lower case still makes a Lambda/ECS AppSpec (checked as one, not as an EC2 one).
    "resources in lower case": (
        "appspec.yml", "version: 0.0\nresources:\n  - fn:\n      Type: AWS::Lambda::Function\n",
        [('CWA109', (3, 5, 3, 7), 'error', 'the Lambda resource "fn" has no properties; it needs name, alias, currentversion and targetversion', ())],
    ),
    "pre_build without commands": (
        "buildspec.yml",
        "version: 0.2\nphases:\n  pre_build:\n    runtime-versions:\n      python: 3.11\n  build:\n    commands: [make]\n",
        [('CWB102', (3, 3, 3, 12), 'error', 'phases.pre_build has no "commands": CodeBuild requires a commands list in pre_build; add one or delete the phase', ()),
         ('CWB101', (4, 5, 4, 21), 'error', 'runtime-versions is only read in the install phase, not in phases.pre_build; move it into a new install phase (phases.install)', ("CodeBuild selects language runtimes before the install phase's commands run.",))],
    ),
    "a secondary artifact with no files": (
        "buildspec.yml",
        "version: 0.2\nphases:\n  build:\n    commands: [make]\nartifacts:\n  files: ['**/*']\n  secondary-artifacts:\n"
        "    web:\n      files: []\n",
        [('CWB106', (9, 7, 9, 12), 'error', 'secondary-artifacts.web.files is empty: nothing would be uploaded; list the files', ())],
    ),
    "an S3 deploy that does not extract": (
        "pipeline.json",
        api_case(("Source", [SOURCE_ACTION]),
                 ("Deploy", [action("Deploy", "Deploy", "S3", {"BucketName": "b", "Extract": "false"}, inputs=("Code",))])),
        [('CWP110', (10, 116, 10, 131), 'error', 'S3 action "Deploy" lacks the required configuration key "ObjectKey" when Extract is false', ())],
    ),
    "a reference without a namespace": (
        "pipeline.json",
        api_case(("Source", [SOURCE_ACTION]),
                 ("Build", [action("Build", "Build", "CodeBuild", {"ProjectName": "#{Foo}"}, inputs=("Code",))])),
        [('CWP113', (10, 154, 10, 162), 'error', '"#{Foo}" is not a variable reference; write #{Namespace.Variable}', ())],
    ),
    "a plaintext secret among the environment variables": (
        "pipeline.json",
        api_case(("Source", [SOURCE_ACTION]),
                 ("Build", [action("Build", "Build", "CodeBuild", {"ProjectName": "app", "EnvironmentVariables": json.dumps(
                     [{"name": "DB_PASSWORD", "value": "Zq8v2LmT9xWc4RbK", "type": "PLAINTEXT"}])}, inputs=("Code",))])),
        [('CWP112', (10, 185, 10, 274), 'error', 'environment variable "DB_PASSWORD" of action "Build" is PLAINTEXT with a secret value ("Zq8v****"); use type SECRETS_MANAGER or PARAMETER_STORE and the secret\'s name', ())],
    ),
    # Seed 21's survivors.
    "a pipeline variable misspelt": (
        "pipeline.json",
        api_case(("Source", [SOURCE_ACTION]),
                 ("Build", [action("Build", "Build", "CodeBuild", {"ProjectName": "#{variables.BRANH}"}, inputs=("Code",))]),
                 top='"pipelineType": "V2",\n"variables": [{"name": "BRANCH", "defaultValue": "main"}],'),
        [('CWP113', (12, 154, 12, 174), 'error', '"#{variables.BRANH}" refers to no pipeline variable "BRANH"; did you mean "BRANCH"?', ('Declare it under variables.',))],
    ),
    "a batch identifier used twice": (
        "buildspec.yml",
        "version: 0.2\nbatch:\n  build-list:\n    - buildspec: a.yml\n      identifier: linux\n    - buildspec: b.yml\n"
        "      identifier: linux\nphases:\n  build:\n    commands: [make]\n",
        [('CWB109', (7, 19, 7, 24), 'error', 'duplicate batch identifier "linux" (first used on line 5): every task of build-list needs its own identifier', ())],
    ),
    "a boolean setting left a placeholder": (
        "pipeline.json",
        api_case(("Source", [action("Source", "Source", "CodeCommit", {"RepositoryName": "app", "BranchName": "main",
                                    "PollForSourceChanges": "<POLL>"}, outputs=("Code",))]), ("Build", [BUILD_ACTION])),
        [('CWP122', (7, 213, 7, 221), 'info', 'PollForSourceChanges: <POLL> is left unfilled: the check of this value waits until a build or deploy step fills it in', ())],
    ),
    # Seed 41's survivors.
    "a relative permission object": (
        "appspec.yml",
        "version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /srv/app\npermissions:\n  - object: srv/app/logs\n"
        "    mode: 755\n",
        [('CWA107', (7, 13, 7, 25), 'error', 'permission object "srv/app/logs" is not an absolute path; write the full path on the instance, such as "/srv/app/logs"', ())],
    ),
    # The walk from "package" already went through "test": the cycle of the later tasks is still found.
    "a dependency cycle after a task already walked": (
        "buildspec.yml",
        "version: 0.2\nbatch:\n  build-graph:\n    - identifier: package\n      depend-on: [test]\n    - identifier: test\n"
        "      depend-on: [build]\n    - identifier: build\n    - identifier: e2e\n      depend-on: [smoke]\n"
        "    - identifier: smoke\n      depend-on: [e2e]\nphases:\n  build:\n    commands: [make]\n",
        [('CWB108', (12, 19, 12, 22), 'error', 'the build-graph has a dependency cycle: e2e -> smoke -> e2e; these tasks can never start', ('Remove one of the depend-on entries of the cycle.',))],
    ),
    # A "#" inside a word starts no comment: the quote after it is open.
    "a quote after a # inside a word": (
        "buildspec.yml", "version: 0.2\nphases:\n  build:\n    commands:\n      - echo TAG=RELEASE_X#'$CODEBUILD_BUILD_NUMBER\n",
        [('CWB116', (5, 28, 5, 29), 'error', 'unterminated single quote in this command: the shell fails with a syntax error; close the quote', ('If the whole command is quoted for YAML, use the other kind of quote inside it, or a block scalar (- |).',))],
    ),
    "a server behind the command builtin": (
        "buildspec.yml", "version: 0.2\nphases:\n  build:\n    commands:\n      - command python -m http.server 8000\n",
        [('CWB128', (5, 9, 5, 16), 'warning', '`command python -m http.server 8000` does not return: it serves HTTP until it is stopped; CodeBuild waits for it until the build times out (60 minutes by default) and the build fails', ())],
    ),
    "PHP's built-in server": (
        "buildspec.yml",
        "version: 0.2\nphases:\n  build:\n    commands:\n      - composer install\n      - php -S 0.0.0.0:8000 -t public\n",
        [('CWB128', (6, 9, 6, 12), 'warning', "`php -S 0.0.0.0:8000 -t public` does not return: PHP's built-in server runs until it is stopped; CodeBuild waits for it until the build times out (60 minutes by default) and the build fails", ())],
    ),
    # CodeBuild's environment variables are PLAINTEXT when no type is given.
    "a secret among the environment variables, no type given": (
        "pipeline.json",
        api_case(("Source", [SOURCE_ACTION]),
                 ("Build", [action("Build", "Build", "CodeBuild", {"ProjectName": "app", "EnvironmentVariables": json.dumps(
                     [{"name": "DB_PASSWORD", "value": "Zq8v2LmT9xWc4RbK"}])}, inputs=("Code",))])),
        [('CWP112', (10, 185, 10, 249), 'error', 'environment variable "DB_PASSWORD" of action "Build" is PLAINTEXT with a secret value ("Zq8v****"); use type SECRETS_MANAGER or PARAMETER_STORE and the secret\'s name', ())],
    ),
    # Booleans are compared without case ("True" is not reported: no error claimed where the service may take
    # it); a misspelt one is.
    "a boolean setting written True": (
        "pipeline.json",
        api_case(("Source", [action("Source", "Source", "CodeCommit", {"RepositoryName": "app", "BranchName": "main",
                                    "PollForSourceChanges": "True"}, outputs=("Code",))]), ("Build", [BUILD_ACTION])),
        [],
    ),
    "a boolean setting misspelt": (
        "pipeline.json",
        api_case(("Source", [action("Source", "Source", "CodeCommit", {"RepositoryName": "app", "BranchName": "main",
                                    "PollForSourceChanges": "ture"}, outputs=("Code",))]), ("Build", [BUILD_ACTION])),
        [('CWP122', (7, 213, 7, 219), 'error', '"ture" is not a valid PollForSourceChanges for action "Source"; expected one of true, false. Did you mean "true"?', ())],
    ),
    "a CloudFormation template read from the image artifact": (
        "pipeline.json",
        api_case(("Source", [action("Code", "Source", "CodeCommit", {"RepositoryName": "app", "BranchName": "main"}, outputs=("Code",)),
                             action("Image", "Source", "ECR", {"RepositoryName": "app"}, outputs=("Image",))]),
                 ("Deploy", [action("Deploy", "Deploy", "CloudFormation",
                  {"ActionMode": "CREATE_UPDATE", "StackName": "app", "TemplatePath": "Image::template.yml",
                   "RoleArn": "arn:aws:iam::123456789012:role/cfn"}, inputs=("Code", "Image"))])),
        [('CWP125', (11, 213, 11, 234), 'error', 'TemplatePath of CloudFormation action "Deploy" reads template.yml from "Image", the output of the ECR source action "Image", which holds only imageDetail.json: the file is not there, so the action fails', ())],
    ),
    "an empty file of no known name": ("notes.yml", "", [('CWF013', (1, 1, 1, 2), 'info', 'empty file: not a buildspec, AppSpec or pipeline', ())]),
    # Seed 42's survivors.
    "an AppSpec JSON file with a // comment": ("appspec.json", '// staging deployment\n{"version": 0.0, "os": "linux"}\n', []),
    "a Lambda AppSpec hooking an event of the other platforms": (
        "appspec.yml", LAMBDA + "Hooks:\n  - BeforeInstall: prepare\n",
        [('CWA101', (11, 5, 11, 18), 'error', '"BeforeInstall" is a lifecycle event of ECS and EC2/On-Premises deployments, not of Lambda; a Lambda AppSpec can hook BeforeAllowTraffic, AfterAllowTraffic', ())],
    ),
    "an SELinux context written as a string": (
        "appspec.yml", "version: 0.0\nos: linux\npermissions:\n  - object: /srv/app\n    context: httpd_sys_content_t\n",
        [('CWA003', (5, 14, 5, 33), 'error', 'permissions[0].context must be a mapping, not a string', ())],
    ),
    "a drive letter with forward slashes on Linux": (
        "appspec.yml", "version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: C:/inetpub/app\n",
        [('CWA108', (5, 18, 5, 32), 'error', 'destination "C:/inetpub/app" is a Windows path but os is linux; write it with "/" separators', ())],
    ),
    "bash syntax inside single quotes under sh": (
        "buildspec.yml",
        "version: 0.2\nenv:\n  shell: /bin/sh\nphases:\n  build:\n    commands:\n      - echo '[[ -f x ]] && echo ${A:0:2}'\n",
        [],
    ),
    "a comment line with an apostrophe": (
        "buildspec.yml", "version: 0.2\nphases:\n  build:\n    commands:\n      - |\n        # don't run the tests here\n        make build\n",
        [],
    ),
    "a stray parenthesis after escaped quotes": (
        "buildspec.yml", 'version: 0.2\nphases:\n  build:\n    commands:\n      - echo Deploying \\"app\\" (staging)\n',
        [('CWB118', (5, 32, 5, 33), 'error', 'the shell cannot parse this command: "(" after "echo" opens no subshell, so sh stops with a syntax error and the phase fails; quote the text or escape the parenthesis', ())],
    ),
    "a user added before the cd to its home": (
        "buildspec.yml", "version: 0.2\nphases:\n  build:\n    commands:\n      - useradd -m deploy\n      - cd /home/deploy\n",
        [],
    ),
    "streamlit run": (
        "buildspec.yml", "version: 0.2\nphases:\n  build:\n    commands:\n      - streamlit run app.py\n",
        [('CWB128', (5, 9, 5, 18), 'warning', '`streamlit run app.py` does not return: streamlit serves the app until it is stopped; CodeBuild waits for it until the build times out (60 minutes by default) and the build fails', ())],
    ),
    "a plaintext secret of a Commands action": (
        "pipeline.json",
        api_case(("Source", [SOURCE_ACTION]),
                 ("Build", [action("Run", "Compute", "Commands", None, inputs=("Code",), commands=["npm ci", "npm test"],
                  environmentVariables=[{"name": "API_TOKEN", "value": "Zq8v2LmT9xWc4RbK", "type": "PLAINTEXT"}])]),
                 top='"pipelineType": "V2",'),
        [('CWP112', (11, 212, 11, 230), 'error', 'environment variable "API_TOKEN" of action "Run" holds a plaintext secret ("Zq8v****"); use type SECRETS_MANAGER with the secret\'s name', ())],
    ),
    "AppConfig reading its configuration from the image artifact": (
        "pipeline.json",
        api_case(("Source", [action("Image", "Source", "ECR", {"RepositoryName": "app"}, outputs=("Image",))]),
                 ("Deploy", [action("Deploy", "Deploy", "AppConfig", {"Application": "a", "Environment": "e",
                  "ConfigurationProfile": "p", "DeploymentStrategy": "s", "InputArtifactConfigurationPath": "config.json"},
                  inputs=("Image",))])),
        [('CWP125', (10, 271, 10, 284), 'error', 'InputArtifactConfigurationPath of AppConfig action "Deploy" is config.json, but its input "Image" is the output of the ECR source action "Image", which holds only imageDetail.json', ())],
    ),
}  # fmt: skip


def _v1_with_a_stage_condition() -> str:
    data = json.loads(api_case(("Source", [SOURCE_ACTION]), ("Build", [BUILD_ACTION])))
    rule = {"name": "r", "ruleTypeId": {"category": "Rule", "owner": "AWS", "provider": "DeploymentWindow", "version": "1"},
            "configuration": {"Cron": "0 9 ? * MON-FRI *"}}  # fmt: skip
    data["pipeline"]["stages"][1]["beforeEntry"] = {"conditions": [{"result": "FAIL", "rules": [rule]}]}
    return json.dumps(data, indent=2)


CASES["a stage condition in a V1 pipeline"] = (
    "pipeline.json",
    _v1_with_a_stage_condition(),
    [('CWP115', (54, 9, 54, 22), 'error', 'stage condition beforeEntry of stage "Build" needs a V2 pipeline, but pipelineType is not set (V1)', ('Set pipelineType to V2 to use it.',))],
)  # fmt: skip


def test_a_sub_naming_an_attribute_of_no_resource(tmp_path: Path) -> None:
    from codeward.linters.rules.pipeline.CWP124_undefined_reference import _TEMPLATE

    text = _TEMPLATE.replace("${AWS::StackName}-${RepoName}", "${AWS::StackName}-${Missing.Arn}")
    assert findings(tmp_path, "pipeline.yml", text)[0] == (
        'CWP124', (11, 37, 11, 51), 'error',
        '${Missing.Arn} names no resource "Missing" of this template: CloudFormation rejects it before creating anything',
        ('Write ${!Missing.Arn} for the literal text (a shell variable of an inline buildspec).',),
    )  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(tmp_path: Path, name: str) -> None:
    filename, text, expected = CASES[name]
    assert findings(tmp_path, filename, text) == expected


def test_a_file_binary_from_its_first_line_is_skipped(tmp_path: Path) -> None:
    # macOS resource forks (._buildspec.yml) and archives: no definition at all, unlike stray bytes further down.
    path = tmp_path / "buildspec.yml"
    path.write_bytes(b"\x00\x01\x02binary\nversion: 0.2\n")
    named = lint_file(str(path))
    assert [(f.code, f.line, f.column, f.message) for f in named.findings] == [
        ("CWF013", 1, 1, "skipped: binary content, not a buildspec, AppSpec or pipeline")
    ]
    assert (named.path, named.kind, named.skipped) == (str(path), None, False)  # the result names its file (seed 50)
    found = lint_file(str(path), explicit=False)
    assert found.skipped and found.findings == []


# Commands sh parses: no CWB118 (parentheses inside quotes, substitutions, arithmetic, subshells, comments).
SHELL_VALID = [
    'echo "$(date)"',
    # A quote inside a substitution inside double quotes opens a string of its own (seed 44).
    'echo "$(echo "(")"',
    "echo \"value: $(cat file | tr '(' '[')\"",
    "( (cd a && make) && echo ok )",
    "echo hi # a comment with (paren",
    "echo $(( 1 + (2 * 3) ))",
    'case "$x" in a) echo a;; esac',
    'echo "${VAR:-(default)}"',
    "echo $(echo $(echo nested))",
    "echo 'single (quoted)' \"double (quoted)\"",
    "test -f a && (echo yes) || (echo no)",
    "echo foo\\(bar\\)",
]


@pytest.mark.parametrize("command", SHELL_VALID)
def test_commands_sh_parses(tmp_path: Path, command: str) -> None:
    text = "version: 0.2\nphases:\n  build:\n    commands:\n      - " + json.dumps(command) + "\n"
    assert [f for f in findings(tmp_path, "buildspec.yml", text) if f[0] == "CWB118"] == []


# The stray "(" after quotes, substitutions and nested brackets: the scan resumes at the right place.
STRAY = [
    ('echo "hello" (staging)', 13),
    ('echo "$(cd a && (make))" (done)', 25),
    ("echo $(cd a && (make)) (done)", 23),
    ('echo "${A:-x}" (y)', 15),
    ("diff <(sort a) x (y)", 17),
    ("echo $((1+(2*3))) (z)", 18),
    # A quoted ")" inside a substitution does not close it.
    ("echo $(echo 'a)') (x)", 18),
    ('echo $(printf "%s" a) (x)', 22),
    ('echo "${A:-"("}" (x)', 17),
]


@pytest.mark.parametrize(("command", "index"), STRAY)
def test_the_stray_parenthesis_is_found_after_nested_constructs(command: str, index: int) -> None:
    from codeward.linters.rules.buildspec.CWB118_shell_syntax_error import stray_parenthesis

    assert stray_parenthesis(command) == index
    assert all(stray_parenthesis(c) is None for c in SHELL_VALID)


def test_a_hook_script_that_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    text = "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: scripts\n"
    assert findings(tmp_path, "appspec.yml", text) == [
        ("CWA104", (5, 17, 5, 24), "error", 'hook script "scripts" is a directory, not a script', ())
    ]


def test_windows_destinations_compare_without_case(tmp_path: Path) -> None:
    # Windows paths name the same file whatever their case: the clash is shown in the lower case it was
    # compared in.
    for folder, text in (("a", "x"), ("b", "y")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "App.conf").write_text(text)
    appspec = (
        "version: 0.0\nos: windows\nfiles:\n  - source: a\n    destination: C:\\App\n  - source: b\n"
        "    destination: c:\\app\\\n"
    )
    assert findings(tmp_path, "appspec.yml", appspec) == [
        ("CWA116", (7, 18, 7, 25), "error", 'files[1] and files[0] both copy a file to "c:\\app\\app.conf"; the agent '
         "fails when two copies target the same file", ())
    ]  # fmt: skip


def test_a_condition_naming_no_parameter(tmp_path: Path) -> None:
    from codeward.linters.rules.pipeline.CWP124_undefined_reference import _TEMPLATE

    text = _TEMPLATE.replace("Resources:\n", "Conditions:\n  IsProd: !Equals [!Ref Stage, prod]\nResources:\n", 1)
    assert findings(tmp_path, "pipeline.yml", text)[0] == (
        'CWP124', (6, 20, 6, 30), 'error',
        'Ref names "Stage", which is no parameter, resource or pseudo parameter of this template: CloudFormation '
        'rejects it before creating anything', (),
    )  # fmt: skip


def test_an_npm_script_that_runs_another_that_serves(tmp_path: Path) -> None:
    # `npm start` -> `npm run serve` -> `node server.js`, which listens: two scripts deep is still followed.
    (tmp_path / "package.json").write_text('{"scripts": {"start": "npm run serve", "serve": "node server.js"}}')
    (tmp_path / "server.js").write_text(
        "const http = require('http');\nhttp.createServer((q, r) => r.end('ok')).listen(8080);\n"
    )
    text = "version: 0.2\nphases:\n  build:\n    commands:\n      - npm install\n      - npm start\n"
    assert findings(tmp_path, "buildspec.yml", text) == [
        ('CWB128', (6, 9, 6, 12), 'warning', '`npm start` does not return: its "start" script (npm run serve): its "serve" '
         'script (node server.js): server.js starts a server (listen) that does not exit; CodeBuild waits for it until the '
         'build times out (60 minutes by default) and the build fails', ())
    ]  # fmt: skip


def test_a_yaml_error_of_an_inline_buildspec_keeps_its_notes(tmp_path: Path) -> None:
    from tests.test_inline_buildspec import PROJECT

    command = "curl -H Accept: application/json -H Content-Type: text/plain https://example.com/hook"
    text = PROJECT.format(
        buildspec=f"|\n          version: 0.2\n          phases:\n            build:\n              commands:\n                - {command}\n"
    )
    assert findings(tmp_path, "project.yml", text) == [
        ('CWF001', (16, 67, 16, 68), 'error', 'Build buildspec: YAML syntax error: mapping values are not allowed in this context',
         ('A value contains ": ". Quote the whole value (a command such as `echo "a: b"` needs quotes).',))
    ]  # fmt: skip


def test_a_rule_that_raises_is_an_internal_error_naming_the_exception(tmp_path: Path, monkeypatch) -> None:
    # A bug in a rule must not hide the file: CWF900 says what went wrong, for the report a user files.
    from codeward.linters.rules.buildspec.CWB118_shell_syntax_error import ShellSyntaxError

    def broken(self, ctx, path, value):
        raise KeyError("phases")

    monkeypatch.delenv("CODEWARD_DEBUG", raising=False)
    monkeypatch.setattr(ShellSyntaxError, "check", broken)
    path = tmp_path / "buildspec.yml"
    path.write_text("version: 0.2\nphases:\n  build:\n    commands: [make]\n")
    result = lint_file(str(path))
    assert result.internal_error
    assert [(f.code, f.line, f.column, str(f.severity), f.message) for f in result.findings] == [
        ("CWF900", 1, 1, "error", "internal error while checking this file: KeyError: 'phases'")
    ]


def test_a_getatt_of_a_resource_of_the_template(tmp_path: Path) -> None:
    from codeward.linters.rules.pipeline.CWP124_undefined_reference import _TEMPLATE

    # The rule's own example with its three undefined names defined or removed: `!GetAtt Artifacts.Arn` names a
    # resource of the template.
    text = (
        _TEMPLATE.replace("!GetAtt BuildRole.Arn", "!GetAtt Artifacts.Arn")
        .replace("!Ref Size", "BUILD_GENERAL1_SMALL")
        .replace(" ${Bucket}", "")
    )
    assert findings(tmp_path, "pipeline.yml", text) == []


# A file the buildspec at the repository's root reads by a relative path lives in a folder (CWB127), reached
# through sudo, --requirement, ./ and after a global npm install (which writes nothing into the source tree).
_ROOT_MISSES = "{} is not at the source root, where the build runs this command (no command before it changes directory or writes it); the repository has {}: {} fails with \"No such file or directory\" and the phase fails"  # fmt: skip
ELSEWHERE = [
    ("      - sudo pip install -r requirements.txt\n",
     [('CWB127', (5, 29, 5, 45), 'error', _ROOT_MISSES.format("requirements.txt", "backend/requirements.txt", "pip"), ())]),
    ("      - pip install --requirement requirements.txt\n",
     [('CWB127', (5, 35, 5, 51), 'error', _ROOT_MISSES.format("requirements.txt", "backend/requirements.txt", "pip"), ())]),
    ("      - chmod +x ./deploy.sh\n",
     [('CWB127', (5, 18, 5, 29), 'error', _ROOT_MISSES.format("deploy.sh", "scripts/deploy.sh", "chmod"), ())]),
    # `npm add` is npm install's alias (CWB126 took it for an unknown command).
    ("      - npm add -g serverless\n      - pip install -r requirements.txt\n",
     [('CWB127', (6, 24, 6, 40), 'error', _ROOT_MISSES.format("requirements.txt", "backend/requirements.txt", "pip"), ())]),
]  # fmt: skip


@pytest.mark.parametrize(("commands", "expected"), ELSEWHERE)
def test_a_file_read_from_the_root_that_the_repository_keeps_in_a_folder(
    tmp_path: Path, commands: str, expected: list[tuple]
) -> None:
    for name, text in (
        ("backend/requirements.txt", "flask\n"),
        ("scripts/deploy.sh", "echo\n"),
        (".git/HEAD", "ref\n"),
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    text = "version: 0.2\nphases:\n  install:\n    commands:\n" + commands
    assert findings(tmp_path, "buildspec.yml", text) == expected


_CFN_INIT = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Build:
    Type: AWS::CodeBuild::Project
    Properties:
      Name: app
      ServiceRole: arn:aws:iam::123456789012:role/build
      Artifacts: {Type: NO_ARTIFACTS}
      Source: {Type: NO_SOURCE, BuildSpec: "version: 0.2\\nphases: {build: {commands: [make]}}"}
      Environment: {Type: LINUX_CONTAINER, ComputeType: BUILD_GENERAL1_SMALL, Image: aws/codebuild/standard:7.0}
  Agent:
    Type: AWS::EC2::Instance
    Metadata:
      AWS::CloudFormation::Init:
        config:
          files:
            /etc/cfn/cfn-hup.conf:
              content: !Sub "stack=${AWS::StackId}\\nregion=${AWS::Region}\\n"
            /etc/agent.conf:
              content: !Sub "project=${Build}\\nresource=${AgentInstance}\\n"
          commands:
            tag:
              command: !Join [" ", ["echo", !Ref Build, !Ref BuildProject]]
    Properties:
      ImageId: ami-12345678
"""


def test_a_reference_in_a_resources_metadata(tmp_path: Path) -> None:
    """cfn-init's configuration (a resource's Metadata) is resolved by CloudFormation like its properties: its
    undefined names are reported; defined ones and pseudo parameters are not."""
    found = [(code, span[:2], message) for code, span, _, message, _ in findings(tmp_path, "pipeline.yml", _CFN_INIT)]
    assert found == [
        ("CWP124", (20, 57), '${AgentInstance} names no parameter, resource or pseudo parameter "AgentInstance" of this template: CloudFormation rejects it before creating anything'),
        ("CWP124", (23, 57), 'Ref names "BuildProject", which is no parameter, resource or pseudo parameter of this template: CloudFormation rejects it before creating anything'),
    ]  # fmt: skip


_SERVES = "CodeBuild waits for it until the build times out (60 minutes by default) and the build fails"
_LISTENS = "`node server.js` does not return: server.js starts a server (listen) that does not exit; " + _SERVES
_SERVER_JS = "const http = require('http');\nhttp.createServer((q, r) => r.end('ok')).listen(8080);\n"
# Seed 43's survivors: (buildspec commands, files of the source tree, findings).
SEED_43_BUILDSPECS = {
    "flask run": ("- pip install -r requirements.txt\n- flask run --port 5000\n", {}, [
        ('CWB128', (6, 9, 6, 14), 'warning', '`flask run --port 5000` does not return: flask run serves the app until it is stopped; ' + _SERVES, ())]),
    # `npm run` alone lists the scripts and returns.
    "npm run without a script": ("- npm run\n", {"package.json": '{"scripts": {"start": "node server.js"}}'}, []),
    "pnpm start": ("- pnpm start\n", {"package.json": '{"scripts": {"start": "node server.js"}}', "server.js": _SERVER_JS}, [
        ('CWB128', (5, 9, 5, 13), 'warning', '`pnpm start` does not return: its "start" script (node server.js): server.js '
         'starts a server (listen) that does not exit; ' + _SERVES, ())]),
    # `node -v` prints the version and exits whatever follows.
    "node -v": ("- node -v server.js\n- node server.js\n", {"server.js": _SERVER_JS}, [
        ('CWB128', (6, 9, 6, 13), 'warning', _LISTENS, ())]),
    # A script that is not UTF-8 (a Latin-1 comment) is still read.
    "a server script in Latin-1": ("- node server.js\n", {"server.js": b"// caf\xe9\n" + _SERVER_JS.encode()}, [
        ('CWB128', (5, 9, 5, 13), 'warning', _LISTENS, ())]),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(SEED_43_BUILDSPECS))
def test_seed_43_buildspec(tmp_path: Path, name: str) -> None:
    commands, files, expected = SEED_43_BUILDSPECS[name]
    write_files(tmp_path, files)
    text = "version: 0.2\nphases:\n  build:\n    commands:\n" + "".join(
        f"      {line}\n" for line in commands.splitlines()
    )
    assert findings(tmp_path, "buildspec.yml", text) == expected


def test_every_hook_of_the_wrong_platform_is_reported(tmp_path: Path) -> None:
    text = LAMBDA + "Hooks:\n  - BeforeInstall: prepare\n  - ApplicationStart: go\n"
    assert findings(tmp_path, "appspec.yml", text) == [
        ('CWA101', (11, 5, 11, 18), 'error', '"BeforeInstall" is a lifecycle event of ECS and EC2/On-Premises deployments, not of Lambda; a Lambda AppSpec can hook BeforeAllowTraffic, AfterAllowTraffic', ()),
        ('CWA101', (12, 5, 12, 21), 'error', '"ApplicationStart" is a lifecycle event of EC2/On-Premises deployments, not of Lambda; a Lambda AppSpec can hook BeforeAllowTraffic, AfterAllowTraffic', ()),
    ]  # fmt: skip


def test_a_hook_location_with_arguments(tmp_path: Path) -> None:
    """The note that the script exists is given only when it does."""
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "start.sh").write_text("#!/bin/sh\n")
    text = ("version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: scripts/missing.sh --fast\n"
            "  ApplicationStart:\n    - location: scripts/start.sh --fast\n")  # fmt: skip
    missing = 'hook script "{}" of {} is not in the revision (paths are relative to the AppSpec file); the deployment would fail with ScriptMissing'  # fmt: skip
    assert findings(tmp_path, "appspec.yml", text) == [
        ('CWA104', (5, 17, 5, 42), 'error', missing.format("scripts/missing.sh --fast", "AfterInstall"), ()),
        ('CWA104', (7, 17, 7, 40), 'error', missing.format("scripts/start.sh --fast", "ApplicationStart"),
         ('"scripts/start.sh" exists: a location cannot carry arguments; read them in the script instead.',)),
    ]  # fmt: skip


def test_an_on_success_condition_of_a_v1_pipeline(tmp_path: Path) -> None:
    data = json.loads(api_case(("Source", [SOURCE_ACTION]), ("Build", [BUILD_ACTION])))
    data["pipeline"]["stages"][1]["onSuccess"] = {"conditions": [{"result": "FAIL", "rules": []}]}
    found = findings(tmp_path, "pipeline.json", json.dumps(data, indent=2))
    assert [(code, message) for code, _, _, message, _ in found] == [
        ('CWP115', 'stage condition onSuccess of stage "Build" needs a V2 pipeline, but pipelineType is not set (V1)'),
        ('CWP004', 'pipeline.stages[1].onSuccess.conditions[0].rules must not be empty'),
    ]  # fmt: skip


def test_a_getatt_in_list_form_points_at_its_resource(tmp_path: Path) -> None:
    from codeward.linters.rules.pipeline.CWP124_undefined_reference import _TEMPLATE

    text = _TEMPLATE.replace("!GetAtt BuildRole.Arn", "!GetAtt [BuildRole, Arn]")
    assert findings(tmp_path, "pipeline.yml", text)[0] == (
        'CWP124', (12, 29, 12, 38), 'error',
        'GetAtt names "BuildRole", which is no resource of this template: CloudFormation rejects it before creating anything', (),
    )  # fmt: skip


def test_a_file_sourced_from_the_root_that_the_repository_keeps_in_a_folder(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "env.sh").write_text("X=1\n")
    (tmp_path / ".git").mkdir()  # the source root is a repository's
    (tmp_path / ".git" / "HEAD").write_text("ref\n")
    text = "version: 0.2\nphases:\n  install:\n    commands:\n      - source env.sh\n      - . env.sh\n"
    assert findings(tmp_path, "buildspec.yml", text) == [
        ('CWB115', (5, 9, 5, 15), 'warning', '"source" is bash syntax, but without env.shell CodeBuild runs commands with sh, where it fails on Ubuntu images (dash); set env.shell: bash, or use ". file"',
         ('Amazon Linux images link sh to bash, so this may work there and break when the image changes.',)),
        ('CWB127', (5, 16, 5, 22), 'error', _ROOT_MISSES.format("env.sh", "scripts/env.sh", "source"), ()),
    ]  # fmt: skip


def test_a_doubled_quote_inside_a_powershell_string(tmp_path: Path) -> None:
    """PowerShell writes a quote inside a string of the same quotes doubled (`'it''s'`): not unterminated; when
    the string is left open, the quote that opened it is the one reported."""
    text = ("version: 0.2\nenv:\n  shell: powershell.exe\nphases:\n  build:\n    commands:\n"
            "      - Write-Host 'it''s done'\n      - Write-Host 'it''s open\n")  # fmt: skip
    assert findings(tmp_path, "buildspec.yml", text) == [
        ('CWB116', (8, 20, 8, 21), 'error', 'unterminated single quote in this command: the shell fails with a syntax error; close the quote',
         ('If the whole command is quoted for YAML, use the other kind of quote inside it, or a block scalar (- |).',)),
    ]  # fmt: skip


# Seed 44's survivors (bench/mutation-report.md). Buildspec commands, the files beside the buildspec (a git
# repository, so CWB131 judges it), and every finding.
_GIT = {".git/HEAD": "ref: refs/heads/main\n"}
# A script of the repository names report.txt: a command that may write files it does not name may write it.
_REPORT = {**_GIT, "tools/make_report.py": "open('report.txt', 'w')\n"}
_ARTIFACT = "artifacts:\n  files:\n    - report.txt\n"
_NO_MATCH = ('CWB131', (8, 7, 8, 17), 'error', 'artifacts.files "report.txt" matches no file: it is not in the repository and no command writes it; CodeBuild resolves artifacts from the source root (or base-directory), so the upload fails with "no matching artifact paths found"',
             ('Correct the name to the file the build makes, or add the command that writes it.',))  # fmt: skip
SEED_44_BUILDSPECS = {
    # npm's default start script is `node server.js` when package.json has none; no other script has a default.
    "npm start without a start script": ("", ["npm start"], {"package.json": '{"name": "app"}', "server.js": _SERVER_JS}, [
        ('CWB128', (5, 9, 5, 12), 'warning', '`npm start` does not return: its "start" script (node server.js): ' + _LISTENS.split(": ", 1)[1], ())]),
    "npm run of a script package.json lacks": ("", ["npm run build"], {"package.json": '{"name": "app"}', "server.js": _SERVER_JS}, []),
    "npm run-script": ("", ["npm run-script serve"], {"package.json": '{"scripts": {"serve": "node server.js"}}', "server.js": _SERVER_JS}, [
        ('CWB128', (5, 9, 5, 12), 'warning', '`npm run-script serve` does not return: its "serve" script (node server.js): ' + _LISTENS.split(": ", 1)[1], ())]),
    # CWB131: commands that may write files they do not name make the build opaque (the artifact may exist).
    "docker run may write anything": ("", ["docker run --rm -v $PWD:/w img"], _REPORT, []),
    "aws s3 sync into the source": ("", ["aws s3 sync s3://bucket/reports ."], _REPORT, []),
    "aws s3 ls writes nothing": ("", ["aws s3 ls s3://bucket"], _REPORT, [_NO_MATCH]),
    "pip download writes wheels": ("", ["pip download -d wheels requests"], _REPORT, []),
    # `time` runs the command after it: `echo` writes nothing.
    "time echo writes nothing": ("", ["time echo building"], _REPORT, [_NO_MATCH]),
    "cp to another name": ("", ["cp tools/make_report.py backup.py"], _REPORT, [_NO_MATCH]),
    # A PowerShell build (env.shell, whatever the commands look like) is not judged: its paths are Windows'.
    "a powershell build": ("env:\n  shell: powershell.exe\n", ["echo building"], _REPORT, []),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(SEED_44_BUILDSPECS))
def test_seed_44_buildspec(tmp_path: Path, name: str) -> None:
    head, commands, files, expected = SEED_44_BUILDSPECS[name]
    write_files(tmp_path, files)
    text = "version: 0.2\n" + head + "phases:\n  build:\n    commands:\n" + "".join(f"      - {c}\n" for c in commands)
    assert (
        findings(tmp_path, "buildspec.yml", text + (_ARTIFACT if "tools/make_report.py" in files else "")) == expected
    )


def test_a_folded_command_list_is_reported_at_its_first_program_line(tmp_path: Path) -> None:
    # "typescript" continues the first command's words; "npm" starts the next command, folded into the first.
    text = "version: 0.2\nphases:\n  install:\n    commands:\n      npm install -g serverless\n      typescript\n      npm test\n"
    assert findings(tmp_path, "buildspec.yml", text) == [
        ('CWB130', (7, 7, 7, 15), 'error', 'commands is one unquoted scalar over 3 lines, not a list: YAML folds these lines into one command: "npm install -g serverless typescript npm test", so "npm" on line 7 never runs as a command of its own',
         ('Write each command as a list item (`- ` in front of each line).',)),
    ]  # fmt: skip


def test_a_variable_of_an_action_that_runs_at_the_same_time(tmp_path: Path) -> None:
    build = action("Build", "Build", "CodeBuild", {"ProjectName": "app"}, inputs=("Code",), namespace="BuildVariables")
    test = action("Test", "Test", "CodeBuild", {"ProjectName": "test", "EnvironmentVariables": '[{"name": "V", "value": "#{BuildVariables.Version}"}]'},
                  inputs=("Code",))  # fmt: skip
    text = api_case(("Source", [SOURCE_ACTION]), ("Build", [build, test]))
    assert findings(tmp_path, "pipeline.json", text) == [
        ('CWP113', (11, 184, 11, 247), 'error', '"#{BuildVariables.Version}": namespace "BuildVariables" belongs to action "Build", which does not run before action "Test"',
         ('Variables are available only to actions in later stages or with a higher runOrder in the same stage.',)),
    ]  # fmt: skip


def test_a_location_two_folders_deep_is_matched_by_its_file_name(tmp_path: Path) -> None:
    """The note lists the artifact's files named like the hook script's file (not like its last two parts)."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "after_install.sh").write_text("#!/bin/bash\n")
    (tmp_path / "buildspec.yml").write_text(
        "version: 0.2\nphases:\n  build:\n    commands:\n      - echo nothing to build\nartifacts:\n  files:\n    - '**/*'\n"
    )
    text = "version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: deploy/scripts/after_install.sh\n"
    assert findings(tmp_path, "appspec.yml", text) == [
        ('CWA104', (5, 17, 5, 48), 'error', 'hook script "deploy/scripts/after_install.sh" of ApplicationStart is not in the revision (paths are relative to the AppSpec file); the deployment would fail with ScriptMissing',
         ('The revision is the artifact buildspec.yml builds; it holds after_install.sh.',)),
    ]  # fmt: skip


def test_a_files_entry_without_a_source_is_only_a_schema_error(tmp_path: Path) -> None:
    text = "version: 0.0\nos: linux\nfiles:\n  - destination: /srv/app\n  - source: /\n    destination: /srv/app\n"
    assert findings(tmp_path, "appspec.yml", text) == [
        ('CWA002', (4, 5, 5, 3), 'error', 'files[0] is missing the required key "source"', ()),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("word", "path"),
    [("./a/b/", "a/b"), ("././x.txt", "x.txt"), ("../x.txt", None), ("a/../b", None), ("/etc/x", None),
     ("$HOME/x", None), ("./", None), ("..x", "..x")],
)  # fmt: skip
def test_only_plain_relative_paths_are_followed_by_cwb124(word: str, path: str | None) -> None:
    from codeward.linters.rules.buildspec.CWB124_file_gone import _path

    assert _path(word) == path


@pytest.mark.parametrize(
    ("name", "text", "syntax"),
    [("a.json", "x: 1", "json"), ("B.YML", '{"a": 1}', "yaml"), ("c.yaml", "{}", "yaml"), ("stdin", ' {"a": 1}', "json"),
     ("stdin", "a: 1", "yaml"), ("t.template", "", "yaml")],
)  # fmt: skip
def test_the_parser_follows_the_extension_then_the_content(name: str, text: str, syntax: str) -> None:
    from codeward.linters.engine import load_document

    assert load_document(name, text).syntax == syntax


def test_an_inline_buildspec_reads_files_from_the_directory_codeward_runs_in(tmp_path: Path, monkeypatch) -> None:
    """A CodeBuild project's inline buildspec runs at the source root, which under pre-commit and in CI is the
    directory codeward runs in, not the template's folder: server.js there is the one `node server.js` starts."""
    from tests.test_inline_buildspec import PROJECT

    inline = "|\n          version: 0.2\n          phases:\n            build:\n              commands:\n                - node server.js\n"
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "template.yml").write_text(PROJECT.format(buildspec=inline))
    monkeypatch.chdir(tmp_path)
    assert lint_file("infra/template.yml").findings == []  # no server.js at the root: nothing to judge
    (tmp_path / "server.js").write_text(_SERVER_JS)
    assert [(f.code, f.line, f.message) for f in lint_file("infra/template.yml").findings] == [
        ("CWB128", 16, "Build buildspec: " + _LISTENS)
    ]


# Seed 45's survivors (a fresh sample, measured before these cases were written): (buildspec commands, the
# files beside it, every finding).
_BACKEND = {".git/HEAD": "ref: refs/heads/main\n", "backend/requirements.txt": "flask\n"}
SEED_45_BUILDSPECS = {
    # `node --print` prints the script's value and exits; `|&` pipes like `|`: the server still never exits.
    "node --print": (["node --print server.js"], {"server.js": _SERVER_JS}, []),
    "a server piped with |&": (["node server.js |& tee log.txt"], {"server.js": _SERVER_JS}, [
        ('CWB128', (5, 9, 5, 13), 'warning', _LISTENS, ())]),
    # `>>` writes the file again (appending creates it).
    "a moved file written again by >>": (["mv index.html index.old.html", "echo '<p>' >> index.html", "cp index.html /tmp/site/"], {}, []),
    "docker build writes nothing of the source": (["docker build -t app ."], _REPORT, [_NO_MATCH]),
    "python -m pip": (["python -m pip install -r requirements.txt"], _BACKEND, [
        ('CWB127', (5, 34, 5, 50), 'error', _ROOT_MISSES.format("requirements.txt", "backend/requirements.txt", "python"), ())]),
    "pip3": (["pip3 install -r requirements.txt"], _BACKEND, [
        ('CWB127', (5, 25, 5, 41), 'error', _ROOT_MISSES.format("requirements.txt", "backend/requirements.txt", "pip3"), ())]),
    "the second of two requirement files": (["pip install -r present.txt -r requirements.txt"], {**_BACKEND, "present.txt": "x\n"}, [
        ('CWB127', (5, 39, 5, 55), 'error', _ROOT_MISSES.format("requirements.txt", "backend/requirements.txt", "pip"), ())]),
    # A function definition `f()` is no stray parenthesis; the one after it is.
    "a function definition before a stray parenthesis": (['"f() { echo hi; }; f (x)"'], {}, [
        ('CWB118', (5, 30, 5, 31), 'error', 'the shell cannot parse this command: "(" after "f()" opens no subshell, so sh stops with a syntax error and the phase fails; quote the text or escape the parenthesis', ())]),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(SEED_45_BUILDSPECS))
def test_seed_45_buildspec(tmp_path: Path, name: str) -> None:
    commands, files, expected = SEED_45_BUILDSPECS[name]
    write_files(tmp_path, files)
    text = "version: 0.2\nphases:\n  build:\n    commands:\n" + "".join(f"      - {c}\n" for c in commands)
    assert (
        findings(tmp_path, "buildspec.yml", text + (_ARTIFACT if "tools/make_report.py" in files else "")) == expected
    )


def test_a_capacity_provider_listed_twice(tmp_path: Path) -> None:
    text = ("version: 0.0\nResources:\n  - svc:\n      Type: AWS::ECS::Service\n      Properties:\n"
            "        TaskDefinition: arn:aws:ecs:us-east-1:123456789012:task-definition/app:1\n        LoadBalancerInfo:\n"
            "          ContainerName: app\n          ContainerPort: 80\n        CapacityProviderStrategy:\n"
            "          - CapacityProvider: FARGATE\n            Weight: 1\n          - CapacityProvider: FARGATE\n            Weight: 2\n")  # fmt: skip
    assert findings(tmp_path, "appspec.yml", text) == [
        ('CWA112', (13, 31, 13, 38), 'error', 'capacity provider "FARGATE" is listed twice (first as entry 0)', ()),
    ]  # fmt: skip


def test_a_batch_task_without_identifier_does_not_hide_the_next(tmp_path: Path) -> None:
    text = ("version: 0.2\nbatch:\n  build-graph:\n    - buildspec: a.yml\n    - identifier: b\n      depend-on:\n"
            "        - missing\nphases:\n  build:\n    commands:\n      - make\n")  # fmt: skip
    assert findings(tmp_path, "buildspec.yml", text) == [
        ('CWB002', (4, 7, 5, 5), 'error', 'batch.build-graph[0] is missing the required key "identifier"', ()),
        ('CWB108', (7, 11, 7, 18), 'error', 'task "b" depends on "missing", which is not a task of the build-graph; known tasks: b', ()),
    ]  # fmt: skip


def test_a_variable_in_a_commands_actions_commands(tmp_path: Path) -> None:
    """A Compute/Commands action's `commands` are searched for variables too (seed 45)."""
    run = action("Run", "Compute", "Commands", None, inputs=("Code",), commands=["echo #{Missing.Var}"])
    text = api_case(("Source", [SOURCE_ACTION]), ("Run", [run]), top='"pipelineType": "V2",')
    assert findings(tmp_path, "pipeline.json", text) == [
        ('CWP113', (11, 133, 11, 154), 'error', '"#{Missing.Var}": namespace "Missing" is not declared by any action',
         ('Set namespace on the action that produces the variable; namespaces are case-sensitive.',)),
    ]  # fmt: skip


# Seed 47's survivors (bench/mutation-report.md, eighth pass): each case fails against its mutant.
_EC2 = "version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /srv/app\n"
_SAM = (
    "Transform: AWS::Serverless-2016-10-31\nParameters:\n  BucketName:\n    Type: String\nResources:\n  Site:\n"
    "    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref BucketName\n"
)
_CFN_DEPLOY = action(
    "Deploy", "Deploy", "CloudFormation",
    {"ActionMode": "CREATE_UPDATE", "StackName": "site", "TemplatePath": "Code::infra/site.yml",
     "RoleArn": "arn:aws:iam::123456789012:role/cfn", "ParameterOverrides": '{"BucketName": "site-main", "Owner": "me"}'},
    inputs=("Code",),
)  # fmt: skip
SEED_47 = {
    # CWB122: `discard-paths: no` (false) keeps the folders: still reported.
    'discard-paths: no': ('buildspec.yml', "version: 0.2\nphases:\n  build:\n    commands: [docker build .]\nartifacts:\n  discard-paths: no\n  files:\n    - 'deploy/after_install.sh'\n    - 'deploy/appspec.yml'\n",
        {'deploy/appspec.yml': _EC2, 'deploy/after_install.sh': '#!/bin/sh\n'},
        [('CWB122', (8, 7, 8, 32), 'error', "every file of this artifact is under deploy/, with the AppSpec at deploy/appspec.yml: CodeBuild keeps the folder in the artifact, and CodeDeploy reads the AppSpec at the revision's root only, so a deployment of this artifact fails; add base-directory: deploy", ("With `base-directory: deploy` the artifact holds the folder's content at its root.",))]),
    # CWB124: mv writes its destination: a file removed and moved back in place is there again.
    'mv writes its destination': ('buildspec.yml', 'version: 0.2\nphases:\n  build:\n    commands:\n      - rm -f index.html\n      - mv staging.html index.html\n      - cp index.html /tmp/site/\n',
        {'index.html': '<p>\n', 'staging.html': '<p>\n'},
        []),
    # CWB127: `python -m build` names a module, not an input file (a folder backend/build is no matter).
    'python -m with a module named like a folder': ('buildspec.yml', 'version: 0.2\nphases:\n  build:\n    commands:\n      - python -m build\n',
        {'.git/HEAD': 'ref: refs/heads/main\n', 'backend/build': 'x\n'},
        []),
    # CWB128: `python -m flask run` serves until stopped.
    'python -m flask run': ('buildspec.yml', 'version: 0.2\nphases:\n  build:\n    commands:\n      - python -m flask run --port 5000\n',
        {},
        [('CWB128', (5, 9, 5, 15), 'warning', '`python -m flask run --port 5000` does not return: it serves HTTP until it is stopped; CodeBuild waits for it until the build times out (60 minutes by default) and the build fails', ())]),
    # CWB131: `npm -v` prints the version and writes no file.
    'npm -v writes nothing': ('buildspec.yml', 'version: 0.2\nphases:\n  build:\n    commands:\n      - npm -v\nartifacts:\n  files:\n    - report.txt\n',
        {'.git/HEAD': 'ref: refs/heads/main\n', 'tools/make_report.py': "open('report.txt', 'w')\n"},
        [('CWB131', (8, 7, 8, 17), 'error', 'artifacts.files "report.txt" matches no file: it is not in the repository and no command writes it; CodeBuild resolves artifacts from the source root (or base-directory), so the upload fails with "no matching artifact paths found"', ('Correct the name to the file the build makes, or add the command that writes it.',))]),
    # CWB131: a buildspec with secondary artifacts is not judged.
    'secondary artifacts': ('buildspec.yml', 'version: 0.2\nphases:\n  build:\n    commands:\n      - echo building\nartifacts:\n  files:\n    - report.txt\n  secondary-artifacts:\n    logs:\n      files:\n        - build.log\n',
        {'.git/HEAD': 'ref: refs/heads/main\n', 'tools/make_report.py': "open('report.txt', 'w')\n"},
        []),
    # CWP131: a template with a Transform (SAM) may get parameters from the transform: not judged.
    "a SAM template's parameters": ('pipeline.json', api_case(("Source", [SOURCE_ACTION]), ("Deploy", [_CFN_DEPLOY])),
        {'.git/HEAD': 'ref: refs/heads/main\n', 'infra/site.yml': _SAM},
        []),
    # CWB129: comment lines after the command run nothing: npm test decides the phase.
    'a comment after the failing npm test': ('buildspec.yml', 'version: 0.2\nphases:\n  build:\n    commands:\n      - |\n        npm test\n        # the tests above must pass\n',
        {'package.json': '{"scripts": {"test": "echo \\"Error: no test specified\\" && exit 1"}}', '.git/HEAD': 'ref: refs/heads/main\n'},
        [('CWB129', (6, 9, 6, 17), 'error', 'npm test runs package.json\'s placeholder test script (echo "Error: no test specified" && exit 1), which exits 1: the phase fails on every build; write tests or drop the command', ())]),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(SEED_47))
def test_seed_47_case(tmp_path: Path, name: str) -> None:
    filename, text, files, expected = SEED_47[name]
    write_files(tmp_path, files)
    assert findings(tmp_path, filename, text) == expected


def test_a_mask_or_other_acl_entry_takes_no_name() -> None:
    from codeward.linters.rules.appspec.CWA114_permission_acl import acl_problem

    # (The message says "a other": the rule's wording, stated as it is.)
    assert acl_problem("o:www:r") == "gives a name to a other entry, which takes none"
    assert acl_problem("m:www:r") == "gives a name to a mask entry, which takes none"
    assert acl_problem("u:deploy:rwx") is None


# Seed 49's survivors (a fresh sample, measured before these cases were written).
SEED_49 = {
    # CWB126: the same unknown npm command twice in one line: each finding at its own occurrence.
    'npm cdk twice in one command': ('buildspec.yml', 'version: 0.2\nphases:\n  build:\n    commands:\n      - npm cdk synth && npm cdk deploy\n',
        {},
        [('CWB126', (5, 9, 5, 16), 'error', 'npm has no command "cdk": it prints its usage and exits 1, so the phase fails; run a package\'s binary with "npx cdk" or a package.json script with "npm run cdk"', ()),
         ('CWB126', (5, 26, 5, 33), 'error', 'npm has no command "cdk": it prints its usage and exits 1, so the phase fails; run a package\'s binary with "npx cdk" or a package.json script with "npm run cdk"', ())]),
    # CWB131: `docker build -o DIR` writes what the Dockerfile's last stage holds, names its words do not give.
    'docker build -o': ('buildspec.yml', 'version: 0.2\nphases:\n  build:\n    commands:\n      - docker build -o out .\nartifacts:\n  files:\n    - report.txt\n',
        {'.git/HEAD': 'ref: refs/heads/main\n', 'tools/make_report.py': "open('report.txt', 'w')\n"},
        []),
    'docker build --output': ('buildspec.yml', 'version: 0.2\nphases:\n  build:\n    commands:\n      - docker build --output out .\nartifacts:\n  files:\n    - report.txt\n',
        {'.git/HEAD': 'ref: refs/heads/main\n', 'tools/make_report.py': "open('report.txt', 'w')\n"},
        []),
    # CWB127: bash reads the script it runs; the script's own arguments are its business.
    'bash with an argument for its script': ('buildspec.yml', 'version: 0.2\nphases:\n  build:\n    commands:\n      - bash run.sh config.json\n',
        {'.git/HEAD': 'ref: refs/heads/main\n', 'run.sh': '#!/bin/sh\n', 'conf/config.json': '{}\n'},
        []),
    # CWB131: a name the repository holds twice below the buildspec's folder: which one was meant is not known.
    'a missing entry whose name the repository holds twice': ('buildspec.yml', 'version: 0.2\nphases:\n  build:\n    commands:\n      - echo hi\nartifacts:\n  files:\n    - app.py\n    - cleanup.sh\n',
        {'.git/HEAD': 'ref: refs/heads/main\n', 'app.py': 'print(1)\n', 'scripts/cleanup.sh': '#!/bin/sh\n', 'tools/cleanup.sh': '#!/bin/sh\n'},
        []),
    # CWB131: touch after cd writes the file in that folder, not at the source root.
    'touch after cd': ('buildspec.yml', 'version: 0.2\nphases:\n  build:\n    commands:\n      - cd out && touch report.txt\nartifacts:\n  files:\n    - report.txt\n',
        {'.git/HEAD': 'ref: refs/heads/main\n', 'tools/make_report.py': "open('report.txt', 'w')\n", 'out/.keep': ''},
        [('CWB131', (8, 7, 8, 17), 'error', 'artifacts.files "report.txt" matches no file: the build writes it as out/report.txt, after changing directory; CodeBuild resolves artifacts from the source root (or base-directory), so the upload fails with "no matching artifact paths found"', ('Name it "out/report.txt" in artifacts.files, or write it at the source root (> $CODEBUILD_SRC_DIR/report.txt).',))]),
    # CWB135: a program run by its path (./build-image) may build the image the push sends: not judged.
    'a program run by its path before docker push': ('buildspec.yml', 'version: 0.2\nphases:\n  build:\n    commands:\n      - ./build-image\n      - docker push app\n',
        {},
        []),
    # Seed 50. CWB128: `rails s` is `rails server`.
    'rails s': ('buildspec.yml', 'version: 0.2\nphases:\n  build:\n    commands:\n      - rails s -p 3000\n',
        {},
        [('CWB128', (5, 9, 5, 14), 'warning', '`rails s -p 3000` does not return: rails server runs until it is stopped; CodeBuild waits for it until the build times out (60 minutes by default) and the build fails', ())]),
    # CWB129: a command given package.json may rewrite it (here a node script): the test script npm runs after
    # it is not the committed one, and is not judged.
    'a node script given package.json before npm test': ('buildspec.yml', 'version: 0.2\nphases:\n  build:\n    commands:\n      - node scripts/set-test.js package.json\n      - npm test\n',
        {'.git/HEAD': 'ref: refs/heads/main\n', 'package.json': '{"scripts": {"test": "echo \\"Error: no test specified\\" && exit 1"}}'},
        []),
    # CWB127: a buildspec in a folder whose first cd goes into a folder of the repository's root: the build
    # runs from the root, where backend/requirements.txt is.
    'a cd from the root in a buildspec below it': ('svc/buildspec.yml', 'version: 0.2\nphases:\n  build:\n    commands:\n      - cd backend\n      - pip install -r requirements.txt\n',
        {'.git/HEAD': 'ref: refs/heads/main\n', 'backend/requirements.txt': 'flask\n', 'svc/.keep': ''},
        []),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(SEED_49))
def test_seed_49_case(tmp_path: Path, name: str) -> None:
    filename, text, files, expected = SEED_49[name]
    write_files(tmp_path, files)
    assert findings(tmp_path, filename, text) == expected


# Seed 52 (fresh sample, 80 / 99): its survivors, each case run against its mutant (bench/mutation-report.md).
_NOTE_CYCLE = ("Remove one of the depend-on entries of the cycle.",)
SEED_52 = {
    # CWB108: a cycle through a task's second dependency (every edge of a task is followed, not every other one).
    'a cycle through the second depend-on entry': ('buildspec.yml', 'version: 0.2\nbatch:\n  build-graph:\n    - identifier: a\n      depend-on: [b, c]\n    - identifier: b\n    - identifier: c\n      depend-on: [a]\nphases:\n  build:\n    commands: [make]\n',
        {},
        [('CWB108', (8, 19, 8, 20), 'error', 'the build-graph has a dependency cycle: a -> c -> a; these tasks can never start', _NOTE_CYCLE)]),
    # CWB108: a cycle that does not pass through the task the walk started from.
    'a cycle below the first task': ('buildspec.yml', 'version: 0.2\nbatch:\n  build-graph:\n    - identifier: a\n      depend-on: [b]\n    - identifier: b\n      depend-on: [c]\n    - identifier: c\n      depend-on: [b]\nphases:\n  build:\n    commands: [make]\n',
        {},
        [('CWB108', (9, 19, 9, 20), 'error', 'the build-graph has a dependency cycle: b -> c -> b; these tasks can never start', _NOTE_CYCLE)]),
    # CWB116: PowerShell's doubled quote escapes one quote; the quote after it closes the string (`'don'''`).
    'a PowerShell string ending in a doubled quote': ('buildspec.yml', "version: 0.2\nenv:\n  shell: powershell.exe\nphases:\n  build:\n    commands:\n      - Write-Host 'don'''\n",
        {},
        []),
    # CWB128: `python3 tasks.py run` is a script given the word run, not `python -m flask run`.
    'a Python script given the argument run': ('buildspec.yml', 'version: 0.2\nphases:\n  build:\n    commands:\n      - python3 tasks.py run\n',
        {'.git/HEAD': 'ref: refs/heads/main\n', 'tasks.py': "print('x')\n"},
        []),
    # CWB145: a Windows build (PowerShell) has no systemd to ask about; the rule is for Linux containers.
    'systemctl in a PowerShell build': ('buildspec.yml', 'version: 0.2\nenv:\n  shell: powershell.exe\nphases:\n  build:\n    commands:\n      - systemctl start docker\n',
        {},
        []),
    # CWB127: `sed --in-place=SUFFIX` edits its file in place as `-i` does: the file must be where the build runs.
    'sed --in-place=.bak of a file kept in another folder': ('buildspec.yml', "version: 0.2\nphases:\n  build:\n    commands:\n      - sed --in-place=.bak 's/a/b/' config.json\n",
        {'.git/HEAD': 'ref: refs/heads/main\n', 'conf/config.json': '{}\n'},
        [('CWB127', (5, 38, 5, 49), 'error', 'config.json is not at the source root, where the build runs this command (no command before it changes directory or writes it); the repository has conf/config.json: sed fails with "No such file or directory" and the phase fails', ())]),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(SEED_52))
def test_seed_52_case(tmp_path: Path, name: str) -> None:
    filename, text, files, expected = SEED_52[name]
    write_files(tmp_path, files)
    assert findings(tmp_path, filename, text) == expected


def test_seed_52_an_ecs_action_reads_its_own_file_name(tmp_path: Path) -> None:
    # CWP125: the standard ECS action's FileName replaces imagedefinitions.json as the file it reads.
    from codeward.linters.rules.pipeline.CWP125_artifact_lacks_file import _ECR

    ecs = action("Deploy", "Deploy", "ECS", {"ClusterName": "c", "ServiceName": "s", "FileName": "images.json"},
                 inputs=("Image",))  # fmt: skip
    assert findings(tmp_path, "pipeline.json", api_case(("Source", [_ECR]), ("Deploy", [ecs]))) == [
        ("CWP125", (10, 231, 10, 238), "error", 'input artifact "Image" of ECS action "Deploy" comes from the ECR source '
         'action "Image", which holds only imageDetail.json: the ECS action reads images.json (a list of container '
         "names and image URIs), which is not there",
         ("Write images.json in a build action from the image URI and give its output to this action, or "
          "use CodeDeployToECS (blue/green), which reads imageDetail.json.",)),
    ]  # fmt: skip


def test_a_file_that_does_not_parse_and_names_no_kind(tmp_path: Path) -> None:
    path = tmp_path / "notes.yml"
    path.write_text("a: [b\n")
    result = lint_file(str(path))
    assert (result.kind, result.skipped) == (None, False)
    assert [(f.code, f.span, str(f.severity), f.message) for f in result.findings] == [
        ("CWF013", Span(1, 1, 1, 2), "info", "skipped: the file does not parse (YAML syntax error: did not find "
         "expected ',' or ']', line 2) and nothing in it looks like a buildspec, AppSpec or pipeline"),
    ]  # fmt: skip
    # In a directory walk (not named on the command line) the same file is skipped without a word.
    quiet = lint_file(str(path), explicit=False)
    assert (quiet.skipped, quiet.findings) == (True, [])


def test_lint_text_reads_an_inline_buildspecs_files_from_its_base_dir(tmp_path: Path, monkeypatch) -> None:
    """`base_dir` is the source root for the template's inline buildspecs too, not only the directory codeward
    runs in."""
    from codeward.linters.engine import lint_text

    from tests.test_inline_buildspec import PROJECT

    inline = "|\n          version: 0.2\n          phases:\n            build:\n              commands:\n                - node server.js\n"
    base, elsewhere = tmp_path / "source", tmp_path / "elsewhere"
    base.mkdir()
    elsewhere.mkdir()
    (base / "server.js").write_text(_SERVER_JS)
    monkeypatch.chdir(elsewhere)
    text = PROJECT.format(buildspec=inline)
    found = lint_text(str(base / "infra" / "template.yml"), text, base_dir=str(base)).findings
    assert [(f.code, f.line, f.message) for f in found] == [("CWB128", 16, "Build buildspec: " + _LISTENS)]
    assert lint_text(str(base / "infra" / "template.yml"), text).findings == []  # server.js is not here


@pytest.mark.parametrize(
    ("words", "options", "arguments"),
    [
        (["docker", "buildx", "build", "-t", "app", "."], (["-t", "app", "."], 3), [(".", 5)]),
        (["docker", "image", "build", "."], (["."], 3), [(".", 3)]),
        (["docker", "build", "-f", "d/Dockerfile", "ctx"], (["-f", "d/Dockerfile", "ctx"], 2), [("ctx", 4)]),
        (["docker", "push", "app"], None, None),
        (["podman", "build", "."], None, None),
    ],
)
def test_the_words_of_a_docker_build(words: list[str], options: object, arguments: object) -> None:
    # Seed 50: `docker buildx build` and `docker image build` are docker build too.
    from codeward.linters.rules.buildspec._shared import docker_build_arguments, docker_build_options

    assert docker_build_options(words) == options
    assert docker_build_arguments(words) == arguments


def test_seed_51_a_default_acl_entry_of_four_parts_needs_no_name(tmp_path: Path) -> None:
    # d[efault]:type::perms sets a default entry's base permissions: no name needed, unlike an access entry.
    text = (
        "version: 0.0\nos: linux\npermissions:\n  - object: /srv/app\n    acls:\n      - d:u::rwx\n"
        "      - default:g::r-x\n      - u::rwx\n"
    )
    assert findings(tmp_path, "appspec.yml", text) == [
        ("CWA114", (8, 9, 8, 15), "error", 'ACL entry "u::rwx" has no user name; set the owner\'s, group\'s and '
         "others' base permissions with mode instead", ()),
    ]  # fmt: skip


def test_cwb146_option_list_splits_one_way() -> None:
    # CWB146's `aws [options] ecr get-login`: an option's value may not be a word that could start an option, so a
    # run of options splits one way only. The ambiguous form (any word as a value) matched the same texts but took
    # time exponential in the options before a command that is not get-login (34 options: 3 s), on a buildspec
    # line anyone can write. Same matches on every sequence of up to five words of a vocabulary holding each case.
    import itertools
    import re
    import signal

    from codeward.linters.rules.buildspec.CWB146_ecr_get_login_cli_v2 import _GET_LOGIN

    ambiguous = re.compile(r"\baws\s+(?:--\S+\s+(?:\S+\s+)?)*ecr\s+get-login(?![\w-])")
    vocabulary = ("aws", "--region", "--", "x", "ecr", "get-login", "get-login-password", "--a\t")
    for count in range(1, 6):
        for words in itertools.product(vocabulary, repeat=count):
            text = " ".join(words)
            expected = ambiguous.search(text)
            found = _GET_LOGIN.search(text)
            assert (found and found.span()) == (expected and expected.span()), text

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError("CWB146's option list backtracks")

    # 60 s is generous on a busy machine: the search is one pass over 8 KB (milliseconds); the ambiguous form would
    # need longer than the age of the universe for this line.
    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(60)
    try:
        assert _GET_LOGIN.search("aws " + "--a " * 2000 + "ecr get-logout") is None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_seed_51_a_secrets_manager_reference_of_five_parts(tmp_path: Path) -> None:
    text = (
        "version: 0.2\nenv:\n  secrets-manager:\n    TOKEN: prod/app:token:AWSCURRENT:abc:extra\n"
        "phases:\n  build:\n    commands:\n      - echo hi\n"
    )
    assert findings(tmp_path, "buildspec.yml", text) == [
        ("CWB110", (4, 12, 4, 47), "error", 'env.secrets-manager.TOKEN: "prod/app:token:AWSCURRENT:abc:extra" has 5 '
         '":"-separated parts; the format is secret-id:json-key:version-stage:version-id (use the full ARN for a '
         'secret with ":" in its id)', ()),
    ]  # fmt: skip


def test_seed_51_a_misspelt_codepipeline_namespace_is_suggested(tmp_path: Path) -> None:
    build = {**BUILD_ACTION, "configuration": {"ProjectName": "#{codepipline.PipelineExecutionId}"}}
    text = api_case(("Source", [SOURCE_ACTION]), ("Build", [build]))
    assert findings(tmp_path, "pipeline.json", text) == [
        ("CWP113", (10, 154, 10, 190), "error", '"#{codepipline.PipelineExecutionId}": namespace "codepipline" is not '
         'declared by any action; did you mean "codepipeline"?',
         ("Set namespace on the action that produces the variable; namespaces are case-sensitive.",)),
    ]  # fmt: skip


def test_seed_51_discard_paths_given_as_the_string_yes(tmp_path: Path) -> None:
    # CWB122: `discard-paths: "yes"` (a string, as CodeBuild also takes it) flattens the artifact as `yes` does:
    # no CWB122, and CWB107 says what flattening costs.
    from codeward.linters.rules.buildspec.CWB122_appspec_below_artifact_root import _EC2, _SPEC

    write_files(tmp_path, {"appspec.yml": _EC2})
    assert findings(tmp_path, "buildspec.yml", _SPEC + '  discard-paths: "yes"\n') == [
        ("CWB107", (10, 7, 10, 18), "warning", 'with discard-paths: yes in artifacts, "deploy/**/*" matches files in many '
         "directories; files with the same name overwrite each other",
         ("Set discard-paths: no (and base-directory to drop leading folders) or narrow the pattern.",)),
    ]  # fmt: skip
