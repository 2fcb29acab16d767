"""AWS best practices for boto3 code: client reuse, pagination, waiters, batch failures, bucket ownership,
SNS unsubscribe authentication, AMI owners, error handling, hard-coded regions and accounts."""

from __future__ import annotations

import re

from codeward.reviewer.engine import Context, children, dotted, is_const, kwarg, literal_str, method_name
from codeward.reviewer.lazy import cst
from codeward.reviewer.rule import ReviewRule
from codeward.reviewer.rules.cloudformation import ANSWERS, CRHELPER
from codeward.reviewer.rules.origins import deployment_value

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_CONSTRUCTORS = frozenset(
    {"boto3.client", "boto3.resource", "boto3.session.Session", "boto3.Session", "boto3.Session().client",
     "boto3.Session().resource", "boto3.session.Session().client", "boto3.session.Session().resource"}
)  # fmt: skip
_SERVICE_NAMES = re.compile(
    r"^(?:self\.)?_?(?:s3|ec2|sqs|sns|iam|sts|kinesis|firehose|dynamodb|ddb|lambda_|lambda|ecs|eks|rds|ssm|"
    r"secretsmanager|secrets|cloudformation|cfn|cloudwatch|logs|events|eventbridge|kms|glue|athena|"
    r"stepfunctions|sfn|route53|elbv2|autoscaling|codebuild|codepipeline|codedeploy|ecr|sagemaker)"
    r"(?:_client|_resource|client)?$|(?:^|_)client$"
)
_BOTO = ("boto3", "botocore", "client(", "boto")


def client_service(ctx: Context, node: cst.BaseExpression) -> str | None:
    """The AWS service a receiver is a boto3 client for ("" when it is one but the service is unknown)."""
    origin = ctx.origin(node)
    if origin is not None:
        if origin[0] in _CONSTRUCTORS:
            return origin[1] or ""
        return None
    text = ctx.code(node)
    if _SERVICE_NAMES.search(text) and _imports_an_sdk(ctx) and not _wrapper_attribute(ctx, node):
        head = text.removeprefix("self.").lstrip("_").split("_")[0]
        return "" if head == "client" else head.removesuffix("client")
    return None


def _wrapper_attribute(ctx: Context, node: cst.BaseExpression) -> bool:
    """`self.ddb_client` where the class sets it from a class of the project's (`ddb_client = DynamoDBUtil(...)` in
    the class body, `self.ddb_client = DynamoDBUtil(...)` in a method): a wrapper with boto3-like method names
    (`scan`, `query`) whose own code pages, retries or handles errors, whatever its name says."""
    if not (isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self"):
        return False
    owner = next((n for n in ctx.ancestors() if isinstance(n, cst.ClassDef)), None)
    if owner is None:
        return False
    key = ("wrapper-attributes", id(owner))
    found = ctx.shared.get(key)  # type: ignore[call-overload]
    if found is None:
        found = ctx.shared[key] = frozenset(_wrapper_names(owner))  # type: ignore[index]
    return node.attr.value in found  # type: ignore[operator]


def _wrapper_names(owner: cst.ClassDef):
    for item in _subtree(owner.body):
        if not isinstance(item, cst.Assign) or not isinstance(item.value, cst.Call):
            continue
        path = dotted(item.value.func) or ""
        name = path.rpartition(".")[2]
        if not name[:1].isupper() or name in ("Session", "Config") or "boto" in path:
            continue
        for target in item.targets:
            if isinstance(target.target, cst.Name):
                yield target.target.value
            elif (
                isinstance(target.target, cst.Attribute)
                and isinstance(target.target.value, cst.Name)
                and target.target.value.value == "self"
            ):
                yield target.target.attr.value


# The AWS SDKs a module can make clients with. Type stubs (`mypy_boto3_*`) are not among them: a module that
# imports only those and calls `iot_client.list_policies()` is calling the project's own wrapper class.
_SDKS = frozenset({"boto3", "botocore", "aioboto3", "aiobotocore", "boto"})


def _imports_an_sdk(ctx: Context) -> bool:
    """Whether the module imports an AWS SDK: only then does a receiver named like a client (`s3_client`,
    `self.ddb`) count as one without a visible `boto3.client(...)`."""
    found = ctx.shared.get("imports-aws-sdk")
    if found is None:
        found = ctx.shared["imports-aws-sdk"] = not ctx.imported_modules().isdisjoint(_SDKS)
    return bool(found)


def client_call(ctx: Context, node: cst.Call) -> tuple[str, str] | None:
    """(service, operation) for a call on a boto3 client."""
    func = node.func
    if not isinstance(func, cst.Attribute) or ctx.is_module(func.value):
        return None
    service = client_service(ctx, func.value)
    return None if service is None else (service, func.attr.value)


def _function_text(ctx: Context) -> str:
    node = ctx.function or ctx.module
    key = ("text", id(node))
    cached = ctx.shared.get(key)  # type: ignore[call-overload]
    if cached is None:
        cached = ctx.shared[key] = ctx.module.code_for_node(node)  # type: ignore[index]
    return cached  # type: ignore[return-value]


def _custom_resource_handler(ctx: Context) -> bool:
    """The handler is a CloudFormation custom resource's: it reads `RequestType` and `ResourceProperties`, or
    answers CloudFormation itself (even one that never reads RequestType, doing the same on every request), or
    is registered with the module's crhelper (`@helper.create`), which answers for it."""
    text = _function_text(ctx)
    if ("RequestType" in text and "ResourceProperties" in text) or ANSWERS.search(text):
        return True
    function = ctx.function
    return isinstance(function, cst.FunctionDef) and bool(function.decorators) and bool(CRHELPER.search(ctx.text))


def _uses_locals(ctx: Context, call: cst.Call) -> bool:
    """An argument of the call depends on the function's parameters or locals (this invocation's values)."""
    local = set(ctx.scope.params) | set(ctx.scope.assigned)
    stack: list[cst.CSTNode] = [arg.value for arg in call.args]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name) and node.value in local:
            return True
        if isinstance(node, cst.Attribute):
            stack.append(node.value)  # `event.region`, not the attribute's own name
            continue
        stack.extend(children(node))
    return False


