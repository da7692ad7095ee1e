"""Language codes Whisper understands, and checking a requested language against a model."""

from __future__ import annotations

from ..errors import InvalidInputError

_CODES = (
    "af am ar as az ba be bg bn bo br bs ca cs cy da de el en es et eu fa fi fo fr gl gu ha haw "
    "he hi hr ht hu hy id is it ja jw ka kk km kn ko la lb ln lo lt lv mg mi mk ml mn mr ms mt "
    "my ne nl nn no oc pa pl ps pt ro ru sa sd si sk sl sn so sq sr su sv sw ta te tg th tk tl "
    "tr tt uk ur uz vi yi yo yue zh"
)
#: the language codes of Whisper's tokenizer (large-v3 adds "yue")
WHISPER_LANGUAGES = frozenset(_CODES.split())
#: what the language of a recording without speech is reported as (ISO 639-2 "undetermined")
UNDETERMINED = "und"


def resolve_language(requested: str | None, configured: str) -> str | None:
    """The language to force, or None to detect it.

    ``requested`` (from the caller) wins over ``configured`` (RECORDROUTE_LANGUAGE);
    ``"auto"`` or an empty value means detect.
    """
    value = configured if requested is None else requested
    code = value.strip().lower()
    if code in ("", "auto"):
        return None
    if code not in WHISPER_LANGUAGES:
        raise InvalidInputError(
            f"Language code {value!r} is not one Whisper knows.",
            "Use 'auto' to detect the language, or a code such as en, ko, de, ja, fr, es, zh "
            "(set RECORDROUTE_LANGUAGE or the request's language).",
        )
    return code


def check_model_language(model_name: str, multilingual: bool, language: str | None) -> None:
    """Refuse to force a non-English language on an English-only model."""
    if not multilingual and language not in (None, "en"):
        raise InvalidInputError(
            f"Whisper model '{model_name}' understands only English, "
            f"but language '{language}' was requested.",
            "Use a multilingual model (e.g. RECORDROUTE_WHISPER_MODEL=bundled-base), "
            "or set the language to 'en' or 'auto'.",
        )
