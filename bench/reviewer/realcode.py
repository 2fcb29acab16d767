"""`codeward review` on real projects the team did not write, scored against independent judgments.

    .venv/bin/python -m bench.reviewer.realcode extract          # unpack the pinned projects under bench/out
    .venv/bin/python -m bench.reviewer.realcode run              # review them, write bench/out/.../findings.jsonl
    .venv/bin/python -m bench.reviewer.realcode score            # precision from bench/reviewer/judgments.jsonl
    .venv/bin/python -m bench.reviewer.realcode context          # unjudged findings with their code, for judges
    .venv/bin/python -m bench.reviewer.realcode kept [--list]    # judged findings a run still reports, by verdict
    .venv/bin/python -m bench.reviewer.realcode record --judge J4-1 VERDICTS.jsonl   # append a judge's verdicts

The "mining" projects are judged by sample (round 5, judges J5-3..5, 81 findings), drawn with
    realcode run --label mining-all --split mining -- --select ALL
    realcode context --label mining-all --split mining --seed 6 --rule CWR102 --rule CWR103 --rule CWR104
        --rule CWR107 --rule CWR117 --rule CWR118 --rule CWR121 --rule CWR201 --rule CWR202 --rule CWR203
        --rule CWR205 --rule CWR301 --rule CWR302:8 --rule CWR303 --rule CWR306 --rule CWR312 --rule CWR314
        --rule CWR501 --rule CWR601 --rule CWR603:8 --rule CWR613 --rule CWR614 --rule CWR608:5
(the warning/error findings of the rules with fewer than five judged findings, at most 8 or 5 of the frequent
ones), split into three batches in that order.

Only coordinates live here (`PROJECTS`): a GitHub repository at a commit, or a PyPI sdist at a version. GitHub
snapshots are read from a local git directory (`--mirror DIR`, default /work/.mirror/OWNER+NAME/repo, or
`$CODEWARD_MIRROR`) with `git archive`; sdists come from PyPI through pip. Nothing fetched is committed.

Judgments (`bench/reviewer/judgments.jsonl`, one JSON object a line) were made by a judge who saw only the code
around a finding and its message: `true` (a reviewer wants this comment), `false` (wrong), `noise` (right but
not worth a comment). A finding is matched to its judgment by project, path, line and code; findings no
judgment covers are listed as unjudged, and the score says how many there are (judge them before trusting a
figure). Precision = true / judged, over the findings the default configuration reports at warning or error
(what fails a run and is posted), outside test code and including it; `info` findings are scored apart.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "out" / "realcode"
JUDGMENTS = ROOT / "bench" / "reviewer" / "judgments.jsonl"
BIN = Path(sys.executable).parent
ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "CODEWARD_FORMAT")}


@dataclass(frozen=True)
class Project:
    name: str
    kind: str  # "github" or "pypi"
    where: str  # owner/name, or the distribution's name
    pin: str  # commit, or version
    # Folders of the snapshot to review (all of it when empty): skips vendored third-party code.
    include: tuple[str, ...] = ()
    # "tuning": used to measure the rules and choose the default set; "validation": never used for that, so
    # their score is an out-of-sample check of the choice; "later": added after the rules and the default set of
    # the other 12 were settled, scored first as they were (out of sample), then measured into precision.json;
    # "fourth": the same, one round later (after the fixes the "later" projects led to); "fifth": one more round,
    # after the fixes of "fourth" and "mining"; "sixth": one more, after the fixes of "fifth"; "seventh": one more, after the fixes of "sixth";
    # "eighth": judged before the finding model retrained on seventh, to score that model out of sample.
    # "ninth": judged before the model refit on eighth (2026-12-07), to score the shipped model out of sample.
    # "tenth": judged before any change of the 2026-12-07 08:00 session (model refit on ninth shipped), same purpose.
    # "eleventh": judged before any change of the 2026-12-07 10:40 session, to score main at 569cc6f out of sample.
    # "twelfth": judged before any change of the 2026-12-07 13:40 session, to score main at 0f153d6 out of sample.
    # "thirteenth": judged before any change of the 2026-12-07 16:16 session, to score main at 8772862 out of sample.
    # "fourteenth": judged before any change of the 2026-12-07 19:06 session, to score main at 166413b out of sample.
    # "fifteenth": judged before any change of the 2026-12-07 21:58 session, to score main at 0716060 out of sample.
    # "sixteenth": judged before any change of the 2026-12-08 00:40 session, to score main at 848f6d5 out of sample.
    # "seventeenth": chosen at 02:15 on 2026-12-08 and judged before any change that followed, to score main then.
    split: str = "tuning"


# AWS Lambda applications (aws-solutions) and PyPI libraries around AWS. None of them is held out for acceptance.
PROJECTS = (
    Project("waf-automations", "github", "aws-solutions/aws-waf-security-automations",
            "28b94cf78d0a9fc6f1e6af0db6b7ebba3fb3cd17", ("source",)),
    Project("workspaces-cost-optimizer", "github", "aws-solutions/cost-optimizer-for-amazon-workspaces",
            "b81475a836e3507c2753c8bcfbb6a9fbbff7792d", ("source",)),
    Project("media-insights", "github", "aws-solutions/media-insights-on-aws",
            "63841e63a3361eb06bc0dda7db266ae2eaf19aa2", ("source", "test")),
    Project("forecast-accuracy", "github", "aws-solutions/improving-forecast-accuracy-with-machine-learning",
            "5f156ed50248f5fbde9f711d00480e95aa7bf9c4", ("source",)),
    Project("smart-open", "pypi", "smart-open", "7.1.0"),
    Project("django-storages", "pypi", "django-storages", "1.14.4"),
    Project("watchtower", "pypi", "watchtower", "3.3.1"),
    Project("chalice", "pypi", "chalice", "1.31.3"),
    Project("hot-topics", "github", "aws-solutions/discovering-hot-topics-using-machine-learning",
            "f28bbe0852afba460824fb6779883bd76e39ffa6", ("source",), "validation"),
    Project("qnabot", "github", "aws-solutions/qnabot-on-aws",
            "8fcebbcb2facb4bab4623a7651c5a7d521a2fb8c", ("source",), "validation"),
    Project("sshtunnel", "pypi", "sshtunnel", "0.4.0", (), "validation"),
    Project("aws-xray-sdk", "pypi", "aws-xray-sdk", "2.14.0", (), "validation"),
    Project("transit-network", "github", "aws-solutions/network-orchestration-for-aws-transit-gateway",
            "4a3cf2929f5e06516777b468577ec12f46d63fc4", ("source",), "later"),
    Project("account-assessment", "github", "aws-solutions/account-assessment-for-aws-organizations",
            "dd3c381ba651b62064bab9e23cf8fcce25c0ad49", ("source",), "later"),
    Project("zappa", "pypi", "zappa", "0.61.4", (), "later"),
    Project("pynamodb", "pypi", "pynamodb", "6.1.0", (), "later"),
    Project("security-response", "github", "aws-solutions/automated-security-response-on-aws",
            "379596298f7e82d0af5b8f23dcb72046a135d24a", ("source",), "fourth"),
    Project("sceptre", "pypi", "sceptre", "4.5.3", (), "fourth"),
    Project("fabric", "pypi", "fabric", "3.2.2", (), "fourth"),
    Project("aws-encryption-sdk", "pypi", "aws-encryption-sdk", "4.0.1", (), "fourth"),
    Project("migration-factory", "github", "aws-solutions/cloud-migration-factory-on-aws",
            "51bbfb0c13ce147dac3b1089a64c3eb8dc9c8b1b", ("source",), "fifth"),
    Project("mlops-orchestrator", "github", "aws-solutions/mlops-workload-orchestrator",
            "debb6896e15dd9ff8f4b5b01e33172ad5572471d", ("source/lambdas",), "fifth"),
    Project("s3transfer", "pypi", "s3transfer", "0.10.4", (), "fifth"),
    Project("aws-lambda-builders", "pypi", "aws-lambda-builders", "1.50.0", (), "fifth"),
    Project("awswrangler", "pypi", "awswrangler", "3.9.1", (), "fifth"),
    Project("personalize", "github", "aws-solutions/maintaining-personalized-experiences-with-machine-learning",
            "5f170385f706eea36472dee57593c112f679c30f", ("source/aws_lambda", "source/scheduler", "source/tests"),
            "sixth"),
    Project("document-understanding", "github", "aws-solutions/enhanced-document-understanding-on-aws",
            "f75682079b8b6dfd8361c9e852faccdd9dad2f38", ("source/lambda",), "sixth"),
    Project("data-transfer-hub", "github", "aws-solutions/data-transfer-hub",
            "037d2960cca1d6de6dcb3cde3a2fcdb35cd1da76", ("source",), "sixth"),
    Project("centralized-logging", "github", "aws-solutions/centralized-logging-with-opensearch",
            "fa9ef4ea3e271dcbecb431460da3ad1cb5da09dd", ("source/constructs/lambda",), "sixth"),
    Project("devops-dashboard", "github", "aws-solutions/aws-devops-monitoring-dashboard",
            "6c02457a0bcf18fa7b37434b049597001c8d2478", ("source/lambda",), "sixth"),
    Project("crhelper", "pypi", "crhelper", "2.0.11", (), "sixth"),
    Project("aws-embedded-metrics", "pypi", "aws-embedded-metrics", "3.2.0", (), "sixth"),
    Project("aiobotocore", "pypi", "aiobotocore", "2.15.2", (), "sixth"),
    Project("genai-app-builder", "github", "aws-solutions/generative-ai-application-builder-on-aws",
            "7b47b670665078f00f0bfeb5ec889c56052986aa", ("source/lambda",), "seventh"),
    Project("prebid-server", "github", "aws-solutions/prebid-server-deployment-on-aws",
            "f2b7787bff7b2cc8c604b454b3947ea848407c74", ("source",), "seventh"),
    Project("amc-uploader", "github", "aws-solutions/amazon-marketing-cloud-uploader-from-aws",
            "0cbf8c1f74d87f8e26cd1900ffe0cf36a64a7cbc", ("source",), "seventh"),
    Project("bedrock-chat", "github", "aws-samples/bedrock-chat",
            "a739a6c0eff5d5048772165a3d9d5ee820a7865d", ("backend",), "seventh"),
    Project("s3fs", "pypi", "s3fs", "2024.10.0", (), "seventh"),
    Project("serverless-wsgi", "pypi", "serverless-wsgi", "3.0.5", (), "seventh"),
    Project("aws-requests-auth", "pypi", "aws-requests-auth", "0.4.3", (), "seventh"),
    Project("awscli", "pypi", "awscli", "1.36.22", ("awscli/customizations",), "seventh"),
    Project("aws-sam-cli", "pypi", "aws-sam-cli", "1.131.0", ("samcli/local",), "seventh"),
    Project("aws-secretsmanager-caching", "pypi", "aws-secretsmanager-caching", "1.1.3", (), "seventh"),
    Project("waiting-room", "github", "aws-solutions/virtual-waiting-room-on-aws",
            "e43fb92d5d7d58248161c5c69ea7381e5bb3c727", ("source",), "eighth"),
    Project("media-mapper", "github", "aws-solutions/media-services-application-mapper",
            "9230ad89831347ae1a429935cf6619e6acad9107", ("source",), "eighth"),
    Project("m2c2", "github", "aws-solutions/machine-to-cloud-connectivity-framework",
            "14c96676a8c0efc7d77ad5ebf823c54a3a18a32a", ("source/machine_connector",), "eighth"),
    Project("boto3", "pypi", "boto3", "1.35.99", (), "eighth"),
    Project("amazon-kclpy", "pypi", "amazon-kclpy", "2.1.5", (), "eighth"),
    Project("aws-kinesis-agg", "pypi", "aws-kinesis-agg", "1.2.3", (), "eighth"),
    Project("sagemaker", "pypi", "sagemaker", "2.237.1", ("sagemaker/local", "sagemaker/serve", "sagemaker/remote_function"), "eighth"),
    Project("amc-insights", "github", "aws-solutions/amazon-marketing-cloud-insights-on-aws",
            "e0753e25c4a3e7dcde4928501ac90c5d7cec92fc", ("source/infrastructure/amc_insights/microservices",
            "source/infrastructure/reporting_microservices", "source/infrastructure/data_lake/lambda_layers"), "ninth"),
    Project("ops-automator", "github", "aws-solutions/aws-ops-automator",
            "215ff25181b5d9193f92fa0eb84a6036d8212163", ("source/code/actions",), "ninth"),
    Project("sc-puppet", "github", "awslabs/aws-service-catalog-puppet",
            "2068d809452f04bc12f7886b90cc0e4bf20dfd30", ("servicecatalog_puppet/commands",), "ninth"),
    Project("clickstream-generator", "github", "aws-solutions/clickstream-analytics-on-aws",
            "ae6fb3b73e473e94a4b471a57fca117c2a34d0af", ("examples/standalone-data-generator",), "ninth"),
    Project("awslogs", "pypi", "awslogs", "0.15.0", (), "ninth"),
    Project("ecs-deploy", "pypi", "ecs-deploy", "1.17.0", (), "ninth"),
    Project("aws-sso-util", "pypi", "aws-sso-util", "4.33.0", (), "ninth"),
    Project("cloudpathlib", "pypi", "cloudpathlib", "0.26.0", (), "ninth"),
    Project("textractor", "pypi", "amazon-textract-textractor", "1.9.2", (), "ninth"),
    Project("s3cmd", "pypi", "s3cmd", "2.4.0", (), "tenth"),
    Project("awscurl", "pypi", "awscurl", "0.44", (), "tenth"),
    Project("taskcat", "pypi", "taskcat", "0.9.58", (), "tenth"),
    Project("pyathena", "pypi", "pyathena", "4.2.1", (), "tenth"),
    Project("awsume", "pypi", "awsume", "4.5.4", (), "tenth"),
    Project("stacker", "pypi", "stacker", "1.7.2", (), "tenth"),
    Project("encryption-sdk-cli", "pypi", "aws-encryption-sdk-cli", "4.3.0", (), "tenth"),
    Project("workload-discovery", "github", "aws-solutions/workload-discovery-on-aws",
            "fa8cdf4e4a1af7bccf6d1e0ffdf647e2113d2ad0", ("source",), "eleventh"),
    Project("simple-file-manager", "github", "aws-solutions/simple-file-manager-for-amazon-efs",
            "7db90b8ac70a38e7a11467bbd8f8ad4ff44f4f9f", ("source", "test"), "eleventh"),
    Project("content-localization", "github", "aws-solutions/content-localization-on-aws",
            "b72f9026d777c887017c3fe9f6cc079631bb88dd", ("source", "test"), "eleventh"),
    Project("awslimitchecker", "pypi", "awslimitchecker", "12.0.0", (), "eleventh"),
    Project("ec2instanceconnectcli", "pypi", "ec2instanceconnectcli", "1.0.3", (), "eleventh"),
    Project("aws-google-auth", "pypi", "aws-google-auth", "0.0.38", (), "eleventh"),
    Project("awsiotpythonsdk", "pypi", "AWSIoTPythonSDK", "1.6.2", (), "eleventh"),
    Project("python-lambda", "pypi", "python-lambda", "11.8.0", (), "eleventh"),
    Project("aws-adfs", "pypi", "aws-adfs", "2.13.0", (), "eleventh"),
    Project("okta-awscli", "pypi", "okta-awscli", "0.5.5", (), "eleventh"),
    Project("aws-gate", "pypi", "aws-gate", "0.11.3", (), "eleventh"),
    Project("forensic-orchestrator", "github", "aws-solutions/automated-forensic-orchestrator-for-amazon-ec2",
            "8973ee8995a8aa0fbde5eb47cad37eb61e43f854", ("source",), "twelfth"),
    Project("glacier-vaults-transfer", "github", "aws-solutions/data-transfer-from-amazon-s3-glacier-vaults-to-amazon-s3",
            "6a839da18a8842e5a889300d6f189b884c2c80d8", ("source",), "twelfth"),
    Project("clean-rooms-connectors", "github", "aws-solutions/data-connectors-for-aws-clean-rooms",
            "f0e4908b450346bcd74ccedbfdd778ed28dc91ab", ("source/aws_lambda", "source/tests"), "twelfth"),
    Project("awsebcli", "pypi", "awsebcli", "3.27.5", (), "twelfth"),
    Project("awsiotsdk", "pypi", "awsiotsdk", "1.31.0", (), "twelfth"),
    Project("aioboto3", "pypi", "aioboto3", "15.5.0", (), "twelfth"),
    Project("s3path", "pypi", "s3path", "0.6.5", (), "twelfth"),
    Project("cfn-flip", "pypi", "cfn-flip", "1.3.0", (), "twelfth"),
    Project("aws-assume-role-lib", "pypi", "aws-assume-role-lib", "2.10.0", (), "twelfth"),
    Project("git-remote-codecommit", "pypi", "git-remote-codecommit", "1.17", (), "twelfth"),
    Project("liveness-detection", "github", "aws-solutions/liveness-detection-framework",
            "28491586a731a281ee4d167f4275880846cff95d", ("source",), "thirteenth"),
    Project("data-analytics", "github", "aws-solutions/automated-data-analytics-on-aws",
            "e83efca806358c12547e79b3f80579e5b45ddadf", ("source/packages",), "thirteenth"),
    Project("efs-backup", "github", "aws-solutions/efs-backup",
            "d54065e8492eb4563ce983f206c43a74c5926640", ("source",), "thirteenth"),
    Project("connected-mobility", "github", "aws-solutions/connected-mobility-solution-on-aws",
            "94643236c50df20aa26a47971ec0d544c1690e2d",
            ("source/modules/cms_provisioning", "source/modules/cms_alerts"), "thirteenth"),
    Project("deepracer", "github", "aws-solutions/deepracer-on-aws",
            "61af778f9b1d904a6318b746fc3e5a8ddac525ce", ("source",), "thirteenth"),
    Project("aws-config-rules", "github", "awslabs/aws-config-rules",
            "b54d4a6c99e105c25ca46af9305770e4ba51c422", ("python", "python-rdklib"), "thirteenth"),
    Project("formica-cli", "pypi", "formica-cli", "0.16.1", (), "thirteenth"),
    Project("dynamodb-encryption-sdk", "pypi", "dynamodb-encryption-sdk", "3.3.0", (), "thirteenth"),
    Project("ssm-cache", "pypi", "ssm-cache", "3.0.0", (), "thirteenth"),
    Project("audience-uploader", "github", "aws-solutions/audience-uploader-from-aws-clean-rooms",
            "6ca5e39f53e68b59bb6c3a7d27d2e56089e60e9d", ("source/aws_lambda", "source/tests"), "fourteenth"),
    Project("serverless-bot-framework", "github", "aws-solutions/serverless-bot-framework",
            "bc0fb28535818ab03b7eda86563bd226ce074361", ("source",), "fourteenth"),
    Project("streaming-data-solution", "github", "aws-solutions/streaming-data-solution-for-amazon-kinesis-and-amazon-msk",
            "830fdcbffff4a8112fa33c1d05d643a60aa021cf", ("source/lambda",), "fourteenth"),
    Project("apig-wsgi", "pypi", "apig-wsgi", "2.20.0", (), "fourteenth"),
    Project("datasette", "pypi", "datasette", "0.65.5", (), "fourteenth"),
    Project("sqlite-utils", "pypi", "sqlite-utils", "4.2.1", (), "fourteenth"),
    Project("runway", "pypi", "runway", "2.8.4", (), "fourteenth"),
    Project("aws-parallelcluster", "pypi", "aws-parallelcluster", "3.16.1", (), "fourteenth"),
    Project("enhanced-document-understanding", "github", "aws-solutions/enhanced-document-understanding-on-aws",
            "f75682079b8b6dfd8361c9e852faccdd9dad2f38", ("source/lambda",), "fifteenth"),
    Project("media-exchange", "github", "aws-solutions/media-exchange-on-aws",
            "66bec3907ecae6f25dd1cb52f495ea917edff350", ("source", "tests"), "fifteenth"),
    Project("django-ses", "pypi", "django-ses", "4.9.0", (), "fifteenth"),
    Project("django-s3-storage", "pypi", "django-s3-storage", "0.15.0", (), "fifteenth"),
    Project("aws-sam-translator", "pypi", "aws-sam-translator", "1.115.0", (), "fifteenth"),
    Project("httpie", "pypi", "httpie", "3.2.4", (), "fifteenth"),
    Project("sanic", "pypi", "sanic", "25.12.1", (), "fifteenth"),
    Project("aws-shell", "pypi", "aws-shell", "0.2.2", (), "fifteenth"),
    Project("document-understanding-solution", "github", "aws-solutions/document-understanding-solution",
            "63ca358bc83d2c3dac95e6f97c096acfa748991c", ("source",), "sixteenth"),
    Project("falcon", "pypi", "falcon", "4.4.0", (), "sixteenth"),
    Project("waitress", "pypi", "waitress", "3.0.2", (), "sixteenth"),
    Project("kombu", "pypi", "kombu", "5.7.0", (), "sixteenth"),
    Project("sagemaker-inference", "pypi", "sagemaker-inference", "1.10.1", (), "sixteenth"),
    Project("ec2-metadata", "pypi", "ec2-metadata", "3.0.0", (), "sixteenth"),
    Project("cherrypy", "pypi", "cherrypy", "18.10.0", (), "sixteenth"),
    Project("serverless-rag-demo", "github", "aws-samples/serverless-rag-demo",
            "bf8477ed001ea100f953a5b47421b4f794414029", (), "seventeenth"),
    Project("serverless-pdf-chat", "github", "aws-samples/serverless-pdf-chat",
            "2c9ed9c00d5f28ae45734bada6a0793313522e54", (), "seventeenth"),
    Project("serverless-datalake", "github", "aws-samples/serverless-datalake",
            "a6e6312645156a50124a94315643c571ec1f83ab", (), "seventeenth"),
    Project("pyramid", "pypi", "pyramid", "2.1", (), "seventeenth"),
    Project("pysftp", "pypi", "pysftp", "0.2.9", (), "seventeenth"),
    Project("scp", "pypi", "scp", "0.16.2", (), "seventeenth"),
    # "mining": libraries chosen to exercise the rules that had no judged finding yet (shells, terminals, web
    # servers, JWT, password hashing, templates, CloudFormation); only those rules' findings are judged there.
    *(Project(name, "pypi", name, version, (), "mining") for name, version in (
        ("invoke", "2.2.0"), ("pexpect", "4.9.0"), ("docker", "7.1.0"), ("bottle", "0.13.2"), ("tornado", "6.4.2"),
        ("celery", "5.4.0"), ("troposphere", "4.8.3"), ("aws-lambda-powertools", "3.4.0"), ("gunicorn", "23.0.0"),
        ("httpx", "0.28.1"), ("urllib3", "2.3.0"), ("pyjwt", "2.10.1"), ("passlib", "1.7.4"),
        ("supervisor", "4.2.5"), ("ansible-runner", "2.4.0"), ("mangum", "0.19.0"))),
)  # fmt: skip

# A name is a project's folder under bench/out and its key in the judgments: `extract` keeps a folder it unpacked
# before, so a second project of the same name would be reviewed and judged at the first one's pin. Rounds
# thirteen and fourteen listed three such projects (document-understanding-solution under round six's name,
# mangum 0.22.0 and bottle 0.13.5 under the mining round's); what was reviewed and judged was the earlier
# snapshot, so their entries were removed and those judgments count for the earlier projects.
_NAMES = [p.name for p in PROJECTS]
assert len(_NAMES) == len(set(_NAMES)), sorted({n for n in _NAMES if _NAMES.count(n) > 1})

# Projects that issue 14 keeps for its acceptance check: never extracted, reviewed or judged here, so that check
# stays out of sample. Guarded because a candidate list is easy to draw from the same organisations.
HELD_OUT = frozenset({
    "aws-samples/aws-security-reference-architecture-examples", "aws-solutions/instance-scheduler-on-aws",
    "aws-solutions/aws-control-tower-customizations", "aws-samples/aws-serverless-shopping-cart",
    "flask", "paramiko", "requests",
})  # fmt: skip
if _held := [p.name for p in PROJECTS if p.where.lower() in HELD_OUT]:
    raise SystemExit(f"bench/reviewer/realcode.py lists held-out projects: {', '.join(_held)}")

_TEST_DIRS = {"test", "tests", "testing", "__tests__", "unit_tests", "integration_tests"}


def is_test_path(path: str) -> bool:
    """Test code by the evaluation's own definition (folders and module names), independent of codeward's."""
    parts = path.replace(os.sep, "/").split("/")
    name = parts[-1]
    return (
        any(p in _TEST_DIRS for p in parts[:-1])
        or any(p.endswith("_tests") for p in parts[:-1])
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


def mirror_of(project: Project, mirror: str | None) -> Path:
    base = mirror or os.environ.get("CODEWARD_MIRROR") or "/work/.mirror"
    return Path(base) / project.where.replace("/", "+") / "repo"


def extract(project: Project, mirror: str | None = None) -> Path:
    """The project's files under bench/out/realcode/NAME (unpacked once)."""
    target = OUT / "src" / project.name
    if (target / ".complete").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    if project.kind == "github":
        git_dir = mirror_of(project, mirror)
        if not git_dir.is_dir():
            raise SystemExit(f"{project.name}: no git directory at {git_dir}; clone {project.where} there (--mirror)")
        # Python files only, blob by blob: snapshots may lack large blobs (fixtures), which `git archive` refuses.
        listing = subprocess.run(
            ["git", f"--git-dir={git_dir}", "ls-tree", "-r", "-z", project.pin, "--", *project.include],
            check=True, capture_output=True,
        ).stdout.decode("utf-8", "surrogateescape")  # fmt: skip
        for entry in filter(None, listing.split("\0")):
            meta, path = entry.split("\t", 1)
            mode, kind, blob = meta.split()
            if kind != "blob" or mode not in ("100644", "100755") or not path.endswith(".py") or ".." in path:
                continue
            data = subprocess.run(["git", f"--git-dir={git_dir}", "cat-file", "blob", blob], capture_output=True)
            if data.returncode == 0:
                (target / path).parent.mkdir(parents=True, exist_ok=True)
                (target / path).write_bytes(data.stdout)
    else:
        downloads = OUT / "downloads"
        downloads.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:", "-d",
             str(downloads), f"{project.where}=={project.pin}"],
            check=True, capture_output=True, env=ENV,
        )  # fmt: skip
        wanted = f"{project.where}-{project.pin}.tar.gz".replace("-", "_").lower()
        sdist = next(p for p in downloads.glob("*.tar.gz") if p.name.replace("-", "_").lower() == wanted)
        _untar(sdist, target, strip=1)
    (target / ".complete").write_text("", encoding="utf-8")
    return target


