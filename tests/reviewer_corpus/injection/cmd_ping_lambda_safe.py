# codeward-corpus: safe CWR102
# ruff: noqa
import ipaddress
import subprocess


def handler(event, context):
    host = str(ipaddress.ip_address(event["queryStringParameters"]["host"]))
    output = subprocess.check_output(["ping", "-c", "1", host], timeout=10)
    return {"statusCode": 200, "body": output.decode()}