class ClientInHandler(ReviewRule):
    """
    ## What it does
    Finds boto3 clients, resources and sessions created inside a Lambda handler. Clients built from this
    invocation's values (assumed-role credentials, a region or endpoint taken from the event) are not
    reported: they cannot move to module level. A client created only in a branch of the handler (an `if`,
    an `except`) is reported at `info`: only the invocations taking that branch pay for it, and module level
    would make every cold start pay. So is a client in a CloudFormation custom-resource handler (it reads
    `RequestType` and `ResourceProperties`, or answers through `cfnresponse`, the `ResponseURL` or a
    `send_response(...)`/`send(event, context, ...)` of its own, or is registered with crhelper's
    `@helper.create`), which runs only on stack changes.

    ## Why is this bad?
    The handler runs on every invocation: creating a client each time repeats credential resolution,
    endpoint setup and TLS handshakes (tens of milliseconds and more memory), while code at module level
    runs once per execution environment and is reused by warm invocations.

    ## Example
    ```python
    def handler(event, context):
        s3 = boto3.client("s3")
    ```

    ## Fix
    Create the client at module level (`s3 = boto3.client("s3")` next to the imports) and use it in the
    handler.
    """

    code = "CWR401"
    name = "boto3-client-in-lambda-handler"
    category = "aws-best-practices"
    cwe = 1050
    severity = Severity.WARNING
    needles = ("boto3",)

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        if not ctx.scope.handler:
            return
        name = ctx.call_name(node)
        if name not in _CONSTRUCTORS:
            return
        per_call = ctx.shared.setdefault(("per-call sessions", id(ctx.scope)), set())  # type: ignore[call-overload]
        receiver = node.func.value if isinstance(node.func, cst.Attribute) else None
        if _uses_locals(ctx, node) or (isinstance(receiver, cst.Name) and receiver.value in per_call):
            # Built from this invocation's values (assumed-role credentials, a region from the event), or from a
            # session that is: it cannot move to module level.
            parent = ctx.parents[-1] if ctx.parents else None
            if isinstance(parent, cst.Assign) and len(parent.targets) == 1:
                target = parent.targets[0].target
                if isinstance(target, cst.Name):
                    per_call.add(target.value)
            return
        if _custom_resource_handler(ctx):
            # CloudFormation invokes a custom resource's handler a few times per stack (create, update, delete):
            # the cost of a client per invocation does not matter there.
            ctx.report(
                node,
                f"{name}() runs on every invocation of this custom-resource handler; it is called only on stack "
                "changes, so module level is a matter of style here",
                severity=Severity.INFO,
            )
            return
        if ctx.inside(cst.If, cst.ExceptHandler) is not None and ctx.inside(cst.For, cst.While) is None:
            # Only the invocations that take this branch pay, and moving it to module level makes every cold start
            # pay instead: a trade-off worth a note, not a comment.
            ctx.report(
                node,
                f"{name}() runs on every invocation that takes this branch; create it once at module level",
                severity=Severity.INFO,
            )
            return
        ctx.report(node, f"{name}() runs on every invocation; create it once at module level")

    VALID = (
        Valid("import boto3\ns3 = boto3.client('s3')\n\ndef handler(event, context):\n    return s3.list_buckets()\n"),
        Valid("import boto3\n\ndef make_client(region):\n    return boto3.client('s3', region_name=region)\n"),
        Valid(
            "import boto3\n\ndef handler(event, context):\n    creds = assume(event)\n"
            "    session = boto3.Session(aws_access_key_id=creds['AccessKeyId'],\n"
            "                            aws_secret_access_key=creds['SecretAccessKey'])\n"
            "    return session.client('s3').list_buckets()\n"
        ),
    )
    INVALID = (
        # A custom-resource handler: reported at info only.
        Invalid(
            "import boto3\nimport cfnresponse\n\ndef handler(event, context):\n"
            "    if event['RequestType'] == 'Delete':\n        return cfnresponse.send(event, context, 'SUCCESS', {})\n"
            "    boto3.client('s3').put_object(Bucket=event['ResourceProperties']['B'], Key='k', Body=b'')\n",
            7,
            5,
            message="custom-resource handler",
        ),
        Invalid(
            "import boto3\n\ndef handler(event, context):\n    table = boto3.resource('dynamodb').Table('t')\n"
            "    return table.get_item(Key={'id': event['id']})\n",
            4,
            13,
        ),
        # A custom resource that does the same on every request type, answering through cfnresponse: at info.
        Invalid(
            "import boto3\nimport cfnresponse\n\ndef handler(event, context):\n"
            "    client = boto3.client('cognito-idp')\n    client.set_ui_customization(UserPoolId='p', CSS='')\n"
            "    cfnresponse.send(event, context, cfnresponse.SUCCESS, {})\n",
            5,
            14,
            message="custom-resource handler",
        ),
        # A crhelper custom resource: `@helper.create` functions never name CloudFormation, the helper answers it.
        Invalid(
            "import boto3\nfrom crhelper import CfnResource\n\nhelper = CfnResource()\n\n\n@helper.create\n"
            "def create(event, context):\n    client = boto3.client('ssm')\n"
            "    client.put_parameter(Name='n', Value='v', Overwrite=True)\n\n\n"
            "def handler(event, context):\n    helper(event, context)\n",
            9,
            14,
            message="custom-resource handler",
        ),
        # A handler that answers through the project's own `send(event, context, ...)`, the call split over lines.
        Invalid(
            "import boto3\nfrom .cfn import send\n\n\ndef handler(event, context):\n"
            "    client = boto3.client('ec2')\n    client.describe_vpcs()\n"
            "    send(\n        event,\n        context,\n        'SUCCESS',\n        {},\n    )\n",
            6,
            14,
            message="custom-resource handler",
        ),
        # In a branch: at info.
        Invalid(
            "import boto3\n\ndef handler(event, context):\n    if event.get('next'):\n"
            "        return boto3.client('lambda').invoke(FunctionName='next')\n",
            5,
            16,
            message="that takes this branch",
        ),
    )


_PAGINATED = frozenset(
    [
        "list_objects",
        "list_objects_v2",
        "list_object_versions",
        "describe_instances",
        "describe_snapshots",
        "describe_volumes",
        "list_users",
        "list_roles",
        "list_policies",
        "list_functions",
        "list_stacks",
        "describe_stacks",
        "list_stack_resources",
        "scan",
        "query",
        "list_tables",
        "list_queues",
        "list_topics",
        "list_subscriptions",
        "list_secrets",
        "get_parameters_by_path",
        "describe_log_groups",
        "describe_log_streams",
        "filter_log_events",
        "list_keys",
        "list_aliases",
        "describe_db_instances",
        "list_clusters",
        "list_services",
        "list_tasks",
        "describe_auto_scaling_groups",
        "list_buckets_v2",
        "list_images",
        "list_executions",
        "list_state_machines",
        "list_projects",
        "list_builds",
        # Not `describe_security_groups`: EC2 returns every group when `MaxResults` is not given (its API
        # reference and botocore's model say so), so a call without it reads them all.
        "describe_subnets",
        "list_hosted_zones",
        "list_resource_record_sets",
        "list_streams",
        "list_shards",
        "list_multipart_uploads",
    ]
)
# Kendra's Query pages by number (`PageNumber`): a caller that passes one asks for the page it wants.
_PAGE_TOKENS = ("NextToken", "ContinuationToken", "Marker", "LastEvaluatedKey", "ExclusiveStartKey",
                "IsTruncated", "NextMarker", "StartingToken", "nextToken", "get_paginator", "paginate",
                "PageNumber")  # fmt: skip


# Keywords that name the resources asked for: one page holds them.
_NAMED = ("Name", "Names", "Id", "Ids", "Identifier", "Identifiers", "Arn", "Arns")
_FIRST_OR_ANY = re.compile(r"\[0\]|\blen\(|\bnext\(")


def _prefix_lookup(ctx: Context, node: cst.Call) -> bool:
    """`describe_log_groups(logGroupNamePrefix=name)` read for its first match (`[0]`), for whether there is one
    (`len(...)`), or searched for the item whose name equals the prefix (`g["logGroupName"] == name`): results
    come sorted by name, so the name itself, when it exists, is on the first page."""
    prefix = next((a for a in node.args if a.keyword is not None and a.keyword.value.endswith("Prefix")), None)
    if prefix is None or literal_str(prefix.value) == "":
        return False
    text = _function_text(ctx)
    if _FIRST_OR_ANY.search(text):
        return True
    name = ctx.code(prefix.value)
    if not re.fullmatch(r"[A-Za-z_][\w.]*", name):
        return False
    escaped = re.escape(name)
    return bool(re.search(rf"[=!]=\s*{escaped}(?![\w.(\[])|(?<![\w.]){escaped}\s*[=!]=", text))


