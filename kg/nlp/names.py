"""Pure helpers about names: their shape, their head word, whether they are generic.

Kept apart from the spaCy components so each rule can be tested on plain strings.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .resources import generic_terms, words

# A name written as one hyphen/dot-joined word: ResNet-50, Qwen2.5-Math-7B-Instruct, AIME'24, t-ReX*, Pro^2
# (the lookahead skips, inside the regex engine, the ordinary words that make up most of a text: a coined name
#  has a capital or a digit after its first letter)
NAME_WORD = re.compile(r"(?<![\w@/\\.'^*+-])(?=[A-Za-z](?:[A-Za-z0-9'^_+-]|\.(?=\d))*?[A-Z0-9])[A-Za-z][A-Za-z0-9]*(?:(?:[-'^_+](?!s\b)|\.(?=\d))[A-Za-z0-9]+)*\*?(?![\w@/\\])")
# modifiers glued to a name that are not part of it: "LMM-based", "GPT-4-level"
GLUED_MODIFIER = re.compile(r"-(?:based|like|style|specific|level|wise|driven|guided|free|only|scale|sized?|aware|"
                            r"augmented|centric|native|powered|generated|annotated|labeled|labelled|trained|tuned|"
                            r"finetuned|fine-tuned|pretrained|initialized|derived|inspired|compatible|friendly|"
                            r"related|enhanced|oriented|dependent|agnostic|induced|assisted|distilled|bench)$",
                            re.IGNORECASE)
MODEL_SIZE = re.compile(r"^\d+(?:\.\d+)?[BMKTbmkt]$")
LETTER_NUMBER = re.compile(r"^[A-Z]\d{1,4}$")  # B200, V1, L1, E3: versions, hardware, norms (T5 is in the gazetteer)
ROMAN = re.compile(r"^(?:I{1,3}|IV|VI{0,3}|IX|X{1,3})$")
UNIT_LIKE = re.compile(r"^(?:[KMGT]B|[KMG]Hz|FLOPs?|TFLOPs|PFLOPs|GFLOPs|MACs|fps|FPS|ms|dB|mAh|kWh|[0-9]+D|H100|A100|V100|"
                       r"T4|L4|RTX\d*|GPUs?|CPUs?|TPUs?|NPUs?)$")


NUMBERED_WORDS = {"top", "table", "figure", "fig", "stage", "step", "type", "level", "phase", "round", "section",
                  "part", "class", "tier", "rank", "layer", "version", "chapter", "appendix", "case", "task",
                  "experiment", "setting", "method", "model", "group", "day", "week", "year", "block", "order"}


# a capital or digit inside a word, or a capital followed by a capital or digit (a regex that starts with a
# character class lets the engine skip the ordinary lower-case text quickly), then the rest of its word
INNER_CAPITAL = re.compile(r"[A-Z0-9](?:(?<=[A-Za-z0-9].)|(?=[A-Z0-9]))[^ \n]*")
# The same words are found faster in a copy of the text with one byte per character that keeps only the classes
# the pattern reads: "U" for a capital or a digit, "l" for a lower-case letter, " " for a space or a line break,
# "." for anything else. A word qualifies when it holds "lU" or "UU"; the pattern finds each "U" (the engine
# jumps from one to the next) and looks at the byte before it.
CLASS_BYTES = bytes.maketrans(
    bytes(range(256)),
    bytes(ord("U") if chr(b).isascii() and (chr(b).isupper() or chr(b).isdigit()) else
          ord("l") if chr(b).isascii() and chr(b).islower() else
          ord(" ") if b in (32, 10) else ord(".") for b in range(256)))
INNER_CAPITAL_CLASSES = re.compile(rb"U(?<=[lU]U)[^ ]*")


def coined_word_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the words (between spaces or newlines) that may hold a coined name (LLaVE, Qwen2.5-Math-7B, t-ReX):
    those where INNER_CAPITAL matches."""
    classes = text.encode("ascii", "replace").translate(CLASS_BYTES)  # one byte per character
    spans: list[tuple[int, int]] = []
    rfind = classes.rfind
    for m in INNER_CAPITAL_CLASSES.finditer(classes):
        spans.append((rfind(b" ", 0, m.start()) + 1, m.end()))
    return spans


@lru_cache(maxsize=100_000)
def coined_names_in(word: str) -> tuple[tuple[int, str], ...]:
    """The coined names inside one whitespace-separated word, with their offsets: "(LLaVE-2B)," -> (1, "LLaVE-2B").
    Cached: the same words come back paper after paper."""
    found = []
    for m in NAME_WORD.finditer(word):
        part = m.group()
        if part.isalpha() and (part[1:].islower() or part.islower()):
            continue  # an ordinary word
        name, offset = strip_modifier(part)
        if is_shape_name(name) and not is_generic(name) and not BIT_WIDTHS.match(name):
            found.append((m.start() + offset, name))
    return tuple(found)


# a quantization setting, not a name: W4A16, W2A4KV4, KV8
BIT_WIDTHS = re.compile(r"(?:W\d+)?(?:A\d+)?(?:KV\d+)?$")


