# codeward-corpus: safe CWR201
# ruff: noqa
import boto3

# Credentials come from the execution role; AKIAIOSFODNN7EXAMPLE in the docs is AWS's placeholder.
s3 = boto3.client("s3")


def upload(path, key):
    s3.upload_file(path, "reports-bucket", key)
