"""JSON Schemas (draft 2020-12) for buildspec, appspec and CodePipeline definitions, shipped as package data."""