def is_shape_word(word: str) -> bool:
    """Looks like a coined name: two capitals (LLaVE, GShard, TASTY), a capital and a digit (YOLOv9, T5),
    or a capital after a lower-case start (t-ReX, mT5)."""
    if len(word) < 2 or not word[0].isalpha():
        return False
    lower_prefix = len(word) - len(word.lstrip("abcdefghijklmnopqrstuvwxyz"))
    if lower_prefix > 2 and lower_prefix < len(word) and not word[lower_prefix].isdigit():
        return False  # two words glued by a lost space ("usingLSH"), not a coined name
    upper = sum(map(str.isupper, word))
    if upper >= 2:
        return True
    if upper and any(map(str.isdigit, word)):
        return True
    return bool(upper and 0 < lower_prefix <= 2)  # a short lower-case prefix before capitals: mT5, kNN, iPhone


NAME_PARTS = re.compile(r"[-'^_+]")


@lru_cache(maxsize=100_000)
def is_shape_name(name: str) -> bool:
    """A whole name (maybe hyphen-joined) of which some part has the shape of a coined name."""
    if " " in name or MODEL_SIZE.match(name) or ROMAN.match(name) or UNIT_LIKE.match(name) or LETTER_NUMBER.match(name):
        return False
    parts = NAME_PARTS.split(name)
    if any(is_shape_word(p) for p in parts):
        return True
    # a capitalised name with a version number: Llama-2, Phi-3, Pro^2 (not "Table-1", "Top-5")
    return (len(parts) == 2 and parts[0][:1].isupper() and parts[1].isdigit()
            and parts[0].lower() not in NUMBERED_WORDS)


def strip_modifier(name: str) -> tuple[str, int]:
    """The name inside a hyphenated word, and its offset: 'LMM-based' -> 'LMM', 'inner-LLM' -> 'LLM',
    'LoRA-tune' -> 'LoRA'. Lower-case words glued on either side are modifiers, not part of the name
    (a one- or two-letter prefix is: t-ReX, mT5)."""
    parts = name.split("-")
    start = 0
    while len(parts) > 1 and parts[0].isalpha() and parts[0].islower() and (
            len(parts[0]) >= 3 or parts[0] in ("to", "of", "in", "on", "by", "at", "as", "or")):
        start += len(parts[0]) + 1
        parts.pop(0)
    while len(parts) > 1 and len(parts[-1]) >= 3 and parts[-1].isalpha() and parts[-1].islower() \
            and parts[-1] not in SIZE_WORDS:
        parts.pop()
    stripped = GLUED_MODIFIER.sub("", "-".join(parts)) or "-".join(parts)
    return stripped, start


SIZE_WORDS = {"base", "large", "small", "tiny", "huge", "mini", "medium", "xl", "xxl", "nano", "lite", "dev", "pro",
              "plus", "max", "turbo", "instruct", "chat", "coder", "math", "vision", "preview", "flash"}


@lru_cache(maxsize=100_000)
def is_generic(phrase: str) -> bool:
    terms = generic_terms()
    low = phrase.lower().strip()
    # plural / singular forms of a generic term are generic too
    return low in terms or (low.endswith("s") and low[:-1] in terms) or (low + "s") in terms


def head_word(phrase: str) -> str:
    """The last word, lower-cased, hyphen parts kept ("Sparsely-Gated Mixture-of-Experts" -> "mixture-of-experts")."""
    parts = phrase.lower().split()
    return parts[-1].strip(".,;:()\"'") if parts else ""


@lru_cache(maxsize=100_000)
def kind_from_head(phrase: str) -> str | None:
    """'dataset', 'metric', 'task' or 'method' from the last word of a phrase; None when it says nothing."""
    head = head_word(phrase)
    last_part = head.rsplit("-", 1)[-1]
    for candidate in (head, last_part):
        if candidate in words("dataset_head"):
            return "dataset"
        if candidate in words("metric_head"):
            return "metric"
    # a task is a lower-case problem phrase ("domain adaptation"); the same head in a Title Case name that the
    # authors coined is their method ("Pareto Domain Adaptation")
    titled = sum(1 for w in phrase.split() if w[:1].isupper()) >= max(2, len(phrase.split()) - 1)
    for candidate in (head, last_part):
        if candidate in words("task_head") and not (titled and candidate in words("method_head")):
            return "task"
        if candidate in words("method_head"):
            return "method"
    return None


@lru_cache(maxsize=100_000)
def is_title_case_run(phrase: str) -> bool:
    """'Colossal Clean Crawled Corpus', 'Item Response Theory': capitalised words (small words allowed inside)."""
    tokens = phrase.split()
    if len(tokens) < 2:
        return False
    small = {"of", "for", "and", "the", "to", "in", "on", "with", "via", "a", "an"}
    return tokens[0][:1].isupper() and tokens[-1][:1].isupper() and all(
        t[:1].isupper() or t[:1].isdigit() or t in small for t in tokens)
