"""The processing pipeline: steps, map-reduce summaries, and resumable jobs."""

from .ports import JobStore, RecordingStore, SearchSink
from .runner import JobRunner, Providers, WorkerPool
from .steps import STEP_ALIASES, STEP_ORDER, plan_steps
from .summarize import MapReduceSummarizer, SummaryResult

__all__ = [
    "STEP_ALIASES",
    "STEP_ORDER",
    "JobRunner",
    "JobStore",
    "MapReduceSummarizer",
    "Providers",
    "RecordingStore",
    "SearchSink",
    "SummaryResult",
    "WorkerPool",
    "plan_steps",
]
