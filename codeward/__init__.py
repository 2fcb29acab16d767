"""codeward: lint and simulate AWS CodeBuild, CodeDeploy and CodePipeline definitions, review Python."""

__version__ = "0.1.0"
DOCS_URL = "https://github.com/codeward-dev/codeward/blob/main/docs/rules.md"
