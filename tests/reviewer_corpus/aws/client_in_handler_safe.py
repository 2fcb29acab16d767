# codeward-corpus: safe CWR401
# ruff: noqa
import json

import boto3

table = boto3.resource("dynamodb").Table("orders")


def handler(event, context):
    table.put_item(Item=json.loads(event["body"]))
    return {"statusCode": 201}
