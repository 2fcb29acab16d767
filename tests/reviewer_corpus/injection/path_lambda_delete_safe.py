# codeward-corpus: safe CWR107
# ruff: noqa
import os


def handler(event, context):
    name = os.path.basename(event["pathParameters"]["file"])
    os.remove("/tmp/uploads/" + name)
    return {"deleted": name}
