# codeward-corpus: vulnerable CWR107
# ruff: noqa
import os


def handler(event, context):
    name = event["pathParameters"]["file"]
    os.remove("/tmp/uploads/" + name)
    return {"deleted": name}