def _untar(archive: Path, target: Path, strip: int) -> None:
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            parts = member.name.split("/")[strip:]
            if not parts or not (member.isfile() or member.isdir()) or ".." in parts:
                continue
            member.name = "/".join(parts)
            tar.extract(member, target, filter="data")


def review(project: Project, extra: list[str], binary: str | None = None) -> list[dict]:
    """Findings of the default configuration (no config file, no cache), paths relative to the project."""
    source = extract(project)
    command = [
        binary or str(BIN / "codeward"),
        "review",
        ".",
        "--isolated",
        "--no-cache",
        "--format",
        "json",
        "--exit-zero",
    ]
    result = subprocess.run(command + extra, capture_output=True, text=True, env=ENV, cwd=source)
    try:
        report = json.loads(result.stdout) if result.returncode in (0, 2) else None
    except ValueError:
        report = None
    if report is None:
        raise SystemExit(f"{project.name}: codeward exited {result.returncode}: {result.stderr[-2000:]}")
    if result.returncode == 2:  # an internal error in some file (CWR900): kept, as a user would see it
        print(f"{project.name}: codeward exited 2 (internal error findings kept)", file=sys.stderr)
    out = []
    for finding in report["findings"]:
        path = os.path.relpath(os.path.join(source, finding["path"]), source).replace(os.sep, "/")
        out.append({
            "project": project.name, "path": path, "line": finding["line"], "column": finding["column"],
            "code": finding["code"], "severity": finding["severity"], "message": finding["message"],
            "confidence": finding.get("confidence"), "test": is_test_path(path),
        })  # fmt: skip
    return out


