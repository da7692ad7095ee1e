"""The core's one way in: :class:`RecordRoute` and the services it is composed of."""

from .facade import RecordRoute

__all__ = ["RecordRoute"]
