# codeward-corpus: vulnerable CWR102
# ruff: noqa
import subprocess


def handler(event, context):
    host = event["queryStringParameters"]["host"]
    output = subprocess.check_output("ping -c 1 " + host, shell=True, timeout=10)
    return {"statusCode": 200, "body": output.decode()}
