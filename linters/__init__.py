"""Linters and simulators for buildspec, appspec and CodePipeline definitions."""
