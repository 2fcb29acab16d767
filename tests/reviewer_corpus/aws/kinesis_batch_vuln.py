# codeward-corpus: vulnerable CWR404
# ruff: noqa
import json

import boto3

kinesis = boto3.client("kinesis")


def publish(events):
    records = [{"Data": json.dumps(e).encode(), "PartitionKey": e["id"]} for e in events]
    kinesis.put_records(StreamName="clickstream", Records=records)