_EXISTENCE = re.compile(r"\blen\([^()\n]*\)\s*(?:==|!=|>=?|<=?)\s*[01]\b|^\s*if\s+not\s+[\w\[\]'\".]+\s*:", re.M)
_LOOP = re.compile(r"\bfor\s+[\w, ()]+\s+in\b")


def _iterated(ctx: Context, node: cst.Call) -> bool:
    """The call is what a `for` loop or comprehension iterates over."""
    parent = next(iter(ctx.ancestors()), None)
    return isinstance(parent, cst.For | cst.CompFor) and parent.iter is node


class MissingPagination(ReviewRule):
    """
    ## What it does
    Finds list/describe calls of paginated AWS APIs (`list_objects_v2`, `describe_instances`, `scan`,
    `list_functions`, ...) whose function never looks at a continuation token or uses a paginator. EC2's
    `describe_*` calls are reported only when they set `MaxResults`: without it EC2 returns every result. Look-ups of
    named items are not reported: `describe_*` given names, ids or ARNs (`AutoScalingGroupNames=[name]`), and a
    name given as the prefix when the code takes the first match (`[0]`), asks whether there is one (`len`) or
    looks for the item whose name equals it (`g["logGroupName"] == name`): results come sorted by name.

    ## Why is this bad?
    These APIs return one page (often 50 to 1,000 items, or 1 MB); code that reads only the first page
    silently misses the rest once the account grows.

    ## Example
    ```python
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=b)["Contents"]]
    ```

    ## Fix
    `for page in s3.get_paginator("list_objects_v2").paginate(Bucket=b): ...`, or loop on the token
    (`NextToken`, `ContinuationToken`, `LastEvaluatedKey`).
    """

    code = "CWR402"
    name = "aws-missing-pagination"
    category = "aws-best-practices"
    cwe = 1050
    severity = Severity.WARNING
    needles = _BOTO

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        found = client_call(ctx, node)
        if found is None or found[1] not in _PAGINATED:
            return
        if found[1].startswith("describe_") and any(
            arg.keyword is not None and arg.keyword.value.endswith(_NAMED) for arg in node.args
        ):
            return  # describing named resources (`AutoScalingGroupNames=[name]`): one page holds them
        if _prefix_lookup(ctx, node):
            return  # a name as the prefix, then the first match or whether there is one: the first page has it
        if found[0] == "ec2" and kwarg(node, "MaxResults") is None:
            # EC2's pagination is optional: without MaxResults a Describe call returns every result (its API
            # reference: "If this parameter is not used, then DescribeVolumes returns all results"). Judged on
            # real code: 3 false, 2 not worth a comment, none true.
            return
        for key in ("MaxKeys", "MaxResults", "MaxItems", "Limit", "MaxRecords"):
            arg = kwarg(node, key)
            if arg is not None and (literal_str(arg.value) or getattr(arg.value, "value", "")) == "1":
                return  # asks for one item on purpose (Route 53 takes `MaxItems="1"` as a string)
            if arg is not None and isinstance(arg.value, cst.Name) and arg.value.value in ctx.scope.params:
                return  # the caller says how many it wants (`find_users(prefix, limit=10)`): one page, on purpose
        text = _function_text(ctx)
        if any(token in text for token in _PAGE_TOKENS):
            return
        if _iterated(ctx, node):
            return  # `for page in x.scan(...)`: boto3 answers a dict; what yields pages is a wrapper that pages
        if found[1] not in ("scan", "query") and _EXISTENCE.search(text) and not _LOOP.search(text):
            # Whether any item exists (`len(r["executions"]) == 0`, `if not running:`), nothing iterated: the
            # first page answers it. Not for DynamoDB, whose filters apply after a page is read, so an empty
            # first page can come with a LastEvaluatedKey.
            return
        ctx.report(node, f"{found[1]}() returns one page only and nothing here asks for the next")

    VALID = (
        # The caller asks for one page by number (a search API that pages its results for a UI).
        Valid(
            "import boto3\nkendra = boto3.client('kendra')\n\ndef search(index, body):\n"
            "    return kendra.query(IndexId=index, QueryText=body['q'], PageNumber=body['page'], PageSize=10)\n"
        ),
        Valid(
            "import boto3\ns3 = boto3.client('s3')\n\ndef keys(bucket):\n"
            "    for page in s3.get_paginator('list_objects_v2').paginate(Bucket=bucket):\n"
            "        yield from (o['Key'] for o in page.get('Contents', []))\n"
        ),
        Valid(
            "import boto3\nddb = boto3.client('dynamodb')\n\ndef all_items(t):\n    kwargs = {'TableName': t}\n"
            "    while True:\n        r = ddb.scan(**kwargs)\n        yield from r['Items']\n"
            "        if 'LastEvaluatedKey' not in r:\n            return\n"
            "        kwargs['ExclusiveStartKey'] = r['LastEvaluatedKey']\n"
        ),
        Valid(
            "import boto3\nasg = boto3.client('autoscaling')\n\ndef group(name):\n"
            "    return asg.describe_auto_scaling_groups(AutoScalingGroupNames=[name])['AutoScalingGroups'][0]\n"
        ),
        Valid(
            "import boto3\nlogs = boto3.client('logs')\n\ndef exists(name):\n"
            "    found = logs.describe_log_groups(logGroupNamePrefix=name)\n    return len(found['logGroups']) > 0\n"
        ),
        Valid(
            "import boto3\nlogs = boto3.client('logs')\n\ndef exists(name):\n"
            "    found = logs.describe_log_groups(logGroupNamePrefix=name)\n"
            "    return any(g['logGroupName'] == name for g in found['logGroups'])\n"
        ),
        # The caller chooses how many: one bounded page is what it asks for.
        Valid(
            "import boto3\nidp = boto3.client('cognito-idp')\n\ndef find(prefix, limit=10):\n"
            "    users = idp.list_users(UserPoolId='p', Filter=prefix, Limit=limit)['Users']\n"
            "    return [u['Username'] for u in users]\n"
        ),
        # The project's own wrapper (its `scan` pages through a boto3 paginator), named like a client.
        Valid(
            "import boto3\nfrom utils.aws import DynamoDBUtil\n\nclass Meta:\n    ddb_client = DynamoDBUtil(table='t')\n\n"
            "    def names(self):\n        return [i['name'] for i in self.ddb_client.scan(select='ALL')['Items']]\n"
        ),
        # One record on purpose: Route 53's MaxItems is a string.
        Valid(
            "import boto3\nr53 = boto3.client('route53')\n\ndef soa(zone_id, name):\n"
            "    r = r53.list_resource_record_sets(HostedZoneId=zone_id, StartRecordName=name,\n"
            "                                      StartRecordType='SOA', MaxItems='1')\n"
            "    return r['ResourceRecordSets'][0]\n"
        ),
        # Whether one is running: the first page says.
        Valid(
            "import boto3\nsfn = boto3.client('stepfunctions')\n\ndef busy(arn):\n"
            "    running = sfn.list_executions(stateMachineArn=arn, statusFilter='RUNNING')\n"
            "    return len(running['executions']) > 0\n"
        ),
        # Iterated as pages: boto3 answers a dict, so this is a wrapper that yields them.
        Valid(
            "import boto3\n\ndef items(ddb_client):\n    for page in ddb_client.query(key_condition='k'):\n"
            "        yield from page['Items']\n"
        ),
        # EC2 without MaxResults answers every instance in one response (aws-config-rules' AMI_OWNERID_CHECK).
        Valid(
            "import boto3\nec2 = boto3.client('ec2')\n\ndef owners():\n"
            "    r = ec2.describe_instances(Filters=[{'Name': 'instance-state-name', 'Values': ['running']}])\n"
            "    return [i['ImageId'] for res in r['Reservations'] for i in res['Instances']]\n"
        ),
    )
    INVALID = (
        # With MaxResults, EC2 answers one page of that size and a NextToken.
        Invalid(
            "import boto3\nec2 = boto3.client('ec2')\n\ndef volumes():\n"
            "    return ec2.describe_volumes(MaxResults=500)['Volumes']\n",
            5,
            12,
        ),
        Invalid(
            "import boto3\nlogs = boto3.client('logs')\n\ndef groups():\n"
            "    return [g['logGroupName'] for g in logs.describe_log_groups()['logGroups']]\n",
            5,
            40,
        ),
        Invalid(
            "import boto3\ns3 = boto3.client('s3')\n\ndef keys(bucket):\n"
            "    return [o['Key'] for o in s3.list_objects_v2(Bucket=bucket)['Contents']]\n",
            5,
            31,
        ),
        # Every item is read: the first page is not all of them.
        Invalid(
            "import boto3\nsfn = boto3.client('stepfunctions')\n\ndef stop_all(arn):\n"
            "    running = sfn.list_executions(stateMachineArn=arn, statusFilter='RUNNING')['executions']\n"
            "    if not running:\n        return 0\n"
            "    for e in running:\n        sfn.stop_execution(executionArn=e['executionArn'])\n",
            5,
            15,
        ),
        # DynamoDB filters apply to a page already read: an empty first page says nothing.
        Invalid(
            "import boto3\nddb = boto3.client('dynamodb')\n\ndef taken(name):\n"
            "    r = ddb.scan(TableName='t', FilterExpression='n = :n', ExpressionAttributeValues={':n': {'S': name}})\n"
            "    return len(r['Items']) > 0\n",
            5,
            9,
        ),
        # Set from boto3 in the class: a client, whatever the attribute is called.
        Invalid(
            "import boto3\n\nclass Meta:\n    def __init__(self):\n        self.ddb_client = boto3.client('dynamodb')\n\n"
            "    def names(self):\n        return [i['name'] for i in self.ddb_client.scan(TableName='t')['Items']]\n",
            8,
            36,
        ),
        Invalid(
            "import boto3\nlogs = boto3.client('logs')\n\ndef matching(prefix, owner):\n"
            "    found = logs.describe_log_groups(logGroupNamePrefix=prefix)\n"
            "    return [g for g in found['logGroups'] if g.get('owner') == owner]\n",
            5,
            13,
        ),
    )


