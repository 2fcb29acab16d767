"""How a module shows that its Lambda handler is a CloudFormation custom resource, for the rules that treat one
apart (a client per invocation costs nothing on stack changes; its event carries a pre-signed `ResponseURL`)."""

from __future__ import annotations

import re

# A custom resource's event: its response URL, the helpers that answer it, or a test of its `RequestType`.
CUSTOM_RESOURCE = re.compile(
    r"ResponseURL|cfnresponse|crhelper|CfnResource|[\[(]\s*['\"]RequestType['\"]|['\"]RequestType['\"]\s+in\b"
)
# How a handler answers CloudFormation itself: the `ResponseURL`, cfnresponse, crhelper's `CfnResource`, or a
# project's own `send_response(...)` / `send(event, context, ...)`. One that never does runs behind a framework
# that answers for it, and CDK's Provider framework hands its handlers the event with ResponseURL replaced by
# '...'.
ANSWERS = re.compile(
    r"ResponseURL|response_?url|cfnresponse|cfn_response|crhelper|CfnResource|send_response|"
    r"\bsend\(\s*event\s*,\s*context\b"
)
# crhelper: the module's `CfnResource` calls the functions registered with `@helper.create` (and update, delete,
# poll_*) and answers CloudFormation for them; their own text never names it.
CRHELPER = re.compile(r"\bcrhelper\b|\bCfnResource\(")
