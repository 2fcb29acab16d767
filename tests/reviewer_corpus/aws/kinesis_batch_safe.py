# codeward-corpus: safe CWR404
# ruff: noqa
import json

import boto3

kinesis = boto3.client("kinesis")


def publish(events):
    records = [{"Data": json.dumps(e).encode(), "PartitionKey": e["id"]} for e in events]
    response = kinesis.put_records(StreamName="clickstream", Records=records)
    if response["FailedRecordCount"]:
        failed = [r for r, result in zip(records, response["Records"]) if "ErrorCode" in result]
        raise RuntimeError(f"{len(failed)} records were throttled; retry them")