def key(item: dict) -> tuple[str, str, int, str]:
    return (item["project"], item["path"], int(item["line"]), item["code"])


def load_judgments(path: Path = JUDGMENTS) -> dict[tuple[str, str, int, str], dict]:
    table: dict[tuple[str, str, int, str], dict] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                table[key(item)] = item
    return table


def findings_path(label: str) -> Path:
    return OUT / f"findings-{label}.jsonl"


def load_findings(label: str) -> list[dict]:
    path = findings_path(label)
    if not path.exists():
        raise SystemExit(f"{path} is missing: run `python -m bench.reviewer.realcode run --label {label}` first")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class Tally:
    true: int = 0
    false: int = 0
    noise: int = 0
    unjudged: int = 0

    def add(self, verdict: str | None) -> None:
        if verdict is None:
            self.unjudged += 1
        else:
            setattr(self, verdict, getattr(self, verdict) + 1)

    @property
    def judged(self) -> int:
        return self.true + self.false + self.noise

    @property
    def precision(self) -> float | None:
        return self.true / self.judged if self.judged else None

    def cells(self) -> str:
        p = "-" if self.precision is None else f"{self.precision:.2f}"
        return f"{self.judged + self.unjudged} | {self.true} | {self.false} | {self.noise} | {self.unjudged} | {p}"