# Operations that a boto3 waiter polls, with the services that have such a waiter (botocore 1.44's
# waiters-2.json files). Step Functions' describe_execution, S3's get_bucket_versioning and ECS's
# describe_clusters have none: a hand-written loop is the only way there.
_WAITABLE: dict[str, frozenset[str]] = {
    "describe_instances": frozenset({"ec2"}),
    "describe_instance_status": frozenset({"ec2"}),
    "describe_db_instances": frozenset({"docdb", "neptune", "rds"}),
    "describe_db_clusters": frozenset({"rds"}),
    "head_object": frozenset({"s3"}),
    "head_bucket": frozenset({"s3"}),
    "describe_stacks": frozenset({"cloudformation"}),
    "describe_table": frozenset({"dynamodb"}),
    "get_function": frozenset({"lambda"}),
    "get_function_configuration": frozenset({"lambda"}),
    "describe_clusters": frozenset({"redshift"}),
    "describe_services": frozenset({"ecs"}),
    "describe_tasks": frozenset({"ecs"}),
    "describe_images": frozenset({"ec2"}),
    "describe_snapshots": frozenset({"ec2"}),
    "describe_volumes": frozenset({"ec2"}),
    "describe_nat_gateways": frozenset({"ec2"}),
    "describe_load_balancers": frozenset({"elbv2"}),
    "describe_cache_clusters": frozenset({"elasticache"}),
    "describe_conversion_tasks": frozenset({"ec2"}),
    "describe_spot_instance_requests": frozenset({"ec2"}),
}
# Service names that are boto3's own (a client's service known from `boto3.client("ecs")`), as opposed to a
# guess from a variable's name (`ddb_client`), which proves nothing about the service.
_BOTO3_SERVICES = frozenset(
    {"ec2", "rds", "docdb", "neptune", "s3", "cloudformation", "dynamodb", "lambda", "redshift", "ecs", "elbv2",
     "elb", "elasticache", "stepfunctions", "eks", "emr", "glue", "sagemaker", "athena", "batch", "codebuild",
     "codepipeline", "sqs", "sns", "kinesis", "iam", "sts", "ssm", "secretsmanager", "logs", "cloudwatch"}
)  # fmt: skip


def _has_waiter(service: str, operation: str) -> bool:
    services = _WAITABLE.get(operation)
    if not services:
        return False
    return service in services or service not in _BOTO3_SERVICES


def _subtree(node: cst.CSTNode):
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(children(current))


