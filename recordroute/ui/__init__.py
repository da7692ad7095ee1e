"""ipywidgets panels for the Voila dashboard and JupyterLab: each is a function (app) -> Widget.

Callbacks live here, not in notebooks, so that unit tests fire them with ``button.click()``
and no kernel.  Every widget carries a ``rr-...`` CSS class as a hook for browser tests.
"""

from .browser import TranscriptPlayer, Uploader
from .common import find, find_all
from .i18n import LANGUAGES, Translator
from .insights import InsightsPanel, insights_panel
from .library import LibraryPanel, library_panel
from .notebook import player, uploader
from .progress import JobProgress
from .queue import QueuePanel, queue_panel
from .samples import KNOWN_QUERIES, SAMPLE_DOCUMENTS, find_shared_audio, open_sample_archive
from .search import SearchPanel, search_panel
from .shell import JobWatcher, Shell
from .upload import UploadPanel, upload_panel
from .viewer import ViewerPanel, viewer_panel
from .workbench import Workbench, open_dashboard_app, workbench

__all__ = [
    "KNOWN_QUERIES",
    "LANGUAGES",
    "SAMPLE_DOCUMENTS",
    "InsightsPanel",
    "JobProgress",
    "JobWatcher",
    "LibraryPanel",
    "QueuePanel",
    "SearchPanel",
    "Shell",
    "TranscriptPlayer",
    "Translator",
    "UploadPanel",
    "Uploader",
    "ViewerPanel",
    "Workbench",
    "find",
    "find_all",
    "find_shared_audio",
    "insights_panel",
    "library_panel",
    "open_dashboard_app",
    "open_sample_archive",
    "player",
    "queue_panel",
    "search_panel",
    "upload_panel",
    "uploader",
    "viewer_panel",
    "workbench",
]
