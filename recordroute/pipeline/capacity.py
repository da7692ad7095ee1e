"""Whether a language model can write summaries, and what to say when it cannot.

The embedded models (SmolLM2-135M, Gemma 3 270M) exist so that RecordRoute runs offline
out of the box; they cannot write a faithful summary. For them the summary is extractive
from the start. Any other model is given the chance, and its lines are checked: when most
fail, the summary is extractive too.
"""

from __future__ import annotations

import dataclasses

from ..engine_protocols import LanguageModel

#: embedded models known to be too small to write (name: what to call them)
TOO_SMALL = {"bundled-smollm2": "SmolLM2-135M", "bundled-gemma3-270m": "Gemma 3 270M"}
#: models with fewer parameters than this (where the provider says) do not write summaries
MIN_PARAMETERS = 1_000_000_000
#: an abstractive summary needs at least this share of the model's lines to pass the check
MIN_GROUNDED_SHARE = 0.5
MODES = ("auto", "extractive", "abstractive")
OLLAMA_HINT = "RECORDROUTE_LLM_PROVIDER=ollama, RECORDROUTE_LLM_MODEL=gemma3:4b"


@dataclasses.dataclass(frozen=True)
class Capacity:
    can_write: bool
    #: the model as the user knows it
    label: str


def model_label(model: LanguageModel) -> str:
    name = str(getattr(model, "model_name", "") or model.name)
    return TOO_SMALL.get(name, name)


def writing_capacity(model: LanguageModel) -> Capacity:
    name = str(getattr(model, "model_name", "") or model.name)
    label = model_label(model)
    if name in TOO_SMALL:
        return Capacity(False, label)
    parameters = getattr(model, "parameter_count", None)
    if isinstance(parameters, int) and 0 < parameters < MIN_PARAMETERS:
        return Capacity(False, label)
    return Capacity(True, label)


_NOTES = {
    "en": {
        "too_small": (
            "Extractive summary: sentences taken word for word from the recording. {label} is "
            "too small to write summaries; for written summaries, use an Ollama model ({hint})."
        ),
        "failed_check": (
            "Extractive summary: sentences taken word for word from the recording. {label} wrote "
            "{written} lines, but only {kept} could be traced to the recording, so none of them "
            "is shown; a larger Ollama model writes better summaries ({hint})."
        ),
        "asked": "Extractive summary, as asked: sentences taken word for word from the recording.",
        "written": (
            "Written by {label}. Every line was checked against the recording: {kept} of "
            "{written} lines were kept."
        ),
        "filled": " Sections it left empty hold sentences taken from the recording.",
    },
    "ko": {
        "too_small": (
            "추출 요약: 녹음의 문장을 그대로 가져왔습니다. {label} 모델은 요약문을 쓰기에 "
            "너무 작습니다. 글로 쓴 요약을 원하면 Ollama 모델을 쓰세요 ({hint})."
        ),
        "failed_check": (
            "추출 요약: 녹음의 문장을 그대로 가져왔습니다. {label} 모델이 쓴 {written}줄 가운데 "
            "녹음에서 근거를 찾은 줄이 {kept}줄뿐이라 모델의 글은 싣지 않았습니다. 더 큰 Ollama "
            "모델이 더 나은 요약을 씁니다 ({hint})."
        ),
        "asked": "추출 요약(요청한 방식): 녹음의 문장을 그대로 가져왔습니다.",
        "written": (
            "{label} 모델이 쓴 요약입니다. 모든 줄을 녹음과 대조해 {written}줄 가운데 "
            "{kept}줄을 남겼습니다."
        ),
        "filled": " 모델이 비워 둔 항목은 녹음의 문장으로 채웠습니다.",
    },
}


def mode_note(
    reason: str,
    language: str,
    *,
    label: str = "",
    written: int = 0,
    kept: int = 0,
    filled: bool = False,
) -> str:
    """The summary's mode in plain words, in the summary's language.

    ``reason`` is ``too_small``, ``failed_check``, ``asked`` (extractive) or ``written``
    (abstractive).
    """
    notes = _NOTES["ko" if language == "ko" else "en"]
    text = notes[reason].format(label=label, written=written, kept=kept, hint=OLLAMA_HINT)
    return text + (notes["filled"] if filled and reason == "written" else "")
