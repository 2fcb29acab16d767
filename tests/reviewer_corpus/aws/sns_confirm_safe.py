# codeward-corpus: safe CWR406
# ruff: noqa
import boto3

sns = boto3.client("sns")


def confirm(topic_arn, token):
    return sns.confirm_subscription(TopicArn=topic_arn, Token=token, AuthenticateOnUnsubscribe="true")