class PollingInsteadOfWaiter(ReviewRule):
    """
    ## What it does
    Finds loops that poll a describe/get/head call and sleep, for resources that boto3 has a waiter for
    (`instance_running`, `stack_create_complete`, `object_exists`, `db_instance_available`, ...).

    ## Why is this bad?
    Hand-written polling usually has no overall timeout, ignores throttling and error states, and is
    repeated in every project; waiters encode the states, delays and limits AWS recommends.

    ## Example
    ```python
    while ec2.describe_instances(InstanceIds=[i])["Reservations"][0]["Instances"][0]["State"]["Name"] != "running":
        time.sleep(5)
    ```

    ## Fix
    `ec2.get_waiter("instance_running").wait(InstanceIds=[i])` (`client.waiter_names` lists them), with
    `WaiterConfig={"Delay": 5, "MaxAttempts": 60}` to tune it.
    """

    code = "CWR403"
    name = "aws-polling-instead-of-waiter"
    category = "aws-best-practices"
    cwe = 1050
    severity = Severity.INFO
    needles = ("sleep",)

    def visit_While(self, ctx: Context, node: cst.While) -> None:
        sleeps = False
        polled: cst.Call | None = None
        for inner in _subtree(node):
            if isinstance(inner, cst.Call):
                name = ctx.call_name(inner)
                if name in ("time.sleep", "asyncio.sleep"):
                    sleeps = True
                elif polled is None:
                    found = client_call(ctx, inner)
                    if found is not None and _has_waiter(found[0], found[1]):
                        polled = inner
        if sleeps and polled is not None:
            operation = method_name(polled)
            ctx.report(polled, f"polling {operation}() in a sleep loop; boto3 has a waiter for this")

    VALID = (
        Valid(
            "import boto3\nec2 = boto3.client('ec2')\nec2.get_waiter('instance_running').wait(InstanceIds=['i-1'])\n"
        ),
        Valid("import time\n\ndef wait_for(queue):\n    while not queue.empty():\n        time.sleep(1)\n"),
        # Step Functions has no waiter: polling describe_execution is the only way.
        Valid(
            "import time, boto3\nsfn = boto3.client('stepfunctions')\n\ndef wait(arn):\n    status = 'RUNNING'\n"
            "    while status == 'RUNNING':\n        status = sfn.describe_execution(executionArn=arn)['status']\n"
            "        time.sleep(1)\n"
        ),
        # ECS has waiters for services and tasks, not for clusters.
        Valid(
            "import time, boto3\necs = boto3.client('ecs')\n\ndef wait(name):\n"
            "    while ecs.describe_clusters(clusters=[name])['clusters'][0]['status'] != 'ACTIVE':\n"
            "        time.sleep(1)\n"
        ),
    )
    INVALID = (
        Invalid(
            "import time, boto3\ncfn = boto3.client('cloudformation')\n\ndef wait(name):\n    while True:\n"
            "        status = cfn.describe_stacks(StackName=name)['Stacks'][0]['StackStatus']\n"
            "        if status.endswith('COMPLETE'):\n            return status\n        time.sleep(10)\n",
            6,
            18,
        ),
    )


_BATCH = {
    "put_records": "FailedRecordCount",
    "put_record_batch": "FailedPutCount",
    "send_message_batch": "Failed",
    "delete_message_batch": "Failed",
    "change_message_visibility_batch": "Failed",
    "batch_write_item": "UnprocessedItems",
    "batch_get_item": "UnprocessedKeys",
    "put_events": "FailedEntryCount",
    "publish_batch": "Failed",
    "batch_execute_statement": "Error",
}


class BatchFailuresUnchecked(ReviewRule):
    """
    ## What it does
    Finds batch APIs whose partial failures are not checked: Kinesis `put_records` (`FailedRecordCount`),
    Firehose `put_record_batch`, SQS `send_message_batch`/`delete_message_batch` (`Failed`), DynamoDB
    `batch_write_item` (`UnprocessedItems`), EventBridge `put_events` (`FailedEntryCount`), SNS
    `publish_batch`.

    ## Why is this bad?
    These calls succeed (HTTP 200) when some entries fail, for throttling for instance; unless the
    response is inspected, those records are lost without an error.

    ## Example
    ```python
    kinesis.put_records(StreamName=s, Records=records)
    ```

    ## Fix
    Read the failure field of the response and retry the failed entries with backoff (or raise).
    """

    code = "CWR404"
    name = "aws-batch-failures-unchecked"
    category = "aws-best-practices"
    cwe = 252
    severity = Severity.WARNING
    needles = tuple(_BATCH)

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        found = client_call(ctx, node)
        if found is None or found[1] not in _BATCH:
            return
        key = _BATCH[found[1]]
        parent = ctx.parents[-1] if ctx.parents else None
        discarded = isinstance(parent, cst.Expr)
        if not discarded:
            text = _function_text(ctx)
            if key in text or "Unprocessed" in text or "Failed" in text:
                return
            if isinstance(parent, cst.Return):
                return  # the caller gets the response
        ctx.report(node, f"{found[1]}() can fail for some entries only; check {key} in the response")

    VALID = (
        Valid(
            "import boto3\nkinesis = boto3.client('kinesis')\n\ndef send(s, records):\n"
            "    r = kinesis.put_records(StreamName=s, Records=records)\n    if r['FailedRecordCount']:\n"
            "        raise RuntimeError('retry')\n"
        ),
    )
    INVALID = (
        Invalid(
            "import boto3\nkinesis = boto3.client('kinesis')\n\ndef send(s, records):\n"
            "    kinesis.put_records(StreamName=s, Records=records)\n",
            5,
            5,
        ),
        Invalid(
            "import boto3\nsqs = boto3.client('sqs')\n\ndef send(q, entries):\n"
            "    resp = sqs.send_message_batch(QueueUrl=q, Entries=entries)\n    print(resp['ResponseMetadata'])\n",
            5,
            12,
        ),
    )


_OWNED_OPERATIONS = frozenset(
    [
        "get_object",
        "put_object",
        "delete_object",
        "head_object",
        "copy_object",
        "get_object_acl",
        "put_object_acl",
        "get_object_tagging",
        "put_object_tagging",
        "delete_objects",
        "list_objects_v2",
        # Not the bucket-policy calls: S3 answers them only to the owner's own account (405 Method Not Allowed
        # otherwise, says the S3 API reference for Get/Put/DeleteBucketPolicy), so the owner is already checked.
    ]
)


