"""What CodePipeline knows about its action providers (cicd-spec §3.6 and the action reference pages).

Only AWS-owned providers and the legacy GitHub (version 1) ThirdParty source are described: partner and
custom action types are open-ended, so codeward never calls their names or settings wrong.
"""

from __future__ import annotations

# Providers by (owner, category); AWS only.
AWS_PROVIDERS: dict[str, tuple[str, ...]] = {
    "Source": ("S3", "ECR", "CodeCommit", "CodeStarSourceConnection"),
    "Build": ("CodeBuild", "ECRBuildAndPublish"),
    "Test": ("CodeBuild", "DeviceFarm"),
    "Deploy": (
        "S3", "CloudFormation", "CloudFormationStackSet", "CloudFormationStackInstances", "CodeDeploy",
        "CodeDeployToECS", "ECS", "ElasticBeanstalk", "OpsWorks", "ServiceCatalog", "AppConfig", "EKS", "EC2",
        "Lambda",
    ),
    "Invoke": ("Lambda", "StepFunctions", "InspectorScan", "CodePipeline"),
    "Approval": ("Manual",),
    "Compute": ("Commands",),
}  # fmt: skip

# (owner, category, provider) -> (min inputs, max inputs, min outputs, max outputs)
ARTIFACT_LIMITS: dict[tuple[str, str, str], tuple[int, int, int, int]] = {
    ("AWS", "Source", "S3"): (0, 0, 1, 1),
    ("AWS", "Source", "CodeCommit"): (0, 0, 1, 1),
    ("AWS", "Source", "ECR"): (0, 0, 1, 1),
    ("AWS", "Source", "CodeStarSourceConnection"): (0, 0, 1, 1),
    ("ThirdParty", "Source", "GitHub"): (0, 0, 1, 1),
    ("AWS", "Build", "CodeBuild"): (1, 5, 0, 5),
    ("AWS", "Test", "CodeBuild"): (1, 5, 0, 5),
    ("AWS", "Test", "DeviceFarm"): (1, 1, 0, 0),
    ("AWS", "Approval", "Manual"): (0, 0, 0, 0),
    ("AWS", "Deploy", "S3"): (1, 1, 0, 0),
    ("AWS", "Deploy", "CloudFormation"): (0, 10, 0, 1),
    ("AWS", "Deploy", "CodeDeploy"): (1, 1, 0, 0),
    ("AWS", "Deploy", "ElasticBeanstalk"): (1, 1, 0, 0),
    ("AWS", "Deploy", "OpsWorks"): (1, 1, 0, 0),
    ("AWS", "Deploy", "ECS"): (1, 1, 0, 0),
    ("AWS", "Deploy", "ServiceCatalog"): (1, 1, 0, 0),
    ("AWS", "Deploy", "CodeDeployToECS"): (1, 5, 0, 0),
    ("AWS", "Deploy", "CloudFormationStackSet"): (1, 3, 0, 0),
    ("AWS", "Deploy", "CloudFormationStackInstances"): (0, 2, 0, 0),
    ("AWS", "Deploy", "AppConfig"): (1, 1, 0, 0),
    ("AWS", "Invoke", "Lambda"): (0, 5, 0, 5),
    ("AWS", "Invoke", "StepFunctions"): (0, 1, 0, 1),
    ("ThirdParty", "Deploy", "AlexaSkillsKit"): (1, 2, 0, 0),
    ("Custom", "Build", "Jenkins"): (0, 5, 0, 5),
    ("Custom", "Test", "Jenkins"): (0, 5, 0, 5),
}

_IMAGES = tuple(f"Image{i}{part}" for i in range(1, 5) for part in ("ArtifactName", "ContainerName"))

