# codeward-corpus: safe CWR407
# ruff: noqa
import boto3

ec2 = boto3.client("ec2")


def latest_ubuntu():
    images = ec2.describe_images(
        Owners=["099720109477"], Filters=[{"Name": "name", "Values": ["ubuntu/images/hvm-ssd/ubuntu-jammy-*"]}]
    )
    return max(images["Images"], key=lambda image: image["CreationDate"])["ImageId"]
