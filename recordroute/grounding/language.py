"""Which language a text is in, as far as summaries need to know.

Korean is told from other languages by its script. Among Latin-script languages, a line
of several words is placed by its function words (English, German, French, Spanish).
"""

from __future__ import annotations

import re

_HANGUL = re.compile(r"[가-힣ㄱ-ㅎㅏ-ㅣ]")
_LATIN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]")
_OTHER = re.compile(r"[\u0400-\u04ff\u0590-\u06ff\u0e00-\u0e7f\u3040-\u30ff\u4e00-\u9fff]")
_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]+")
FUNCTION_WORDS = {
    "en": frozenset("the and of to is are was were that with for this have will we".split()),
    "de": frozenset("der die das und ist nicht mit ein eine wir sie zu auf für dem den".split()),
    "fr": frozenset("le la les et est une des que pas pour dans nous avec sur du".split()),
    "es": frozenset("el la los las y es una que por para con del nos se está".split()),
}
NAMES = {"ko": "Korean", "en": "English", "de": "German", "fr": "French", "es": "Spanish"}


def script_counts(text: str) -> tuple[int, int, int]:
    """(Hangul, Latin, other-script) letters in ``text``."""
    return len(_HANGUL.findall(text)), len(_LATIN.findall(text)), len(_OTHER.findall(text))


def detect_language(text: str, hint: str = "") -> str:
    """``ko`` when Hangul is a real share of the letters; else the hint, else ``en``."""
    hangul, latin, _other = script_counts(text)
    if hangul and hangul >= latin / 3:
        return "ko"
    return hint if hint and hint not in ("auto", "ko") else "en"


def latin_language(text: str) -> str | None:
    """The Latin-script language whose function words a text uses most (None: too few)."""
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < 5:
        return None
    votes = {lang: sum(w in fw for w in words) for lang, fw in FUNCTION_WORDS.items()}
    best = max(votes, key=lambda lang: votes[lang])
    ranked = sorted(votes.values(), reverse=True)
    return best if ranked[0] >= 2 and ranked[0] > ranked[1] else None


def line_language(line: str) -> str | None:
    """``ko``, a Latin-script language code, ``latin`` (undecided), ``other``, or None (no letters).

    Korean lines may carry English terms (API, Q3): a line is Korean when at least a third of
    its letters are Hangul.
    """
    hangul, latin, other = script_counts(line)
    letters = hangul + latin + other
    if not letters:
        return None
    if hangul * 3 >= letters:
        return "ko"
    if hangul + other > letters * 0.2:
        return "other"
    return latin_language(line) or "latin"


def source_languages(sentences: list[str], primary: str) -> frozenset[str]:
    """``primary`` and every language that makes up at least a fifth of the sentences."""
    found = [line_language(s) for s in sentences]
    known = [lang for lang in found if lang not in (None, "latin")]
    allowed = {primary}
    for lang in set(known):
        if lang is not None and known.count(lang) * 5 >= len(found):
            allowed.add(lang)
    return frozenset(allowed)


def language_mismatch(line: str, allowed: frozenset[str]) -> str | None:
    """Why ``line`` is in none of the ``allowed`` languages (a phrase), or None when it is fine."""
    lang = line_language(line)
    if lang is None or lang in allowed or (lang == "latin" and allowed - {"ko", "other"}):
        return None
    want = " or ".join(sorted(NAMES.get(a, a) for a in allowed))
    said = {"other": "another script", "latin": "a language written in Latin letters"}.get(
        lang, NAMES.get(lang, lang)
    )
    return f"it is in {said}, but the recording is in {want}"
