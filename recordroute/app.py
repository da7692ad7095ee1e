"""The RecordRoute facade and composition root: the one way in for every edge.

The methods live in small modules by area (``app_library``, ``app_jobs``, ``app_search``,
``app_compat``, ``app_views``); :class:`RecordRoute` is all of them together.
"""

from __future__ import annotations

from .app_views import ViewsFacade


class RecordRoute(ViewsFacade):
    """Open a data folder and work with its recordings.

    >>> app = RecordRoute.open("db")          # doctest: +SKIP
    >>> rec = app.add_file("meeting.m4a")     # doctest: +SKIP
    """
