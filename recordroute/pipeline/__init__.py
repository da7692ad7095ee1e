"""The processing pipeline: steps, grounded summaries, and resumable jobs."""

from .grounded import GroundedSummarizer
from .grounded_result import GroundedSummary
from .ports import JobStore, RecordingStore, SearchSink
from .runner import JobRunner, Providers, WorkerPool
from .steps import STEP_ALIASES, STEP_ORDER, plan_steps
from .summarize import MapReduceSummarizer, SummaryResult
from .templates import (
    BUILTIN_NAMES,
    SummaryTemplate,
    TemplateSource,
    get_template,
    template_from_dict,
)

__all__ = [
    "BUILTIN_NAMES",
    "STEP_ALIASES",
    "STEP_ORDER",
    "GroundedSummarizer",
    "GroundedSummary",
    "JobRunner",
    "JobStore",
    "MapReduceSummarizer",
    "Providers",
    "RecordingStore",
    "SearchSink",
    "SummaryResult",
    "SummaryTemplate",
    "TemplateSource",
    "WorkerPool",
    "get_template",
    "plan_steps",
    "template_from_dict",
]
