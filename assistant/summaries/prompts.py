"""The prompts behind a paper summary: shorten the paper's chosen sentences, name keywords, translate.

The model never writes a field from a section of the paper: it is given the sentences already
chosen for the field and may only shorten or join them. Every prompt works for a base model (the
bundled Gemma 3 270M continues a worked example ending in a cue such as "Shorter:") and for a chat
model (which gets the instruction in one user turn instead; see `Prompt`).
"""

from __future__ import annotations

from models.generator import Prompt

# A worked example for base models, in the shape of the material and cue, written for this project
# (the river paper is made up). Chat models get the instruction instead. Constant, so llama.cpp
# reads it once for every field.
SHORTEN_EXAMPLE = """Sentences: We propose RiverNet, a recurrent network that reads radar rainfall maps every hour and, in contrast to the gauge models used so far, predicts the level of rivers that have no gauge at all.
Shorter: We propose RiverNet, a recurrent network that reads radar rainfall maps and predicts the level of rivers that have no gauge.

Sentences: On the Severn basin, over the 30 days of the test period, RiverNet reduced the mean absolute error to 4.2 cm. The best gauge model reached 7.9 cm.
Shorter: On the Severn basin RiverNet reduced the mean absolute error to 4.2 cm, against 7.9 cm for the best gauge model."""  # noqa: E501

SHORTEN_INSTRUCTION = (
    "Shorten the sentences above into one sentence of at most 35 words. Use only their words, keep "
    "every number and name, and add nothing."
)
SHORTEN_STOPS: tuple[str, ...] = ("\n", "<end_of_turn>", "Sentences:")


def shorten_prompt(sentences: list[str]) -> Prompt:
    """Ask for the paper's sentences shortened or joined into one, in their own words."""
    return Prompt(
        instruction=SHORTEN_INSTRUCTION,
        material="Sentences: " + " ".join(" ".join(s.split()) for s in sentences),
        cue="Shorter:",
        example=SHORTEN_EXAMPLE,
    )


KEYWORDS_STOPS: tuple[str, ...] = ("\n", "<end_of_turn>")


def keywords_prompt(title: str, abstract: str) -> Prompt:
    """Ask for four to six keywords of a paper from its title and abstract."""
    return Prompt(
        instruction="Give four to six keywords for this paper, separated by commas.",
        material=f"Title: {title}\n\nAbstract: {abstract}",
        cue="Keywords:",
    )


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
