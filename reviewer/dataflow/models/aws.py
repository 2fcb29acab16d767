"""AWS Lambda: which parts of an invocation's event a caller controls.

Events from API Gateway (REST and HTTP APIs), Application Load Balancers and Function URLs carry what the
HTTP client sent: untrusted. Records from S3, SQS, SNS, Kinesis and DynamoDB streams are another system's
data (an uploader chooses an S3 key; a producer writes the queue): "external". CloudFormation custom
resources, AWS Config rules, EventBridge and scheduled events come from AWS on the account owner's behalf,
and the `context` object from the runtime: trusted. An event whose shape is not known is treated as
untrusted: whoever may invoke the function chooses it.
"""

from __future__ import annotations

from codeward.reviewer.dataflow.models import Library, ObjectModel

# Keys of HTTP-shaped events (API Gateway v1/v2, ALB, Function URLs).
HTTP_KEYS = frozenset(
    ["body", "queryStringParameters", "multiValueQueryStringParameters", "pathParameters", "headers",
     "multiValueHeaders", "cookies", "rawPath", "rawQueryString", "path", "requestContext", "httpMethod",
     "routeKey", "resource"]
)  # fmt: skip
# Keys of HTTP-shaped events whose values API Gateway picks from what the deployer configured (the method of a
# defined route, the route's key and its resource template): a client chooses among them, not their text.
GATEWAY_CHOSEN_KEYS = frozenset({"httpMethod", "routeKey", "resource"})
# Keys that only events sent by AWS on the owner's behalf have: a handler reading one handles such events.
TRUSTED_MARKERS = frozenset(
    ["RequestType", "ResponseURL", "ResourceProperties", "OldResourceProperties", "LogicalResourceId",
     "PhysicalResourceId", "StackId", "ServiceToken", "invokingEvent", "ruleParameters", "resultToken",
     "configRuleName", "configRuleArn", "detail-type", "triggerSource", "userPoolId"]
)  # fmt: skip
# Keys whose values AWS or the deployer set, whatever the event.
TRUSTED_KEYS = TRUSTED_MARKERS | frozenset(
    ["RequestId", "ResourceType", "eventLeftScope", "executionRoleArn", "configRuleId", "accountId",
     "account", "region", "time", "resources", "source", "detail", "version", "stageVariables",
     "isBase64Encoded"]
)  # fmt: skip
EXTERNAL_KEYS = frozenset({"Records", "records"})

# The data classes of Powertools' event sources and resolvers (`app.current_event`).
_POWERTOOLS_HTTP_ATTRS = frozenset(
    ["body", "json_body", "decoded_body", "query_string_parameters", "multi_value_query_string_parameters",
     "path_parameters", "headers", "multi_value_headers", "cookies", "path", "raw_path", "raw_query_string",
     "raw_event", "request_context"]
)  # fmt: skip
_POWERTOOLS_HTTP_METHODS = frozenset(
    {"get_query_string_value", "get_header_value", "get_multi_value_query_string_values", "get_cookie"}
)

LAMBDA = Library(
    "aws-lambda",
    # SDK sessions and clients hold AWS-issued credentials, the Region and endpoints of the SDK's own
    # configuration: `boto3.Session(aws_session_token=assumed["SessionToken"]).region_name` is not the data
    # that chose the role. What is passed to them is checked where it matters (`endpoint_url=`, a sink).
    clean=("boto3.Session", "boto3.session.Session", "boto3.client", "boto3.resource", "botocore.session.get_session"),
    objects=(
        ObjectModel(
            "powertools.HTTPEvent",
            "the API Gateway event",
            "lambda",
            _POWERTOOLS_HTTP_ATTRS,
            _POWERTOOLS_HTTP_METHODS,
        ),
        ObjectModel(
            "powertools.Resolver",
            "the API Gateway event",
            "lambda",
            typed_attrs=(("current_event", "powertools.HTTPEvent"),),
        ),
        ObjectModel(
            "powertools.RecordsEvent",
            "records of the event",
            "external",
            frozenset({"records", "body", "json_body", "decoded_body", "message", "data", "object_key"}),
            trust="external",
        ),
    ),
)

# Constructors of Powertools' resolvers and event data classes, and what they stand for.
POWERTOOLS_TYPES = {
    "APIGatewayRestResolver": "powertools.Resolver",
    "APIGatewayHttpResolver": "powertools.Resolver",
    "ALBResolver": "powertools.Resolver",
    "LambdaFunctionUrlResolver": "powertools.Resolver",
    "ApiGatewayResolver": "powertools.Resolver",
    "VPCLatticeResolver": "powertools.Resolver",
    "VPCLatticeV2Resolver": "powertools.Resolver",
    "APIGatewayProxyEvent": "powertools.HTTPEvent",
    "APIGatewayProxyEventV2": "powertools.HTTPEvent",
    "ALBEvent": "powertools.HTTPEvent",
    "LambdaFunctionUrlEvent": "powertools.HTTPEvent",
    "SQSEvent": "powertools.RecordsEvent",
    "SNSEvent": "powertools.RecordsEvent",
    "S3Event": "powertools.RecordsEvent",
    "KinesisStreamEvent": "powertools.RecordsEvent",
    "DynamoDBStreamEvent": "powertools.RecordsEvent",
    "EventBridgeEvent": "trusted",
    "CloudFormationCustomResourceEvent": "trusted",
}

# Powertools' resolvers route `@app.get("/todos/<todo_id>")` like Flask (module.ModuleInfo._route_decorator).
POWERTOOLS_ROUTES = Library(
    "aws_lambda_powertools routes",
    route_decorators=("route", "get", "post", "put", "delete", "patch", "head"),
    route_objects=tuple(name for name, held in POWERTOOLS_TYPES.items() if held == "powertools.Resolver"),
)

LIBRARIES = (LAMBDA, POWERTOOLS_ROUTES)
