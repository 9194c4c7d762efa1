"""The prompts behind a paper summary: one short prompt per field, in English and in Chinese.

Each prompt puts the paper's own passages first, then a one-line instruction, then a cue such as
"Background:", so a base model (the bundled Gemma 3 270M) continues with the field itself and an
instruction-tuned model reads it as one chat turn. Fields that share a part of the paper share
the same material, so llama.cpp reuses the already-read prefix and the paper is read once per part.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from assistant.domain import Lang
from models.generator import Prompt

Role = Literal["overview", "intro", "method", "results", "conclusion"]
Kind = Literal["prose", "list", "steps"]

ROLE_NAMES: dict[Role, dict[Lang, str]] = {
    "overview": {"en": "abstract and conclusion", "zh": "摘要和结论"},
    "intro": {"en": "introduction", "zh": "引言"},
    "method": {"en": "method", "zh": "方法"},
    "results": {"en": "experiments and results", "zh": "实验与结果"},
    "conclusion": {"en": "conclusion", "zh": "结论"},
}


@dataclass(frozen=True)
class FieldSpec:
    """How one summary field is asked for: which part of the paper, what to write, how long."""

    name: str
    role: Role
    kind: Kind
    query: str  # words that mark the sentences this field is about (for ranking and fallback)
    max_tokens: int
    instruction: dict[Lang, str]
    cue: dict[Lang, str]


_TERMS_ZH = "用中文写，专业术语、方法名和数据集名保留英文。"

# In generation order: fields sharing a role are adjacent so the material prefix is reused.
FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "one_line",
        "overview",
        "prose",
        "we propose present introduce show method results paper",
        60,
        {
            "en": "Say in one sentence what this paper does and what it finds.",
            "zh": "用一句话说明这篇论文做了什么、发现了什么。" + _TERMS_ZH,
        },
        {"en": "One-sentence summary:", "zh": "一句话总结："},
    ),
    FieldSpec(
        "takeaways",
        "overview",
        "list",
        "we show propose results outperforms improves achieves novel first",
        150,
        {
            "en": "List the paper's key takeaways, one short point per line.",
            "zh": "逐条列出这篇论文的要点，每行一条。" + _TERMS_ZH,
        },
        {"en": "Key takeaways:\n-", "zh": "要点：\n-"},
    ),
    FieldSpec(
        "keywords",
        "overview",
        "prose",
        "",
        24,
        {
            "en": "Give four to six keywords for this paper, separated by commas.",
            "zh": "给出这篇论文的四到六个英文关键词，用逗号分隔。",
        },
        {"en": "Keywords:", "zh": "关键词："},
    ),
    FieldSpec(
        "background",
        "intro",
        "prose",
        "problem important challenge task widely applications need",
        90,
        {
            "en": "In two sentences, describe the background: the problem and why it matters.",
            "zh": "用两句话介绍研究背景：要解决什么问题，为什么重要。" + _TERMS_ZH,
        },
        {"en": "Background:", "zh": "背景："},
    ),
    FieldSpec(
        "past_methods",
        "intro",
        "prose",
        "previous prior existing approaches methods however limited suffer fail require",
        90,
        {
            "en": "In two sentences, describe the earlier methods and what is wrong with them.",
            "zh": "用两句话说明以往的方法及其不足。" + _TERMS_ZH,
        },
        {"en": "Past methods and their problems:", "zh": "以往方法及其问题："},
    ),
    FieldSpec(
        "method",
        "method",
        "prose",
        "we propose our method approach model architecture consists uses",
        100,
        {
            "en": "In two or three sentences, describe the method this paper proposes.",
            "zh": "用两三句话介绍本文提出的方法。" + _TERMS_ZH,
        },
        {"en": "Proposed method:", "zh": "提出的方法："},
    ),
    FieldSpec(
        "method_steps",
        "method",
        "steps",
        "first then next finally step stage input output layer train",
        140,
        {
            "en": "Describe how the method works as short numbered steps.",
            "zh": "把方法的流程写成简短的编号步骤。" + _TERMS_ZH,
        },
        {"en": "Steps:\n1. First,", "zh": "方法步骤：\n1. 首先，"},
    ),
    FieldSpec(
        "conclusion_workload",
        "method",
        "prose",
        "training data time gpu hours parameters cost complexity dataset images samples",
        70,
        {
            "en": "In one sentence, say how much work the method takes: data, training, compute.",
            "zh": "用一句话说明方法的工作量：数据、训练和计算开销。" + _TERMS_ZH,
        },
        {"en": "Workload:", "zh": "工作量："},
    ),
    FieldSpec(
        "tasks_results",
        "results",
        "prose",
        "dataset benchmark evaluate accuracy results outperforms achieves score table",
        100,
        {
            "en": "In two sentences, say which tasks and datasets the paper evaluates on and "
            "what results it reports.",
            "zh": "用两句话说明论文在哪些任务和数据集上评测、取得了什么结果。" + _TERMS_ZH,
        },
        {"en": "Tasks and results:", "zh": "任务与结果："},
    ),
    FieldSpec(
        "conclusion_performance",
        "results",
        "prose",
        "outperforms improves accuracy better than state art results error",
        70,
        {
            "en": "In one sentence, say how well the method performs compared with others.",
            "zh": "用一句话说明该方法与其他方法相比表现如何。" + _TERMS_ZH,
        },
        {"en": "Performance:", "zh": "性能："},
    ),
    FieldSpec(
        "conclusion_significance",
        "conclusion",
        "prose",
        "conclusion significance enables impact future work important contribution",
        80,
        {
            "en": "In one or two sentences, say why this work matters.",
            "zh": "用一两句话说明这项工作的意义。" + _TERMS_ZH,
        },
        {"en": "Significance:", "zh": "意义："},
    ),
    FieldSpec(
        "conclusion_innovation",
        "conclusion",
        "prose",
        "novel new first propose introduce contribution unlike",
        70,
        {
            "en": "In one sentence, say what is new in this work.",
            "zh": "用一句话说明这项工作的创新点。" + _TERMS_ZH,
        },
        {"en": "Innovation:", "zh": "创新点："},
    ),
)

# Labels a model might run on into; generation stops there. A blank line ends a field too, but only
# after some text (summarize.py watches for it): small models often open with a blank line.
STOPS: tuple[str, ...] = (
    "<end_of_turn>",
    "\nTitle:",
    "\nFrom the paper",
    *sorted({"\n" + spec.cue[lang].split("\n")[0] for spec in FIELDS for lang in ("en", "zh")}),
)


def material_text(title: str, role: Role, lang: Lang, passages: list[tuple[str, str]]) -> str:
    """The passages a field is written from, with the paper's title and where they come from."""
    heading = f"Title: {title}\n\nFrom the paper's {ROLE_NAMES[role]['en']} ({{where}}):"
    where = "; ".join(dict.fromkeys(w for w, _ in passages if w)) or "abstract"
    body = "\n\n".join(text for _, text in passages)
    return heading.format(where=where) + "\n\n" + body