def score(findings: list[dict], judgments: dict) -> dict[str, object]:
    """Tallies: reported (warning/error) outside tests, including tests, info apart; per rule; per project."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    by_rule: dict[str, Tally] = defaultdict(Tally)
    by_project: dict[str, Tally] = defaultdict(Tally)
    for finding in findings:
        judged = judgments.get(key(finding))
        verdict = judged["verdict"] if judged else None
        if finding["severity"] == "info":
            tallies["info"].add(verdict)
            continue
        tallies["all"].add(verdict)
        tallies["tests" if finding["test"] else "outside tests"].add(verdict)
        by_rule[finding["code"]].add(verdict)
        by_project[finding["project"]].add(verdict)
    return {"overall": dict(tallies), "rules": dict(by_rule), "projects": dict(by_project)}


def _commit() -> str:
    """HEAD of this checkout, with "+changes" when tracked files differ from it ("unknown" outside git)."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True)  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def write_precision(
    findings: list[dict], judgments: dict, target: Path, label: str = "all", projects: list[Project] | None = None
) -> None:
    """Per rule: judged counts of its warning/error findings (what decides the default set) and, apart, of its
    info findings. Every finding must be judged, except on the "mining" projects, where a random sample of the
    findings of the rules that lacked judged findings is judged (sampling within a rule keeps its estimate
    unbiased) and the rest is left out."""
    sampled = {p.name for p in PROJECTS if p.split == "mining"}
    findings = [f for f in findings if f["project"] not in sampled or key(f) in judgments]
    unjudged = [f for f in findings if key(f) not in judgments]
    if unjudged:
        raise SystemExit(f"{len(unjudged)} findings are not judged yet: `context` lists them")
    rules: dict[str, dict] = {}
    for finding in findings:
        entry = rules.setdefault(finding["code"], {"true": 0, "false": 0, "noise": 0})
        bucket = (
            entry if finding["severity"] != "info" else entry.setdefault("info", {"true": 0, "false": 0, "noise": 0})
        )
        bucket[judgments[key(finding)]["verdict"]] += 1
    meta_path = findings_path(label).with_suffix(".meta.json")
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    measured_at = meta.get("commit", "unknown")
    if meta.get("finished_at", measured_at) != measured_at:
        measured_at += f" (the checkout was at {meta['finished_at']} when it ended)"
    projects = list(PROJECTS) if projects is None else projects
    # The splits scored, when not all of them: the table says which judged projects it counts.
    splits = sorted({p.split for p in projects})
    scope = "" if splits == sorted({p.split for p in PROJECTS}) else "".join(f" --split {s}" for s in splits)
    document = {
        "measured_by": f"python -m bench.reviewer.realcode run --label {label} -- --select ALL; "
        f"python -m bench.reviewer.realcode score --label {label}{scope} --write-precision reviewer/precision.json",
        # One run at one commit (`run` records it next to the findings); "unknown": a findings file joined by hand.
        "measured_at": measured_at,
        "projects": [f"{p.where}@{p.pin}" for p in projects],
        "rules": dict(sorted(rules.items())),
    }
    before = json.loads(target.read_text(encoding="utf-8")).get("rules", {}) if target.exists() else {}
    target.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {target}")
    print_level_changes(before, document["rules"])


