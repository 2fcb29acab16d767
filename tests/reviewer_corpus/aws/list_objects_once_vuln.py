# codeward-corpus: vulnerable CWR402
# ruff: noqa
import boto3

s3 = boto3.client("s3")


def archive_keys(bucket):
    response = s3.list_objects_v2(Bucket=bucket, Prefix="archive/")
    return [item["Key"] for item in response.get("Contents", [])]