def field_prompt(spec: FieldSpec, material: str, lang: Lang) -> Prompt:
    """The prompt for one field of one paper."""
    return Prompt(instruction=spec.instruction[lang], material=material, cue=spec.cue[lang])


def stops_for(spec: FieldSpec, lang: Lang) -> tuple[str, ...]:
    """Stop sequences for a field: blank lines and every field's label (a repeated label is a loop)."""
    return STOPS


# A worked example for base models: English lines and their Chinese, names and terms kept in English.
# Written for this project; the tide-gauge paper is made up. Constant, so llama.cpp reads it once.
TRANSLATION_EXAMPLE = """English: We train a ResNet-50 encoder with the Adam optimizer on ImageNet for 90 epochs, which takes two days on eight GPUs.
中文：我们用 Adam 优化器在 ImageNet 上训练 ResNet-50 编码器 90 个 epoch，在八块 GPU 上需要两天。

English: Its mean error is 4.1 cm, against 7.9 cm for harmonic analysis, and it reports an uncertainty for every prediction.
中文：它的平均误差为 4.1 cm，而 harmonic analysis 为 7.9 cm，并且每个预测都给出不确定性。

English: Sparse Gaussian Processes for Tide Prediction at Short-Record Gauges
中文：用于短记录潮位站潮汐预测的稀疏 Gaussian Process"""  # noqa: E501

TRANSLATION_STOPS: tuple[str, ...] = ("\n", "<end_of_turn>", "English:")


def translation_prompt(text: str) -> Prompt:
    """Ask for one line of English (a field, a list item or a title) in Chinese, terms kept in English."""
    return Prompt(
        instruction="把上面的英文译成中文，只写译文；专业术语、方法名、数据集名和人名保留英文。",
        material=f"English: {' '.join(text.split())}",
        cue="中文：",
        example=TRANSLATION_EXAMPLE,
    )
