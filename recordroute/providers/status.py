"""Building the honest answer of a provider's ``available()``."""

from __future__ import annotations

from collections.abc import Callable

from ..engine_protocols import ProviderStatus
from ..errors import RecordRouteError


def status_of(name: str, check: Callable[[], str], requirement: str) -> ProviderStatus:
    """Run ``check`` (which returns a detail line or raises) and describe the outcome.

    A missing engine package or a RecordRoute error (missing model, unreachable service)
    becomes ``ok=False`` with the error's message and fix; anything else propagates.
    """
    try:
        detail = check()
    except ImportError as exc:
        return ProviderStatus(
            ok=False,
            name=name,
            detail=f"The Python package for {name} is not installed ({exc}).",
            fix=f"pip install {requirement} (or install RecordRoute with its 'ml' extra).",
        )
    except RecordRouteError as exc:
        return ProviderStatus(ok=False, name=name, detail=exc.message, fix=exc.fix)
    return ProviderStatus(ok=True, name=name, detail=detail)
