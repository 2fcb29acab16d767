# codeward-corpus: vulnerable CWR403
# ruff: noqa
import time

import boto3

cloudformation = boto3.client("cloudformation")


def wait_for_stack(name):
    while True:
        stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
        if stack["StackStatus"].endswith("_COMPLETE"):
            return stack
        time.sleep(15)
