# codeward-corpus: vulnerable CWR201
# ruff: noqa
import os

import boto3

s3 = boto3.client(
    "s3",
    aws_access_key_id="AKIA4MZT7QYH2BXCN5LD",
    aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
)


def upload(path, key):
    s3.upload_file(path, "reports-bucket", key)
