"""Split timed lines into chunks that fit a token budget, with overlap."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..errors import InvalidInputError

TokenCounter = Callable[[str], int]


def chunk_lines(
    lines: Sequence[str], count_tokens: TokenCounter, budget: int, overlap: int
) -> list[list[str]]:
    """Greedy chunks of whole lines, each within ``budget`` tokens.

    Each chunk after the first starts with up to ``overlap`` tokens of the previous
    chunk's last lines, so that nothing said across a boundary is lost. A single
    line longer than the budget is split by words (never dropped).
    """
    if budget < 8:
        raise InvalidInputError(
            f"A chunk budget of {budget} tokens is too small.",
            "Use a model with a larger context window (RECORDROUTE_LLM_CONTEXT).",
        )
    sized: list[tuple[str, int]] = []
    for line in lines:
        tokens = count_tokens(line)
        if tokens <= budget:
            sized.append((line, tokens))
            continue
        piece: list[str] = []
        for word in line.split():
            candidate = " ".join([*piece, word])
            if piece and count_tokens(candidate) > budget:
                text = " ".join(piece)
                sized.append((text, count_tokens(text)))
                piece = [word]
            else:
                piece.append(word)
        if piece:
            text = " ".join(piece)
            sized.append((text, count_tokens(text)))
    chunks: list[list[str]] = []
    current: list[tuple[str, int]] = []
    used = 0
    for line, tokens in sized:
        if current and used + tokens > budget:
            chunks.append([text for text, _ in current])
            carry: list[tuple[str, int]] = []
            carried = 0
            for prev in reversed(current):
                if carried + prev[1] > overlap or carried + prev[1] + tokens > budget:
                    break
                carry.insert(0, prev)
                carried += prev[1]
            current, used = carry, carried
        current.append((line, tokens))
        used += tokens
    if current:
        chunks.append([text for text, _ in current])
    return chunks