class S3ExpectedBucketOwner(ReviewRule):
    """
    ## What it does
    Finds S3 object calls (`get_object`, `put_object`, `delete_object`, ...) on an S3 client without
    `ExpectedBucketOwner`, on a bucket whose name is written in the code or read from elsewhere (a resource
    tag, an API answer, a request). Not on the deployment's own bucket: a name from an environment variable,
    a custom resource's `ResourceProperties`, a Glue job argument, an S3 notification, the caller of a
    library function (followed through assignments, `self` attributes and the module's own calls), the SageMaker
    session's `default_bucket()` (created in the caller's account, its owner checked by the SDK), or the
    `OutputLocation`/`FailureLocation` an AWS service reports it wrote a result to (the caller's own endpoint
    or query configuration chose it). The
    template that created such a bucket owns it; on real code those findings were judged wrong or not worth a
    comment.

    ## Why is this bad?
    Bucket names are global: if a bucket is deleted and someone else re-creates the name, or a name is
    mistyped, your code reads from or writes to another account's bucket. `ExpectedBucketOwner` makes S3
    refuse the call instead.

    ## Example
    ```python
    s3.put_object(Bucket="reports", Key=key, Body=body)
    ```

    ## Fix
    `s3.put_object(Bucket="reports", Key=key, Body=body, ExpectedBucketOwner=ACCOUNT_ID)`.
    """

    code = "CWR405"
    name = "s3-missing-expected-bucket-owner"
    category = "aws-best-practices"
    cwe = 284
    severity = Severity.INFO
    needles = ("Bucket=",)

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        found = client_call(ctx, node)
        if found is None or found[0] != "s3" or found[1] not in _OWNED_OPERATIONS:
            return
        if kwarg(node, "Bucket") is None or kwarg(node, "ExpectedBucketOwner") is not None:
            return
        if any(arg.star == "**" for arg in node.args):
            return
        if deployment_value(ctx, kwarg(node, "Bucket").value):  # type: ignore[union-attr]
            return
        ctx.report(node, f"{found[1]}() without ExpectedBucketOwner trusts whoever owns the bucket name")

    VALID = (
        Valid(
            "import boto3\ns3 = boto3.client('s3')\ns3.put_object(Bucket='r', Key='k', Body=b'', "
            "ExpectedBucketOwner='111122223333')\n"
        ),
        Valid("import boto3\ns3 = boto3.client('s3')\npolicy = s3.get_bucket_policy(Bucket='r')['Policy']\n"),
        # The deployment's own bucket: its name comes from the environment the template sets...
        Valid(
            "import os\nimport boto3\ns3 = boto3.client('s3')\nBUCKET = os.environ['DATA_BUCKET']\n\n\n"
            "def save(key, body):\n    s3.put_object(Bucket=BUCKET, Key=key, Body=body)\n"
        ),
        Valid(
            "import os\nimport boto3\ns3 = boto3.client('s3')\n\n\ndef save(key, body):\n"
            "    s3.put_object(Bucket=f\"{os.getenv('STAGE')}-reports\", Key=key, Body=body)\n"
        ),
        # ... from the custom resource's properties, through a helper every call of which passes them ...
        Valid(
            "import boto3\ns3 = boto3.client('s3')\n\n\ndef handler(event, context):\n"
            "    props = event['ResourceProperties']\n    empty(props['BucketName'])\n\n\n"
            "def empty(bucket):\n    for item in s3.list_objects_v2(Bucket=bucket).get('Contents', []):\n"
            "        s3.delete_object(Bucket=bucket, Key=item['Key'])\n"
        ),
        # ... from an S3 notification, which only a bucket set up to invoke the function sends ...
        Valid(
            "import boto3\ns3 = boto3.client('s3')\n\n\ndef handler(event, context):\n"
            "    for record in event['Records']:\n        bucket = record['s3']['bucket']['name']\n"
            "        s3.get_object(Bucket=bucket, Key=record['s3']['object']['key'])\n"
        ),
        # ... or from the caller of a library function, who names a bucket of their own.
        Valid(
            "import boto3\n\n\nclass Uploader:\n    def __init__(self, bucket):\n        self.bucket = bucket\n"
            "        self.s3 = boto3.client('s3')\n\n    def upload(self, key, body):\n"
            "        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body)\n"
        ),
        # ... or the SageMaker session's default bucket, and where the caller's async endpoint wrote its answer.
        Valid(
            "import boto3\n\n\nclass Async:\n    def __init__(self, session):\n        self.session = session\n"
            "        self.s3 = boto3.client('s3')\n\n    def upload(self, body):\n"
            "        self.s3.put_object(Bucket=self.session.default_bucket(), Key='in', Body=body)\n\n"
            "    def predict(self, runtime, name):\n        response = runtime.invoke_endpoint_async(EndpointName=name)\n"
            "        return self._fetch(response['OutputLocation'])\n\n    def _fetch(self, path):\n"
            "        bucket, key = parse_s3_url(path)\n        return self.s3.get_object(Bucket=bucket, Key=key)\n"
        ),
    )
    INVALID = (
        Invalid("import boto3\ns3 = boto3.client('s3')\ns3.put_object(Bucket='r', Key='k', Body=b'')\n", 3, 1),
        # Another session's default bucket is still that session's: a method of another name proves nothing.
        Invalid(
            "import boto3\ns3 = boto3.client('s3')\n\n\ndef handler(event, context):\n"
            "    return s3.get_object(Bucket=event['session'].bucket(), Key='k')\n",
            6,
            12,
        ),
        # A name read from a resource tag is not the deployment's: another account may own it.
        Invalid(
            "import boto3\ns3 = boto3.client('s3')\n\n\ndef copy(bucket, key):\n"
            "    return s3.get_object(Bucket=bucket, Key=key)['Body'].read()\n\n\n"
            "def main():\n    copy(get_tag('NOTEBOOK_BUCKET'), 'setup.sh')\n",
            6,
            12,
        ),
        # The request names the bucket: the caller picks whose bucket the function reads.
        Invalid(
            "import boto3\ns3 = boto3.client('s3')\n\n\ndef handler(event, context):\n"
            "    return s3.get_object(Bucket=event['bucket'], Key=event['key'])['Body'].read()\n",
            6,
            12,
        ),
        # A fixed name written in the code, even next to one from the environment.
        Invalid(
            "import os\nimport boto3\ns3 = boto3.client('s3')\n\n\ndef fetch(key):\n"
            "    bucket = os.environ.get('BUCKET') or 'public-models'\n"
            "    bucket = 'shared-artifacts'\n"
            "    return s3.get_object(Bucket=bucket, Key=key)\n",
            9,
            12,
        ),
    )


class SnsUnauthenticatedUnsubscribe(ReviewRule):
    """
    ## What it does
    Finds SNS `confirm_subscription` calls without `AuthenticateOnUnsubscribe="true"`.

    ## Why is this bad?
    Without it, anyone who sees the unsubscribe link of a message (it is in every notification) can
    unsubscribe the endpoint without signing the request.

    ## Example
    ```python
    sns.confirm_subscription(TopicArn=arn, Token=token)
    ```

    ## Fix
    `sns.confirm_subscription(TopicArn=arn, Token=token, AuthenticateOnUnsubscribe="true")`.
    """

    code = "CWR406"
    name = "sns-unauthenticated-unsubscribe"
    category = "aws-best-practices"
    cwe = 306
    security_severity = 5.3
    severity = Severity.WARNING
    needles = ("confirm_subscription",)

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        if method_name(node) != "confirm_subscription":
            return
        arg = kwarg(node, "AuthenticateOnUnsubscribe")
        if arg is not None and ((literal_str(arg.value) or "").lower() == "true" or is_const(arg.value, True)):
            return
        ctx.report(node, "confirm_subscription() without AuthenticateOnUnsubscribe lets anyone unsubscribe")

    VALID = (
        Valid(
            "import boto3\nsns = boto3.client('sns')\n"
            "sns.confirm_subscription(TopicArn='a', Token='t', AuthenticateOnUnsubscribe='true')\n"
        ),
    )
    INVALID = (
        Invalid("import boto3\nsns = boto3.client('sns')\nsns.confirm_subscription(TopicArn='a', Token='t')\n", 3, 1),
    )


