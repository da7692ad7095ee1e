"""A streaming ``multipart/form-data`` parser that never holds a whole body.

Feed it the body in pieces of any size; it returns events (``PartStart``, ``bytes``
of the current part, ``PartEnd``) in order.  Part bodies are passed on byte for byte:
the CRLF before a delimiter belongs to the delimiter (RFC 2046), nothing else is
stripped.  File names come from ``filename*=`` (RFC 5987/2231, any charset) when
present, else ``filename=`` (quoted, raw UTF-8 as browsers send it).
"""

from __future__ import annotations

import dataclasses
import urllib.parse
from collections.abc import Iterator

from ..errors import echo
from .errors import MalformedRequestError

MAX_HEADER_BYTES = 16 * 1024
MAX_BOUNDARY = 200


@dataclasses.dataclass(frozen=True)
class PartStart:
    """The headers of a part: its form field name, its file name (None if not a file)."""

    name: str
    filename: str | None
    content_type: str
    headers: dict[str, str]


@dataclasses.dataclass(frozen=True)
class PartEnd:
    """The current part is complete."""


Event = PartStart | PartEnd | bytes


def boundary_from(content_type: str) -> bytes:
    """The boundary of a ``multipart/form-data`` content type, or a clear error."""
    kind, params = parse_header(content_type)
    if kind != "multipart/form-data":
        raise MalformedRequestError(
            f"Content-Type {echo(kind or '(none)')} is not multipart/form-data.",
            "Send the files as multipart/form-data (a browser form or FormData does).",
        )
    boundary = params.get("boundary", "")
    if not boundary or len(boundary) > MAX_BOUNDARY:
        raise MalformedRequestError(
            "The multipart Content-Type has no usable boundary.",
            "Let the HTTP client build the multipart body and its header.",
        )
    return boundary.encode("latin-1", "replace")


def parse_header(value: str) -> tuple[str, dict[str, str]]:
    """``type; a=1; b="x y"`` as ("type", {"a": "1", "b": "x y"}); names lower-cased.

    Quoted strings may contain ``;`` and backslash escapes.  ``name*`` parameters
    (RFC 5987: ``charset'lang'percent-encoded``) are decoded into ``name``, taking
    precedence over a plain ``name``.
    """
    items = _split_params(value)
    if not items:
        return "", {}
    params: dict[str, str] = {}
    extended: dict[str, str] = {}
    for item in items[1:]:
        key, sep, raw = item.partition("=")
        key = key.strip().lower()
        if not sep or not key:
            continue
        raw = raw.strip()
        if key.endswith("*"):
            extended[key[:-1]] = _decode_extended(_unquote(raw))
        else:
            params[key] = _unquote(raw)
    params.update(extended)
    return items[0].strip().lower(), params


def _split_params(value: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for ch in value:
        if escaped:
            current.append(ch)
            escaped = False
        elif quoted and ch == "\\":
            current.append(ch)
            escaped = True
        elif ch == '"':
            current.append(ch)
            quoted = not quoted
        elif ch == ";" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p for p in parts if p.strip()]