# (owner, category, provider) -> (required keys, optional keys). Keys required only in some modes are
# optional here and checked by CONDITIONAL below.
CONFIGURATION: dict[tuple[str, str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {
    ("AWS", "Source", "S3"): (("S3Bucket", "S3ObjectKey"), ("PollForSourceChanges", "AllowOverrideForS3ObjectKey")),
    ("AWS", "Source", "CodeCommit"): (("RepositoryName", "BranchName"), ("PollForSourceChanges", "OutputArtifactFormat")),
    ("AWS", "Source", "ECR"): (("RepositoryName",), ("ImageTag",)),
    ("AWS", "Source", "CodeStarSourceConnection"): (
        ("ConnectionArn", "FullRepositoryId", "BranchName"), ("OutputArtifactFormat", "DetectChanges"),
    ),
    ("ThirdParty", "Source", "GitHub"): (("Owner", "Repo", "Branch", "OAuthToken"), ("PollForSourceChanges",)),
    ("AWS", "Build", "CodeBuild"): (
        ("ProjectName",), ("PrimarySource", "BatchEnabled", "CombineArtifacts", "EnvironmentVariables"),
    ),
    ("AWS", "Test", "CodeBuild"): (
        ("ProjectName",), ("PrimarySource", "BatchEnabled", "CombineArtifacts", "EnvironmentVariables"),
    ),
    ("AWS", "Deploy", "CodeDeploy"): (("ApplicationName", "DeploymentGroupName"), ()),
    ("AWS", "Deploy", "CodeDeployToECS"): (
        ("ApplicationName", "DeploymentGroupName", "TaskDefinitionTemplateArtifact", "AppSpecTemplateArtifact"),
        ("TaskDefinitionTemplatePath", "AppSpecTemplatePath", *_IMAGES),
    ),
    ("AWS", "Deploy", "ECS"): (("ClusterName", "ServiceName"), ("FileName", "DeploymentTimeout")),
    ("AWS", "Deploy", "ElasticBeanstalk"): (("ApplicationName", "EnvironmentName"), ()),
    ("AWS", "Deploy", "CloudFormation"): (
        ("ActionMode", "StackName"),
        ("Capabilities", "ChangeSetName", "OutputFileName", "ParameterOverrides", "RoleArn",
         "TemplateConfiguration", "TemplatePath"),
    ),
    ("AWS", "Deploy", "S3"): (
        ("BucketName", "Extract"), ("ObjectKey", "KMSEncryptionKeyARN", "CannedACL", "CacheControl"),
    ),
    ("AWS", "Invoke", "Lambda"): (("FunctionName",), ("UserParameters",)),
    ("AWS", "Deploy", "Lambda"): (("FunctionName",), ("FunctionAlias", "PublishedTargetVersion", "DeployStrategy", "Alarms")),
    ("AWS", "Invoke", "StepFunctions"): (("StateMachineArn",), ("ExecutionNamePrefix", "InputType", "Input")),
    ("AWS", "Approval", "Manual"): ((), ("NotificationArn", "ExternalEntityLink", "CustomData")),
}  # fmt: skip

# Values a configuration key accepts, case-sensitive as the service reads them.
_BOOL = ("true", "false")
CONFIG_VALUES: dict[str, tuple[str, ...]] = {
    "ActionMode": ("CHANGE_SET_EXECUTE", "CHANGE_SET_REPLACE", "CREATE_UPDATE", "DELETE_ONLY", "REPLACE_ON_FAILURE"),
    "OutputArtifactFormat": ("CODE_ZIP", "CODEBUILD_CLONE_REF"),
    "InputType": ("Literal", "FilePath"),
    "PollForSourceChanges": _BOOL,
    "DetectChanges": _BOOL,
    "BatchEnabled": _BOOL,
    "CombineArtifacts": _BOOL,
    "Extract": _BOOL,
    "AllowOverrideForS3ObjectKey": _BOOL,
}  # fmt: skip

# CloudFormation action modes -> the keys that mode needs.
CFN_MODE_KEYS: dict[str, tuple[str, ...]] = {
    "CREATE_UPDATE": ("TemplatePath", "RoleArn"),
    "REPLACE_ON_FAILURE": ("TemplatePath", "RoleArn"),
    "CHANGE_SET_REPLACE": ("TemplatePath", "RoleArn", "ChangeSetName"),
    "CHANGE_SET_EXECUTE": ("ChangeSetName",),
    "DELETE_ONLY": ("RoleArn",),
}


def identity(owner: str | None, category: str | None, provider: str | None) -> tuple[str, str, str] | None:
    if owner is None or category is None or provider is None:
        return None
    return owner, category, provider