def print_level_changes(before: dict, after: dict) -> None:
    """The rules whose default level (reviewer/measured.py: off, info or their own severity) the new counts move,
    with the counts at their own severity before and after."""
    from codeward.reviewer import measured

    old, new = measured.levels(before), measured.levels(after)
    moved = [code for code in sorted(new) if old.get(code) != new[code]]
    print("\n| rule | before | after | true/false/noise before | after |\n|---|---|---|---|---|")
    for code in moved:
        counts = [
            "/".join(str(rules.get(code, {}).get(k, 0)) for k in ("true", "false", "noise"))
            for rules in (before, after)
        ]
        print(f"| {code} | {old.get(code)} | {new[code]} | {counts[0]} | {counts[1]} |")
    if not moved:
        print("| (none) | | | | |")


def print_score(result: dict, label: str) -> None:
    head = "| findings | true | false | noise | unjudged | precision |\n|---|---|---|---|---|---|---|"
    print(f"### {label}: warning and error findings of the default configuration\n")
    print("| scope " + head.replace("|---", "|---", 1))
    for name in ("outside tests", "tests", "all", "info"):
        tally = result["overall"].get(name)
        if tally is not None:
            print(f"| {name} | {tally.cells()} |")
    print("\n| project " + head)
    for name, tally in sorted(result["projects"].items()):
        print(f"| {name} | {tally.cells()} |")
    print("\n| rule " + head)
    for name, tally in sorted(result["rules"].items()):
        print(f"| {name} | {tally.cells()} |")


