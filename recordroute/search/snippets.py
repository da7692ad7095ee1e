"""Snippets: a window of a passage centred on its densest run of whole-word matches."""

from __future__ import annotations

from collections.abc import Sequence

from .results import SnippetStyle
from .words import Match, Term, find_matches

_ELLIPSIS = "…"


def best_window(text: str, matches: Sequence[Match], width: int) -> int:
    """Start of the ``width``-character window holding the most distinct terms (then matches).

    The window is centred on the matches it holds and kept inside the text.
    """
    if len(text) <= width or not matches:
        return 0
    best_key = (-1, -1)
    best_start = 0
    for first, anchor in enumerate(matches):
        inside = [m for m in matches[first:] if m.end <= anchor.start + width]
        key = (len({m.term for m in inside}), len(inside))
        if key > best_key:
            best_key = key
            middle = (anchor.start + inside[-1].end) // 2
            best_start = middle - width // 2
    return max(0, min(best_start, len(text) - width))


def make_snippet(text: str, terms: Sequence[Term], style: SnippetStyle) -> str:
    """A window of ``text`` around its best run of matches, every whole-word match marked."""
    found = find_matches(text, terms)
    start = best_window(text, found, style.width)
    if start > 0:
        # do not cut a word in half at the window's left edge
        space = text.find(" ", start, start + style.width // 4)
        if space != -1:
            start = space + 1
    end = min(len(text), start + style.width)
    if end < len(text):
        space = text.rfind(" ", end - style.width // 4, end)
        if space > start:
            end = space
    pieces = [_ELLIPSIS] if start > 0 else []
    cursor = start
    for match in found:
        if match.start < cursor or match.end > end:
            continue
        pieces.append(style.escape(text[cursor : match.start]))
        pieces.append(style.open + style.escape(text[match.start : match.end]) + style.close)
        cursor = match.end
    pieces.append(style.escape(text[cursor:end]))
    if end < len(text):
        pieces.append(_ELLIPSIS)
    return "".join(pieces)
