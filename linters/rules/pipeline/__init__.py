"""CodePipeline rules (CWP). Semantic rules derive from PipelineRule: bound to the view root, they reason on
the form-independent model of linters.pipeline_form and report at the paths it keeps."""

from __future__ import annotations

from typing import Any, ClassVar

from codeward.findings import Fix
from linters.document import Path
from linters.pipeline_form import Pipeline, pipeline_model
from linters.rule import Context, DocumentRule


class PipelineRule(DocumentRule):
    kinds: ClassVar[frozenset[str]] = frozenset({"pipeline"})
    paths: ClassVar[tuple[str, ...]] = ("",)

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        pipeline = pipeline_model(ctx, value, path)
        if pipeline is not None:
            self.check_pipeline(ctx, pipeline)

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        raise NotImplementedError

    @staticmethod
    def report(
        ctx: Context,
        pipeline: Pipeline,
        path: Path,
        message: str,
        *,
        key: bool = False,
        fix: Fix | None = None,
        notes: tuple[str, ...] = (),
    ) -> None:
        ctx.report(path, pipeline.message(message), key=key, fix=fix, notes=notes)