def kept(findings: list[dict], judgments: dict, projects: set[str]) -> dict[str, object]:
    """Of the judged findings of `projects` (judged on any earlier run, whatever it selected), how many this run
    still reports, at any severity and at warning or error, by verdict; and the kept ones by rule and severity.
    Acceptance reads it so: of the false ones at most 10% remain (at any severity: an `info` finding is still
    shown), of the noise ones at most 20% at warning or error, of the true ones at least 90%."""
    judged: Counter[str] = Counter()
    for item in judgments.values():
        if item["project"] in projects:
            judged[item["verdict"]] += 1
    reported: dict[tuple, dict] = {}
    for finding in findings:
        if key(finding) in judgments and finding["project"] in projects:
            # Two findings of one rule on one line share a judgment: the more severe one stands for both.
            earlier = reported.get(key(finding))
            if earlier is None or earlier["severity"] == "info":
                reported[key(finding)] = finding
    any_severity: Counter[str] = Counter()
    posted: Counter[str] = Counter()
    by_rule: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for k, finding in reported.items():
        verdict = judgments[k]["verdict"]
        any_severity[verdict] += 1
        posted[verdict] += finding["severity"] != "info"
        by_rule[(finding["code"], finding["severity"])][verdict] += 1
    return {"judged": judged, "any": any_severity, "posted": posted, "rules": by_rule, "findings": reported}