class AmiWithoutOwner(ReviewRule):
    """
    ## What it does
    Finds EC2 `describe_images` look-ups by name or filter without `Owners=` and without an `owner-id` or
    `owner-alias` filter. When the filters are built where the file cannot see them (a parameter, a
    configuration object), the finding is `info` and only reported when the rule is asked for by name: they may
    name the owner (judged on real code 0 true, 1 false: taskcat's configuration sets the owner).

    ## Why is this bad?
    Anyone can publish a public AMI with the name you filter on; without an owner the newest match may be
    theirs, and your instances boot it ("AMI sniping").

    ## Example
    ```python
    ec2.describe_images(Filters=[{"Name": "name", "Values": ["ubuntu/images/*"]}])
    ```

    ## Fix
    Pin the publisher: `Owners=["099720109477"]` (Canonical), `Owners=["amazon"]`, `Owners=["self"]`, or
    resolve the AMI from an SSM public parameter.
    """

    code = "CWR407"
    name = "ami-lookup-without-owner"
    category = "aws-best-practices"
    cwe = 349
    security_severity = 6.5
    severity = Severity.WARNING
    needles = ("describe_images",)

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        argument = kwarg(node, "Filters")
        if method_name(node) != "describe_images" or argument is None:
            return
        filters = argument.value
        if kwarg(node, "Owners") or kwarg(node, "ImageIds") or any(a.star == "**" for a in node.args):
            return
        names = _filter_names(ctx, filters)
        if names is None:
            # Filters built elsewhere (a configuration file, a parameter) may hold an owner-id or owner-alias
            # filter this file cannot see (taskcat's AMI configuration does): weak evidence.
            ctx.report(
                node,
                f"if `{ctx.code(filters, 40)}` sets no owner-id or owner-alias filter, describe_images() without "
                "Owners= matches AMIs anyone can publish",
                severity=Severity.INFO,
                opt_in=True,  # judged on real code: 0 true, 1 false (taskcat's configuration sets the owner)
            )
        elif not names & _OWNER_FILTERS:
            shown = ", ".join(sorted(names)) or "nothing"
            ctx.report(node, f"describe_images() filters by {shown} without Owners=: anyone can publish a matching AMI")

    VALID = (
        Valid(
            "import boto3\nec2 = boto3.client('ec2')\nec2.describe_images(Owners=['amazon'], "
            "Filters=[{'Name': 'name', 'Values': ['al2023-ami-*']}])\n"
        ),
        # The owner is a filter of its own, in the list or appended to it.
        Valid(
            "def find(ec2):\n    filters = [{'Name': 'name', 'Values': ['al2023-ami-*']}]\n"
            "    filters.append({'Name': 'owner-alias', 'Values': ['amazon']})\n"
            "    return ec2.describe_images(Filters=filters)\n"
        ),
    )
    INVALID = (
        Invalid(
            "import boto3\nec2 = boto3.client('ec2')\n"
            "imgs = ec2.describe_images(Filters=[{'Name': 'name', 'Values': ['al2023-ami-*']}])\n",
            3,
            8,
            message="filters by name without Owners=",
        ),
        Invalid(
            "def find(ec2, arch):\n    filters = [{'Name': 'name', 'Values': ['ubuntu-*']}]\n"
            "    filters.append({'Name': 'architecture', 'Values': [arch]})\n"
            "    return ec2.describe_images(Filters=filters)\n",
            4,
            12,
            message="filters by architecture, name without Owners=",
        ),
        # Filters from elsewhere: reported at info, conditionally, when the rule is asked for by name.
        Invalid(
            "def find(ec2, config):\n    return ec2.describe_images(Filters=config.filters)['Images']\n",
            2,
            12,
            message="if `config.filters` sets no owner-id or owner-alias filter",
        ),
    )


_OWNER_FILTERS = frozenset({"owner-id", "owner-alias"})


def _filter_names(ctx: Context, value: cst.BaseExpression) -> set[str] | None:
    """The `Name`s of a describe_images filter list, when the file shows them all: a list display, or a local
    name assigned one and grown with `append`/`extend` of displays in the same function. None otherwise."""
    if isinstance(value, cst.List):
        return _names_of(value.elements)
    if not isinstance(value, cst.Name) or ctx.function is None:
        return None
    target = value.value
    if any(p.name.value == target for p in ctx.function.params.params):
        return None
    names: set[str] = set()
    seen = False
    stack: list[cst.CSTNode] = [ctx.function.body]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Assign | cst.AnnAssign | cst.AugAssign):
            targets = node.targets if isinstance(node, cst.Assign) else (node,)
            if any(dotted(t.target) == target for t in targets):
                if not isinstance(node.value, cst.List):
                    return None
                found = _names_of(node.value.elements)
                if found is None:
                    return None
                names |= found
                seen = True
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and dotted(node.func.value) == target:
            grown = node.args[0].value if len(node.args) == 1 else None
            if method_name(node) == "append" and isinstance(grown, cst.Dict):
                found = _names_of((cst.Element(grown),))
            elif method_name(node) == "extend" and isinstance(grown, cst.List):
                found = _names_of(grown.elements)
            else:
                found = None
            if found is None:
                return None
            names |= found
        stack.extend(children(node))
    return names if seen else None


def _names_of(elements) -> set[str] | None:
    names = set()
    for element in elements:
        item = element.value if isinstance(element, cst.Element) else None
        if not isinstance(item, cst.Dict):
            return None
        name = next(
            (e.value for e in item.elements if isinstance(e, cst.DictElement) and literal_str(e.key) == "Name"), None
        )
        text = literal_str(name)
        if text is None:
            return None
        names.add(text)
    return names


_FAILING = frozenset(
    [
        "get_object",
        "head_object",
        "get_secret_value",
        "get_parameter",
        "get_parameters",
        "assume_role",
        "get_queue_url",
        "describe_stacks",
        "get_item",
        "delete_object",
        "create_bucket",
        "get_role",
        "get_user",
        "invoke",
        "get_function",
    ]
)
_CATCHES = re.compile(r"ClientError|BotoCoreError|botocore|Exception|\.exceptions\.|NoSuchKey|NotFound|Error\b")


class UnhandledClientError(ReviewRule):
    """
    ## What it does
    Finds boto3 calls that commonly fail in normal operation (`get_object`, `head_object`,
    `get_secret_value`, `get_parameter`, `assume_role`, ...) outside any `try` that handles
    `botocore.exceptions.ClientError`.

    ## Why is this bad?
    A missing key, a missing parameter, throttling or a denied role end the request with an unhandled
    exception instead of a decision (a 404, a default, a retry).

    ## Example
    ```python
    obj = s3.get_object(Bucket=b, Key=k)
    ```

    ## Fix
    Wrap it: `except ClientError as e:` and branch on `e.response["Error"]["Code"]` (or catch
    `client.exceptions.NoSuchKey`).
    """

    code = "CWR408"
    name = "aws-unhandled-client-error"
    category = "aws-best-practices"
    cwe = 755
    severity = Severity.INFO
    needles = _BOTO

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        found = client_call(ctx, node)
        if found is None or found[1] not in _FAILING or ctx.function is None:
            return
        for ancestor in ctx.ancestors():
            if isinstance(ancestor, cst.Try):
                for handler in ancestor.handlers:
                    if handler.type is None or _CATCHES.search(ctx.code(handler.type, 500)):
                        return
            if isinstance(ancestor, cst.FunctionDef):
                break
        ctx.report(node, f"{found[1]}() raises ClientError for common conditions and nothing here handles it")

    VALID = (
        Valid(
            "import boto3\nfrom botocore.exceptions import ClientError\ns3 = boto3.client('s3')\n\ndef read(b, k):\n"
            "    try:\n        return s3.get_object(Bucket=b, Key=k)['Body'].read()\n"
            "    except ClientError as e:\n        if e.response['Error']['Code'] == 'NoSuchKey':\n"
            "            return None\n        raise\n"
        ),
    )
    INVALID = (
        Invalid(
            "import boto3\nssm = boto3.client('ssm')\n\ndef param(n):\n"
            "    return ssm.get_parameter(Name=n, WithDecryption=True)['Parameter']['Value']\n",
            5,
            12,
        ),
    )


_REGION = re.compile(r"^(?:us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov)-[a-z]+-\d$")


