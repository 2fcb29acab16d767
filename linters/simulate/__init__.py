"""`codeward simulate`: what CodeBuild, CodeDeploy and CodePipeline would do with a definition file.

Data flows load -> lint -> simulate -> report: a file is loaded and linted exactly as `codeward lint`
does, structural errors stop the simulation (they are reported as findings), then the kind's simulator
builds a trace. Nothing is executed unless `--execute` is given.
"""