def print_kept(result: dict, judgments: dict, label: str, listing: bool) -> None:
    print(f"### {label}: judged findings the run still reports\n")
    print("| verdict | judged | kept, any severity | kept at warning or error |\n|---|---|---|---|")
    for verdict in ("true", "false", "noise"):
        total = result["judged"][verdict]
        cells = [
            f"{n} ({n / total:.1%})" if total else str(n) for n in (result["any"][verdict], result["posted"][verdict])
        ]
        print(f"| {verdict} | {total} | {cells[0]} | {cells[1]} |")
    print("\n| rule | severity | false | noise | true |\n|---|---|---|---|---|")
    for (code, severity), tally in sorted(result["rules"].items()):
        print(f"| {code} | {severity} | {tally['false']} | {tally['noise']} | {tally['true']} |")
    if listing:
        print()
        for k, finding in sorted(result["findings"].items()):
            judged = judgments[k]
            if judged["verdict"] != "true":
                print(
                    f"{judged['verdict']:5} {finding['severity']:7} {finding['project']} {finding['path']}:"
                    f"{finding['line']} {finding['code']} {finding['message']}\n      judged: {judged['reason']}"
                )


def context(findings: list[dict], judgments: dict, radius: int) -> str:
    """Each unjudged finding with the code around it: what a judge sees (nothing about the rule)."""
    out = []
    for finding in findings:
        if key(finding) in judgments:
            continue
        lines = (OUT / "src" / finding["project"] / finding["path"]).read_text(encoding="utf-8").split("\n")
        start, end = max(1, finding["line"] - radius), min(len(lines), finding["line"] + radius)
        body = "\n".join(
            f"{'>' if n == finding['line'] else ' '}{n:5d} | {lines[n - 1]}" for n in range(start, end + 1)
        )
        ident = json.dumps({k: finding[k] for k in ("project", "path", "line", "code")})
        out.append(f"### {ident}\n{finding['path']}:{finding['line']}: {finding['message']}\n{body}\n")
    return "\n".join(out)


def sample(findings: list[dict], caps: dict[str, int], seed: int) -> list[dict]:
    """The warning/error findings of the rules in `caps`, at most that many of each drawn at random (0: all), in
    a random order: what the judges of a "mining" project see."""
    import random

    rng = random.Random(seed)
    by_rule: dict[str, list[dict]] = defaultdict(list)
    for finding in findings:
        if finding["severity"] != "info" and finding["code"] in caps:
            by_rule[finding["code"]].append(finding)
    chosen = []
    for code, items in sorted(by_rule.items()):
        cap = caps[code]
        chosen += rng.sample(items, cap) if 0 < cap < len(items) else items
    rng.shuffle(chosen)
    return chosen


