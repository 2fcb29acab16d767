# codeward-corpus: vulnerable CWR501
# ruff: noqa
import boto3

s3 = boto3.client("s3")


def first_line(bucket, key):
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    for line in body.iter_lines():
        return line.decode()
    return ""
