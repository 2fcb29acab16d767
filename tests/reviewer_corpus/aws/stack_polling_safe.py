# codeward-corpus: safe CWR403
# ruff: noqa
import boto3

cloudformation = boto3.client("cloudformation")


def wait_for_stack(name):
    cloudformation.get_waiter("stack_create_complete").wait(StackName=name, WaiterConfig={"Delay": 15})
    return cloudformation.describe_stacks(StackName=name)["Stacks"][0]
