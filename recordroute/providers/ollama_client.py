"""The Ollama client and the mapping of its failures onto RecordRoute's errors.

=====================================  ===========================================
What happened                          Raised
=====================================  ===========================================
connection refused / no such host      ProviderUnavailableError (start Ollama or fix
                                       RECORDROUTE_OLLAMA_HOST)
HTTP 404 or "model ... not found"      ProviderUnavailableError (``ollama pull``)
HTTP 5xx, an error inside a stream,    TransientProviderError (retry)
timeout, dropped connection
any other HTTP error (4xx)             ProviderError
=====================================  ===========================================
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from ..config import Settings
from ..errors import ProviderError, ProviderUnavailableError, TransientProviderError

REQUIREMENT = "ollama==0.6.3"
#: seconds to wait when only checking whether Ollama answers (available(), model lists)
PROBE_TIMEOUT_S = 5.0


def make_client(settings: Settings, *, timeout_s: float | None = None) -> Any:
    """An ``ollama.Client`` for ``settings.ollama_host`` with a timeout (default: the setting)."""
    import ollama

    timeout = settings.ollama_timeout_s if timeout_s is None else timeout_s
    return ollama.Client(host=settings.ollama_host, timeout=timeout)


@contextlib.contextmanager
def ollama_errors(settings: Settings, model: str, action: str) -> Iterator[None]:
    """Translate the failures of the Ollama calls inside the block (``action`` says what ran)."""
    import httpx
    import ollama

    host = settings.ollama_host
    try:
        yield
    except ollama.ResponseError as exc:
        raise _response_error(exc, host, model, action) from exc
    except (ConnectionError, httpx.ConnectError) as exc:
        raise ProviderUnavailableError(
            f"Cannot reach Ollama at {host} while {action}.",
            "Start Ollama (`ollama serve`) or set RECORDROUTE_OLLAMA_HOST to where it runs.",
        ) from exc
    except httpx.TimeoutException as exc:
        raise TransientProviderError(
            f"Ollama at {host} did not answer in time while {action} with model '{model}' "
            f"({type(exc).__name__}).",
            "Retry; for slow models or long texts raise RECORDROUTE_OLLAMA_TIMEOUT_S.",
        ) from exc
    except httpx.TransportError as exc:
        raise TransientProviderError(
            f"The connection to Ollama at {host} failed while {action} ({exc}).",
            "Retry; check that the Ollama server is still running.",
        ) from exc


def _response_error(exc: Any, host: str, model: str, action: str) -> ProviderError:
    status = int(exc.status_code)
    reason = str(exc.error)
    if status == 404 or "not found" in reason.lower():
        return ProviderUnavailableError(
            f"Ollama at {host} has no model '{model}' ({reason}).",
            f"Run `ollama pull {model}`, or choose a model that `ollama list` shows.",
        )
    if status >= 500 or status == -1:  # -1: an error reported inside a streamed answer
        return TransientProviderError(
            f"Ollama at {host} failed while {action} with model '{model}' "
            f"(HTTP {status}: {reason}).",
            "Retry; if it keeps failing, read the Ollama server log (e.g. out of memory).",
        )
    return ProviderError(
        f"Ollama at {host} refused {action} with model '{model}' (HTTP {status}: {reason}).",
        "Check the model name and the request options.",
    )


def list_model_names(settings: Settings, *, timeout_s: float = PROBE_TIMEOUT_S) -> tuple[str, ...]:
    """The names of the models Ollama has (``/api/tags``)."""
    client = make_client(settings, timeout_s=timeout_s)
    with client, ollama_errors(settings, "", "listing models"):
        response = client.list()
    return tuple(sorted(str(m.model) for m in response.models if m.model))


def has_model(names: tuple[str, ...], model: str) -> bool:
    """Whether ``model`` is among ``names`` (a name without a tag means ``:latest``)."""
    wanted = model if ":" in model else f"{model}:latest"
    return model in names or wanted in names
