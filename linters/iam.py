"""What an IAM role declared in a CloudFormation template is allowed to do, when the template says all of it.

A role's permissions are known only when every policy that can reach it is written in the template: its inline
`Policies`, and `AWS::IAM::Policy`/`ManagedPolicy`/`RolePolicy` resources that name it. A managed policy ARN,
a permissions statement built by an intrinsic function, an `Allow` with `NotAction`, or a policy resource whose
role list cannot be read makes the answer unknown (None): rules stay silent then.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from codeward.linters.document import Path
from codeward.linters.pipeline_form import is_intrinsic

_POLICY_TYPES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy")


@dataclass(frozen=True)
class Grant:
    """One action pattern of an Allow statement (`s3:*`, `codebuild:StartBuild`) and where it is written."""

    pattern: str
    path: Path


def role_id(value: Any) -> str | None:
    """The logical id of `!GetAtt Role.Arn` (both spellings), or None."""
    if not is_intrinsic(value) or "Fn::GetAtt" not in value:
        return None
    body = value["Fn::GetAtt"]
    if isinstance(body, str) and body.endswith(".Arn"):
        return body[: -len(".Arn")]
    if isinstance(body, list) and len(body) == 2 and body[1] == "Arn" and isinstance(body[0], str):
        return body[0]
    return None


def _names_role(value: Any, role: str) -> bool | None:
    """Whether a policy resource's `Roles`/`RoleName` names the role (None: cannot tell)."""
    items = value if isinstance(value, list) else [value]
    unknown = False
    for item in items:
        if is_intrinsic(item) and item.get("Ref") == role:
            return True
        if not isinstance(item, str):
            unknown = True
    return None if unknown else False


def _statements(document: Any, path: Path) -> list[Grant] | None:
    if not isinstance(document, dict) or is_intrinsic(document):
        return None
    statements = document.get("Statement")
    path = (*path, "Statement")
    if isinstance(statements, dict):
        statements, indexed = [statements], False
    elif isinstance(statements, list):
        indexed = True
    else:
        return None
    grants: list[Grant] = []
    for index, statement in enumerate(statements):
        at = (*path, index) if indexed else path
        if not isinstance(statement, dict) or is_intrinsic(statement):
            return None
        effect = statement.get("Effect")
        if not isinstance(effect, str):
            return None
        if effect != "Allow":
            continue  # a Deny only takes away
        if "NotAction" in statement:
            return None  # allows all but a list: this rule does not try to read it
        actions = statement.get("Action")
        if isinstance(actions, str):
            grants.append(Grant(actions, (*at, "Action")))
        elif isinstance(actions, list):
            for position, action in enumerate(actions):
                if not isinstance(action, str):
                    return None
                grants.append(Grant(action, (*at, "Action", position)))
        else:
            return None
    return grants


def role_grants(template: dict[str, Any], role: str) -> list[Grant] | None:
    """Every Allow action pattern that reaches the role `role` of the template, or None when not all of its
    permissions are written there (managed policy ARNs, intrinsic functions, unreadable role lists)."""
    resources = template.get("Resources")
    if not isinstance(resources, dict):
        return None
    resource = resources.get(role)
    if not isinstance(resource, dict) or resource.get("Type") != "AWS::IAM::Role":
        return None
    properties = resource.get("Properties")
    if not isinstance(properties, dict) or "AssumeRolePolicyDocument" not in properties:
        return None  # a stub, not a role declared whole
    if properties.get("ManagedPolicyArns") not in (None, []):
        return None
    grants: list[Grant] = []
    policies = properties.get("Policies", [])
    if not isinstance(policies, list):
        return None
    for index, policy in enumerate(policies):
        if not isinstance(policy, dict) or is_intrinsic(policy):
            return None
        found = _statements(
            policy.get("PolicyDocument"), ("Resources", role, "Properties", "Policies", index, "PolicyDocument")
        )
        if found is None:
            return None
        grants += found
    for logical_id, other in resources.items():
        if not isinstance(other, dict) or other.get("Type") not in _POLICY_TYPES:
            continue
        body = other.get("Properties")
        if not isinstance(body, dict):
            return None
        target = body.get("Roles", body.get("RoleName"))
        if target is None:
            continue
        names = _names_role(target, role)
        if names is None:
            return None
        if names:
            found = _statements(body.get("PolicyDocument"), ("Resources", logical_id, "Properties", "PolicyDocument"))
            if found is None:
                return None
            grants += found
    return grants


def allows(grants: list[Grant], action: str) -> bool:
    """Whether one of the patterns matches the action (IAM: case-insensitive, `*` and `?` wildcards)."""
    wanted = action.lower()
    return any(fnmatch.fnmatchcase(wanted, grant.pattern.lower()) for grant in grants)


@dataclass(frozen=True)
class ActionRole:
    """An action of a template's pipeline, the role it runs with (its own RoleArn, else the pipeline's) and what
    that role may do (None when not all of it is written in the template)."""

    provider: str
    action: dict[str, Any]
    action_path: Path
    # Where the role is named: the action's RoleArn, else the pipeline's.
    named: Path
    role: str
    grants: list[Grant] | None


def action_roles(template: dict[str, Any], providers: Collection[str]) -> Iterator[ActionRole]:
    """Every AWS-owned action of one of `providers` in the template's pipelines whose role is a role of the
    template (`!GetAtt Role.Arn`; a Terraform module's `aws_iam_role.NAME.arn` reads the same)."""
    from codeward.linters.pipeline_form import CFN_TYPE, _items

    resources = template.get("Resources")
    for logical_id, resource in resources.items() if isinstance(resources, dict) else ():
        if not isinstance(resource, dict) or resource.get("Type") != CFN_TYPE:
            continue
        properties = resource.get("Properties")
        if not isinstance(properties, dict):
            continue
        base = ("Resources", logical_id, "Properties")
        for stage, stage_path, _ in _items(properties.get("Stages"), (*base, "Stages")):
            for action, action_path, _ in _items(stage.get("Actions"), (*stage_path, "Actions")):
                type_id = action.get("ActionTypeId")
                if not isinstance(type_id, dict) or type_id.get("Owner") != "AWS":
                    continue
                provider = type_id.get("Provider")
                if not isinstance(provider, str) or provider not in providers:
                    continue  # a list or mapping where the name belongs: other rules report the shape
                own = action.get("RoleArn")
                role = role_id(own if own is not None else properties.get("RoleArn"))
                if role is None:
                    continue
                named = (*action_path, "RoleArn") if own is not None else (*base, "RoleArn")
                yield ActionRole(provider, action, action_path, named, role, role_grants(template, role))