# Services whose API (or the part of it code usually needs) is served from one region whatever the caller's:
# global services and their control planes, CloudFront's ACM certificates and WAF scope, Cost Explorer.
_HOME_REGIONS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ("iam", "organizations", "route53", "route53domains", "cloudfront", "shield", "waf", "fms", "budgets",
         "ce", "cur", "health", "support", "trustedadvisor", "account", "savingsplans", "marketplace-catalog",
         "acm", "wafv2", "route53-recovery-control-config", "billingconductor",
         "networkmanager"),
        ("us-east-1",),
    ),
    "globalaccelerator": ("us-west-2",),
    "pricing": ("us-east-1", "ap-south-1", "eu-central-1"),
}  # fmt: skip


class HardcodedRegion(ReviewRule):
    """
    ## What it does
    Finds AWS regions written into boto3 clients, resources, sessions and `Config` (`region_name="us-east-1"`).
    A region the API requires is not reported: global services served from one region (IAM, Organizations,
    Route 53, CloudFront, Shield, Firewall Manager, Budgets, Cost Explorer, Health, Support, ...), and ACM or
    WAF in `us-east-1`, where CloudFront's certificates and web ACLs live.

    ## Why is this bad?
    The code cannot be deployed to another region or partition without an edit, and cross-region calls add
    latency, data-transfer cost and a dependency on another region's health.

    ## Example
    ```python
    sqs = boto3.client("sqs", region_name="us-east-1")
    ```

    ## Fix
    Leave the region out (Lambda and the SDK set `AWS_REGION` / `AWS_DEFAULT_REGION`) or read it from
    configuration.
    """

    code = "CWR409"
    name = "aws-hardcoded-region"
    category = "aws-best-practices"
    cwe = 547
    severity = Severity.INFO
    needles = ("region_name",)

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        arg = kwarg(node, "region_name")
        if arg is None:
            return
        region = literal_str(arg.value)
        name = ctx.call_name(node)
        if region and _REGION.match(region) and (name in _CONSTRUCTORS or name.startswith(("boto3", "botocore"))):
            service = literal_str(node.args[0].value) if node.args and node.args[0].keyword is None else None
            if service is None:
                service = literal_str(kwarg(node, "service_name").value) if kwarg(node, "service_name") else None
            if service is not None and region in _HOME_REGIONS.get(service, ()):
                return  # the API answers there only (a global service, or CloudFront's certificates)
            ctx.report(arg, f"region {region!r} is hard-coded")

    VALID = (
        Valid("import boto3, os\nsqs = boto3.client('sqs', region_name=os.environ['AWS_REGION'])\n"),
        Valid("import boto3\nfms = boto3.client('fms', region_name='us-east-1')\n"),
        Valid("import boto3\nacm = boto3.client('acm', region_name='us-east-1')  # CloudFront certificates\n"),
    )
    INVALID = (Invalid("import boto3\nsqs = boto3.client('sqs', region_name='us-east-1')\n", 2, 27),)


def _in_region_table(ctx: Context) -> bool:
    """The string is a value of a dict literal keyed by two or more Region names (`{"us-east-1": "arn:...",
    "eu-west-1": ...}`): a per-Region table of accounts, which AWS publishes for its own services (Elastic Load
    Balancing's log delivery, Redshift's audit logging) and which code has to hard-code."""
    for node in ctx.ancestors():
        if isinstance(node, cst.Dict):
            regions = sum(
                1
                for element in node.elements
                if isinstance(element, cst.DictElement) and _REGION.match(literal_str(element.key) or "")
            )
            return regions >= 2
        if isinstance(node, cst.BaseSmallStatement | cst.BaseCompoundStatement):
            return False
    return False


_ARN_ACCOUNT = re.compile(r"\barn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):")


def _placeholder_account(account: str) -> bool:
    """Account ids AWS's documentation and emulators use as stand-ins: one digit repeated (`000000000000`), a
    run of consecutive digits (`123456789012`, `012345678901`), also after leading zeros (`000123456789`), or
    four-digit blocks of one digit each (`111122223333`, `444455556666`), or one short block repeated
    (`123412341234`, `121212121212`)."""
    run = account.lstrip("0")
    if len(set(account)) == 1 or run in "0123456789012345678901" or account in "9876543210987654321098":
        return True
    if any(account == account[:size] * (12 // size) for size in (2, 3, 4, 6)):
        return True
    blocks = [account[i : i + 4] for i in range(0, 12, 4)]
    return all(len(set(block)) == 1 for block in blocks)


class HardcodedAccountId(ReviewRule):
    """
    ## What it does
    Finds AWS account ids written into ARNs in the code (not in docstrings, nor the stand-ins documentation
    uses: one digit repeated, a run such as `123456789012`, a short block repeated such as `123412341234`).

    ## Why is this bad?
    The code only works in one account: staging and production diverge, and copying it to another account
    silently targets the original one's resources (if that account's policies allow it).

    ## Example
    ```python
    TOPIC = "arn:aws:sns:eu-west-1:123456789012:alerts"
    ```

    ## Fix
    Build ARNs from the running account (`boto3.client("sts").get_caller_identity()["Account"]`,
    `context.invoked_function_arn`) or pass them in through environment variables.
    """

    code = "CWR410"
    name = "aws-hardcoded-account-id"
    category = "aws-best-practices"
    cwe = 547
    severity = Severity.INFO
    needles = ("arn:aws",)

    def visit_SimpleString(self, ctx: Context, node: cst.SimpleString) -> None:
        if "arn:aws" not in node.value:
            return
        if ctx.parents and isinstance(ctx.parents[-1], cst.Expr):
            return  # a docstring or other bare string statement: documentation, no code uses it
        value = literal_str(node) or ""
        match = _ARN_ACCOUNT.search(value)
        if match and not _placeholder_account(match.group(1)):
            if _in_region_table(ctx):
                return  # one account per Region: AWS's own (ELB log delivery, Redshift audit), not this code's
            ctx.report(node, f"account id {match.group(1)} is hard-coded in an ARN")

    VALID = (
        Valid("import os\nTOPIC = os.environ['ALERTS_TOPIC_ARN']\nDOC = 'arn:aws:sns:eu-west-1:123456789012:alerts'\n"),
        # Stand-in accounts of AWS's documentation and of local emulators.
        Valid("A = 'arn:aws:lambda:us-east-1:012345678901:function:f'\nB = 'arn:aws:iam::111122223333:role/r'\n"),
        Valid("EXAMPLE = '--role-arn arn:aws:iam::000123456789:role/ADMIN'\n"),
        Valid("ROLE = 'arn:aws:iam::123412341234:role/deployer'\n"),
        Valid('def find(arn):\n    """Looks up arn:aws:elasticbeanstalk:us-east-1:406812345678:platform/P"""\n'),
        # Elastic Load Balancing's log-delivery accounts, one per Region, as AWS publishes them.
        Valid(
            "ELB_LOG_DELIVERY = {\n    'us-east-1': 'arn:aws:iam::127311923021:root',\n"
            "    'eu-west-1': 'arn:aws:iam::156460612806:root',\n}\n"
        ),
    )
    INVALID = (
        Invalid("TOPIC = 'arn:aws:sns:eu-west-1:406812345678:alerts'\n", 1, 9),
        # One Region's entry is a setting of this deployment, not a published per-Region table.
        Invalid("TOPICS = {'prod': 'arn:aws:sns:eu-west-1:406812345678:alerts', 'us-east-1': 'x'}\n", 1, 19),
    )