def record(findings: list[dict], verdict_files: list[str], judge: str, target: Path = JUDGMENTS) -> int:
    """Append a judge's verdicts (JSON Lines written from a `context` batch) to the judgments, with the judge's
    id and the finding's message. Every verdict must name a finding of the label and say true, false or noise;
    a bad line stops the whole file before anything is written."""
    by_key = {key(f): f for f in findings}
    lines = []
    for name in verdict_files:
        for number, text in enumerate(Path(name).read_text(encoding="utf-8").splitlines(), 1):
            if not text.strip():
                continue
            try:
                item = json.loads(text)
                found = by_key.get(key(item))
            except (ValueError, KeyError, TypeError):
                raise SystemExit(
                    f"{name}:{number}: not a verdict (project, path, line, code, verdict, reason)"
                ) from None
            if found is None or item.get("verdict") not in ("true", "false", "noise"):
                raise SystemExit(
                    f"{name}:{number}: no such finding in this label, or a verdict other than true/false/noise"
                )
            entry = {k: found[k] for k in ("project", "path", "line", "code", "message")}
            entry.update(judge=judge, verdict=item["verdict"], reason=str(item.get("reason", "")))
            lines.append(json.dumps(entry, sort_keys=True))
    with open(target, "a", encoding="utf-8") as handle:
        handle.writelines(line + "\n" for line in lines)
    print(f"recorded {len(lines)} verdicts of {judge} in {target}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("action", choices=("extract", "run", "score", "context", "record", "kept"))
    parser.add_argument("--mirror", help="folder holding OWNER+NAME/repo git directories")
    parser.add_argument("--label", default="current", help="name of the findings file (run, score, context)")
    parser.add_argument("--project", action="append", help="only these projects")
    parser.add_argument(
        "--split",
        action="append",
        choices=sorted({p.split for p in PROJECTS}),
        help="only the projects of these splits",
    )
    parser.add_argument("--codeward", metavar="PATH", help="run: this codeward executable (another version)")
    parser.add_argument("--radius", type=int, default=12, help="context: lines either side of the finding")
    parser.add_argument(
        "--rule", action="append", metavar="CODE[:N]",
        help="context: only the warning/error findings of these rules (at most N of the rule, drawn at random)",
    )  # fmt: skip
    parser.add_argument("--per-rule", type=int, default=0, help="context --rule: N for rules given without one")
    parser.add_argument("--seed", type=int, default=6, help="context --rule: the sample's seed")
    parser.add_argument("--json", metavar="FILE", help="score: also write the tallies as JSON")
    parser.add_argument("--judge", help="record: the judge's id (a new one for every judge session)")
    parser.add_argument("--list", action="store_true", help="kept: also each kept false or noise finding")
    parser.add_argument(
        "--write-precision",
        metavar="FILE",
        help="score: write each rule's judged counts (reviewer/precision.json); run with --select ALL first",
    )
    args, extra = parser.parse_known_args(argv)
    args.codeward_args = [a for a in extra if a != "--"]  # run: the rest goes to codeward review
    projects = [
        p
        for p in PROJECTS
        if (not args.project or p.name in args.project) and (not args.split or p.split in args.split)
    ]
    if args.action == "extract":
        for project in projects:
            print(project.name, extract(project, args.mirror))
        return 0
    if args.action == "run":
        commit = _commit()  # at the start: each project's review reads the checkout as it is when it starts
        for project in projects:
            extract(project, args.mirror)
        findings = [f for project in projects for f in review(project, args.codeward_args, args.codeward)]
        findings_path(args.label).parent.mkdir(parents=True, exist_ok=True)
        with open(findings_path(args.label), "w", encoding="utf-8") as handle:
            for finding in findings:
                handle.write(json.dumps(finding, sort_keys=True) + "\n")
        counts = Counter(f["project"] for f in findings)
        # What the findings were measured at: one run at one commit is what a precision table may come from.
        meta = {"commit": commit, "finished_at": _commit(), "splits": sorted({p.split for p in projects}), "codeward_args": args.codeward_args,
                "codeward": args.codeward or "this checkout"}  # fmt: skip
        findings_path(args.label).with_suffix(".meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        print(f"{len(findings)} findings -> {findings_path(args.label)}", dict(counts))
        return 0
    findings = [f for f in load_findings(args.label) if f["project"] in {p.name for p in projects}]
    judgments = load_judgments()
    if args.action == "context":
        if args.rule:
            caps = {r.partition(":")[0]: int(r.partition(":")[2] or args.per_rule) for r in args.rule}
            findings = sample(findings, caps, args.seed)
        sys.stdout.write(context(findings, judgments, args.radius))
        return 0
    if args.action == "record":
        if not args.judge or not args.codeward_args:
            raise SystemExit("record: give --judge ID and the verdict files")
        return record(findings, args.codeward_args, args.judge)
    if args.action == "kept":
        print_kept(kept(findings, judgments, {p.name for p in projects}), judgments, args.label, args.list)
        return 0
    result = score(findings, judgments)
    print_score(result, args.label)
    if args.write_precision:
        write_precision(findings, judgments, Path(args.write_precision), args.label, projects)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({k: {n: vars(t) for n, t in v.items()} for k, v in result.items()}, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