def _unquote(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        inner = raw[1:-1]
        out: list[str] = []
        it = iter(inner)
        for ch in it:
            out.append(next(it, "") if ch == "\\" else ch)
        return "".join(out)
    return raw


def _decode_extended(raw: str) -> str:
    charset, sep, rest = raw.partition("'")
    if not sep:
        return urllib.parse.unquote(raw)
    _lang, sep, encoded = rest.partition("'")
    if not sep:
        encoded = rest
    try:
        return urllib.parse.unquote(encoded, encoding=charset or "utf-8", errors="strict")
    except (LookupError, UnicodeDecodeError) as exc:
        raise MalformedRequestError(
            f"The extended parameter {raw[:60]!r} cannot be decoded ({exc}).",
            "Encode file names as UTF-8 in filename*=.",
        ) from None


class MultipartParser:
    """Incremental parser: ``feed()`` pieces, then ``close()`` (which checks the end)."""

    def __init__(self, boundary: bytes, *, max_header_bytes: int = MAX_HEADER_BYTES) -> None:
        self._delimiter = b"\r\n--" + boundary
        self._buffer = bytearray(b"\r\n")  # so the first delimiter looks like every other
        self._state = "preamble"
        self._max_header = max_header_bytes
        self.parts = 0

    @property
    def finished(self) -> bool:
        return self._state == "epilogue"

    def feed(self, data: bytes) -> list[Event]:
        if self._state == "epilogue":
            return []  # anything after the closing delimiter is ignored
        self._buffer += data
        return list(self._drain())

    def close(self) -> list[Event]:
        """Check the body ended with the closing delimiter; return any last events."""
        if self._state != "epilogue":
            raise MalformedRequestError(
                "The multipart body ended before its closing boundary.",
                "Send the complete body (the upload may have been cut off).",
            )
        return []

    def _drain(self) -> Iterator[Event]:
        while True:
            if self._state == "preamble":
                at = self._buffer.find(self._delimiter)
                if at < 0:
                    keep = len(self._delimiter) - 1
                    if len(self._buffer) > keep:
                        del self._buffer[: len(self._buffer) - keep]
                    return
                del self._buffer[: at + len(self._delimiter)]
                self._state = "after_delimiter"
            elif self._state == "after_delimiter":
                if not self._after_delimiter():
                    return
                if self._state == "epilogue":
                    self._buffer.clear()
                    return
            elif self._state == "headers":
                end = self._buffer.find(b"\r\n\r\n")
                if end < 0:
                    if len(self._buffer) > self._max_header:
                        raise MalformedRequestError(
                            f"A multipart part has headers longer than {self._max_header} bytes.",
                            "Send ordinary part headers (name, filename, content type).",
                        )
                    return
                raw = bytes(self._buffer[:end])
                del self._buffer[: end + 4]
                self._state = "body"
                self.parts += 1
                yield self._part_start(raw)
            elif self._state == "body":
                at = self._buffer.find(self._delimiter)
                if at < 0:
                    safe = len(self._buffer) - (len(self._delimiter) - 1)
                    if safe > 0:
                        chunk = bytes(self._buffer[:safe])
                        del self._buffer[:safe]
                        yield chunk
                    return
                if at:
                    yield bytes(self._buffer[:at])
                del self._buffer[: at + len(self._delimiter)]
                yield PartEnd()
                self._state = "after_delimiter"
            else:  # pragma: no cover - epilogue returns above
                return

    def _after_delimiter(self) -> bool:
        """Decide between the closing ``--`` and a CRLF that starts the next part."""
        if len(self._buffer) < 2:
            return False
        if self._buffer[:2] == b"--":
            self._state = "epilogue"
            return True
        line_end = self._buffer.find(b"\r\n")
        if line_end < 0:
            if len(self._buffer) > 1024:
                raise MalformedRequestError(
                    "A multipart boundary line is not followed by a line break.",
                    "Check the boundary in the body matches the Content-Type header.",
                )
            return False
        if self._buffer[:line_end].strip(b" \t"):  # only transport padding may follow
            raise MalformedRequestError(
                "A multipart boundary line has unexpected text after it.",
                "Check the boundary in the body matches the Content-Type header.",
            )
        del self._buffer[: line_end + 2]
        self._state = "headers"
        return True

    def _part_start(self, raw: bytes) -> PartStart:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        headers: dict[str, str] = {}
        for line in text.split("\r\n"):
            if not line.strip():
                continue
            name, sep, value = line.partition(":")
            if not sep or not name.strip():
                raise MalformedRequestError(
                    f"The multipart header line {line[:60]!r} is not 'Name: value'.",
                    "Send well-formed part headers.",
                )
            headers[name.strip().lower()] = value.strip()
        disposition, params = parse_header(headers.get("content-disposition", ""))
        if disposition != "form-data" or "name" not in params:
            raise MalformedRequestError(
                "A multipart part has no 'Content-Disposition: form-data; name=...' header.",
                "Send every part with a form-data Content-Disposition.",
            )
        return PartStart(
            name=params["name"],
            filename=params.get("filename"),
            content_type=headers.get("content-type", "application/octet-stream"),
            headers=headers,
        )
