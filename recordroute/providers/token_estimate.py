"""Estimating token counts when the model's tokenizer is not at hand (Ollama).

The estimate errs high so that prompts planned with it fit the context window:
an ASCII word costs one token per 3 letters (at least one), a number one per 2 digits,
and every other character (Hangul, CJK, punctuation, emoji) one token each.
"""

from __future__ import annotations

import math
import re

_PIECES = re.compile(r"[A-Za-z]+|[0-9]+|\S")


def estimate_tokens(text: str) -> int:
    """An upper estimate of the tokens a typical multilingual tokenizer makes of ``text``."""
    total = 0
    for match in _PIECES.finditer(text):
        piece = match.group()
        if piece[0].isascii() and piece[0].isalpha():
            total += math.ceil(len(piece) / 3)
        elif piece[0].isdigit() and piece.isascii():
            total += math.ceil(len(piece) / 2)
        else:
            total += 1
    return total
