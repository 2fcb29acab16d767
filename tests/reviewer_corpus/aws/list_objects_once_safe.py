# codeward-corpus: safe CWR402
# ruff: noqa
import boto3

s3 = boto3.client("s3")


def archive_keys(bucket):
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="archive/"):
        keys.extend(item["Key"] for item in page.get("Contents", []))
    return keys
