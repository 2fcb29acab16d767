# codeward-corpus: vulnerable CWR401
# ruff: noqa
import json

import boto3


def handler(event, context):
    dynamodb = boto3.resource("dynamodb")
    table = dynamodb.Table("orders")
    table.put_item(Item=json.loads(event["body"]))
    return {"statusCode": 201}
