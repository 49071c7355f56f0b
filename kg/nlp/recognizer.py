"""Named entities of one paper (methods, datasets, tasks, metrics) from plain text and gazetteer hits.

Evidence, strongest first: a defined abbreviation ("long form (SF)"), a naming phrase ("called X", "we propose X"),
the title's "Name: subtitle", the field's gazetteers, the shape of a coined name (CamelCase, digits, acronyms),
Title Case runs, and task phrases ("the problem of X", "X tasks", a title's "for X"). Kinds come from the
gazetteer, the head word of the name, or the words around it ("on the X benchmark", "datasets X, Y and Z").
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, NamedTuple, Sequence

from ..vocab import slugify
from .abbreviations import Abbreviation, plural_core
from .candidates import Candidate, choose, words_after3, words_before
from .names import (NAME_PARTS, coined_names_in, coined_word_spans, is_generic, is_shape_name, is_title_case_run,
                    head_word, kind_from_head)
from .resources import words

PROPOSAL_SENTENCE = re.compile(r"\b(?:we|our (?:paper|work))\b[^.;]{0,40}\b(?:propose|introduce|present|develop|design|"
                               r"call|name|term|dub)\w*", re.IGNORECASE)
# (not across "and": in "X outperforms Y (Z) and is built on ...", what is built is X)
PASSIVE_PROPOSAL = re.compile(r"\s*(?:\([^()]{1,20}\)\s*)?(?:(?!(?:and|or|but)\s)[a-z-]+\s+){0,2}(?:is|are|was|were)\s+(?:first\s+|then\s+|also\s+|further\s+)?"
                              r"(?:introduced|proposed|presented|developed|designed|constructed|built|created)\b")
# "X, a large-scale benchmark of ..." / "X, a simple framework that ..."
APPOSITION = re.compile(r"\s*(?:\([^()]{1,20}\)\s*)?,\s*(?:a|an|the|our)\s+(?:[\w-]+\s+){0,6}?"
                        r"(dataset|benchmark|corpus|suite|collection|testbed|model|method|framework|approach|"
                        r"architecture|algorithm|technique|toolkit|library|system|pipeline|family|series)s?\b",
                        re.IGNORECASE)
NAMED = re.compile(r"(?P<verb>called|named|dubbed|termed|coined|propose|proposes|introduce|introduces|present|presents|"
                   r"call|derive)\s+(?:the\s+|(?:our|this|the|a)\s+(?:new\s+|novel\s+)?(?:technique|method|approach|model|"
                   r"framework|algorithm|dataset|benchmark|system|architecture|corpus)\s+)?[`'\"“]*(?P<name>[A-Z][\w^*'+-]*(?:\.\w+)*(?:\s+[A-Z][\w^*'+-]*(?:\.\w+)*){0,5})"
                   r"(?=[`'\"”]*\s*(?:[,;:(.]|--|—|$|\s+(?:which|that|to|for|as|with|in|on|is|are|and)\b))")
PASSIVE_STEMS = ("introduced", "proposed", "presented", "developed", "designed", "constructed", "built", "created")
AUTHORS = re.compile(r"\b(?:we|our|this (?:paper|work|study))\b")
# "a novel cross-framework dataset, DLTrans", "our 14B parameter model, PoPilot"
NEW_BEFORE = re.compile(r"\b(?:new|novel|our)\b[^,;.]{0,60}\b\w+\s*(?:,|:|,?\s*namely,?)\s*$")
METRIC_NOUNS = {"metric", "measure", "criterion", "score"}
TASK_NOUNS = {"task", "problem", "challenge", "setting"}
# head words of defined terms that name things of the world, not methods: "Partial Differential Equations (PDEs)",
# "Tumor Core (TC)", "European Centre for Medium-Range Weather Forecasts (ECMWF)"
NOT_METHOD_HEADS = {"equation", "equations", "tumor", "tumour", "core", "centre", "center", "unit", "units", "region",
                    "regions", "organization", "organisation", "institute", "university", "laboratory", "agency",
                    "association", "society", "council", "committee", "disease", "syndrome", "cancer", "hospital"}
# the text before a name ends with a task noun and at most one word more: "a new task called X", "a problem setting, X"
TASK_NOUN_BEFORE = re.compile(r"\b(?:%s)\W*(?:\w+\W*)?$" % "|".join(sorted(TASK_NOUNS)))
METHOD_NOUNS = {"model", "models", "architecture", "backbone", "network", "loss", "framework", "method", "algorithm",
                "optimizer", "agent", "toolkit", "library"}
LEADING_LETTERS = re.compile(r"[A-Za-z]+")
# "datasets, namely," / "models namely:": the word "namely" up to where the list starts (found by its letters, which
# is fast), and the noun before it
NAMELY = re.compile(r"(?<![\w-])[Nn]amely\b\s*[,:]?\s*")
NOUN_BEFORE = re.compile(r"([A-Za-z-]+)\s*,?\s*\Z")
NEW_WORD = re.compile(r"\b(?:new|novel|our)\b", re.IGNORECASE)
# the text before an item of such a list ends with the comma (and "and") that opens it
LIST_ITEM_START = re.compile(r",\s*(?:and\s+)?\Z")
MODEL_SIZE_SUFFIX = re.compile(r"-\d+(?:\.\d+)?[BMK]\b")
DATASET_SUFFIX = re.compile(r"(?:Bench|-bench|QA|Eval|Arena|[-_]?Dataset|[-_]?Corpus|-Data|-Set|Pile|Suite)$")
BARE_ACRONYM = re.compile(r"^[A-Z]{2,4}s?$")
# where a title names its problem: "... for Code Translation", "...: Dataset Development",
# "Commit Message Generation Models"
TITLE_TASK_TRIGGER = re.compile(r"\b(?:for|towards?|in|on)\s+|:\s*", re.IGNORECASE)
TITLE_TASK = re.compile(r"(?:the\s+|a\s+|an\s+)?(?P<task>(?:[\w'-]+\s+){0,5}?[\w'-]+)"
                        r"(?=\s*$|\s+(?:via|with|using|by|through|under|from|across|in|models?)\b|\s*[:?])",
                        re.IGNORECASE)
# a trigger with the task after it, read in one match (the task in a lookahead: triggers never overlap, so each is
# tried as when the task was matched after each trigger found)
TITLE_TASK_AFTER_TRIGGER = re.compile(rf"(?:{TITLE_TASK_TRIGGER.pattern})(?={TITLE_TASK.pattern})", re.IGNORECASE)
MEANS_WORDS = (" with ", " via ", " using ", " through ")
# "... with a Unified Text-to-Text Transformer", "... via Parameterized Max Scale": the means the title names
TITLE_MEANS = re.compile(r"\b(?P<word>with|via|using|through)\s+(?P<means>[A-Z][^:?]*?)\s*(?=$|[:?]|\s+(?:for|in|on|to)\s)",
                         re.IGNORECASE)
# words that rate or describe a task rather than name it ("efficient", "large-scale", "numerous")
EVALUATIVE = frozenset(("effective", "efficient", "accurate", "robust", "better", "scalable", "reliable", "improved",
                        "enhanced", "successful", "careful", "fast", "faster", "strong", "stronger", "superior",
                        "high-quality", "large-scale", "comprehensive", "practical", "principled", "general",
                        "generalized", "advanced", "modern", "numerous", "given", "distinct", "classical",
                        "individual", "particular", "broader", "wide", "wider", "large", "small", "new", "novel",
                        "unified"))
TITLE_EVALUATIVE = re.compile(r"^(?:(?:%s|towards?|the|a|an)\s+)+" % "|".join(sorted(EVALUATIVE, key=len, reverse=True)),
                              re.IGNORECASE)
METRIC_LIST = re.compile(r"\bmetrics?,?\s+(?:such as|including|like|namely|e\.g\.,?|:)\s+(?P<items>[^.;:()]{3,120})",
                         re.IGNORECASE)
IN_TERMS_OF = re.compile(r"\bin terms of\s+(?:both\s+)?(?P<items>[^.;:(),]{3,60}?)(?=\s*(?:[.;:(),]|\s(?:on|across|while|"
                         r"compared|than|over|with|for|at|by|without)\b))", re.IGNORECASE)
BY_NUMBER = re.compile(r"by\s+(?:up to\s+|about\s+|over\s+|a factor of\s+|factors of\s+)?\d")
CHANGE_BY = re.compile(r"\b(?:improv|reduc|increas|decreas|lower|cut|boost|enhanc|accelerat)\w*\s+(?:the\s+|its\s+|their\s+)?"
                       r"(?P<items>[a-z][\w-]*(?:\s+(?:and\s+)?[a-z][\w-]*){0,5}?)\s+by\s+(?:up to\s+|about\s+|"
                       r"over\s+|a factor of\s+|factors of\s+)?\d")
LIST_ITEM = re.compile(r"[^,]+")
AND_OR = re.compile(r"\s+(?:and|or)\s+")
LEADING_DETERMINER = re.compile(r"^\s*(?:and|or|the|its|their|our)\s+")
PREPOSITION = re.compile(r"\s+(?:in|on|for|across|with|at|of|from|under|over|between)\s+")
# (words, at least one of them with a letter first: "14" of "14.16% in terms of AUPRC" is a number, not a metric)
METRIC_PHRASE = re.compile(r"(?=.*?\b[^\W\d_])[\w@./-]+(?: [\w@./-]+)*")
TITLE_LEAD = re.compile(r"((?:[A-Z0-9][\w'’-]*\s+){1,7}?[A-Z][\w'-]*)(?=\s+(?:[Ff]or|[Ww]ith|[Vv]ia|[Ii]n|[Oo]n)\s|\s*[:?,]|\s*$)")
# up to five words after "on" or "for" (an article skipped)
PURPOSE_PHRASE = re.compile(r"(?:the\s+|a\s+|an\s+)?((?:[A-Za-z][\w'-]*\s+){0,4}[A-Za-z][\w'-]*)")
TECHNIQUE_HEADS = {"learning", "tuning", "search", "optimization"}
FOR_WHAT = re.compile(r"\b(?:framework|method|approach|model|benchmark|dataset|system|pipeline|algorithm|toolkit|"
                      r"architecture|paradigm|technique|strategy)s?$")
CITES_OR_COMPARES = re.compile(r"\b(?:outperform\w*|surpass\w*|compared?|than|unlike|baselines?|existing|prior|"
                               r"previous|such as|including|e\.g\.|popular|standard|conventional|traditional|"
                               r"widely|state-of-the-art|sota)\b", re.IGNORECASE)
FOR_WORD = re.compile(r"\s+for\s+", re.IGNORECASE)
SURVEY_WORD = re.compile(r"\b(?:survey|review|overview|tutorial)\b", re.IGNORECASE)
TITLE_VERBS = {"meets", "meet", "is", "are", "matters", "makes", "make", "helps", "help", "can", "do", "does", "vs",
               "versus", "beyond", "without"}
DATASET_WORD = re.compile(r"\b(?:benchmark|dataset|corpus|suite)s?\b", re.IGNORECASE)
COMMA_AND = re.compile(r",\s*|\s+and\s+")
ARTICLE = re.compile(r"^(?:an?|the)\s+", re.IGNORECASE)
WE_OUR = re.compile(r"\b(?:we|our)\b", re.IGNORECASE)
CLAUSE_BREAK = re.compile(r"\s+(?:for|in|on|with|by|from|which|that|to)\s+")
LEADING_AND_OR = re.compile(r"^\s*(?:and|or)\s+")
LIST_SEPARATOR = re.compile(r"\s*(?:,\s*(?:and|or)?|and|or|/|&)\s*")
NOT_METRICS = {"performance", "results", "result", "effectiveness", "capability", "capabilities", "ability", "it",
               "them", "this", "model", "models", "training", "inference", "data", "efficiency", "quality of",
               "the performance", "overall performance", "generalization", "robustness", "speed", "cost", "costs"}
PROBLEM_OF = re.compile(r"(?:problem|task|challenge)\s+of\s+((?:[\w'-]+\s+){0,4}[\w'-]+)")
TASKS_SUCH_AS = re.compile(r"tasks?,?\s+(?:such as|including|like|e\.g\.,?)\s+([^.;:()]+)")
LOWER_WORD = re.compile(r"[a-z][\w'-]*")
NAMED_VERBS = ("called", "named", "dubbed", "termed", "coined", "propose", "introduce", "present", "call ", "derive")
AT_METRIC = re.compile(r"(?<![\w@])[A-Za-z][A-Za-z-]*@[0-9kK]+\b")
NOT_A_TITLE_NAME = {"survey", "position", "review", "overview", "tutorial", "introduction", "perspective",
                    "commentary", "editorial", "benchmarking", "rethinking", "revisiting", "towards", "toward",
                    "beyond", "understanding", "evaluating", "analyzing", "exploring", "improving", "learning",
                    "scaling", "training", "on", "when", "why", "how", "what", "is", "are", "can", "do", "does"}
SMALL = {"a", "an", "the", "of", "for", "and", "or", "to", "in", "on", "with", "via", "by", "from", "at", "as"}
TASK_STOP = SMALL | {"various", "different", "several", "multiple", "many", "downstream", "other", "these", "those",
                     "such", "this", "that", "our", "their", "its", "new", "novel", "existing", "standard", "both",
                     "diverse", "challenging", "complex", "specific", "target", "source", "related", "unseen",
                     "real-world", "popular", "common", "general", "traditional", "typical", "all", "some",
                     "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "more", "most", "each",
                     "while", "which", "we", "is", "are", "be", "been", "was", "were", "under", "over", "within",
                     "across", "through", "into", "between", "among", "against", "without", "per", "like", "than",
                     "about", "after", "before", "during", "using", "based", "toward", "towards", "beyond", "can",
                     "behind", "upon", "via", "unlike", "despite",
                     "not", "no", "also", "only", "just", "still", "however", "thus", "hence",
                     # words that rate a task rather than name it ("difficult coding problems"; not "hard" and
                     # "easy", which name settings: "hard reasoning tasks", "easy-to-hard generalization")
                     "difficult", "simple", "simpler", "key", "important", "fundamental", "critical", "crucial",
                     "long-standing", "open",
                     # verbs that take the task as their object ("we study image classification tasks")
                     "study", "studies", "address", "addresses", "tackle", "tackles", "solve", "solves", "consider",
                     "considers", "explore", "explores", "investigate", "investigates", "evaluate", "evaluates",
                     "improve", "improves", "perform", "performs", "handle", "handles", "enable", "enables",
                     "achieve", "achieves", "including", "include", "includes"}
DATASET_PLURALS = frozenset(("datasets", "benchmarks", "corpora"))
NOT_ON_DATASET = {"based", "built", "relies", "rely", "relying", "depends", "depend", "focus", "focuses", "focused",
                  "top", "conditioned", "trained", "fine-tuned", "finetuned", "pretrained", "pre-trained", "works",
                  "work", "operate", "operates", "run", "runs", "deployed", "draw", "draws", "building"}


class Sentence(NamedTuple):
    start: int
    end: int
    index: int  # -1 for the title


@dataclass
class Recognized:
    mentions: list[Candidate]
    abbreviations: dict[str, str]  # short form -> long form, as defined in this paper


class Recognizer:
    """Turns (text, sentences, gazetteer hits, abbreviations) into typed, non-overlapping entity mentions."""

    def __init__(self, gazetteer_kind: Callable[[str], str | None],
                 gazetteer_label: Callable[[str], str | None] = lambda slug: None):
        self.gazetteer_kind = gazetteer_kind  # slug -> kind for names the gazetteer knows
        self.gazetteer_label = gazetteer_label  # slug -> the gazetteer's label of that name
        self.proposal_verbs = words("proposal_verb")
        self.naming_words = words("naming_word")
        self.dataset_heads = words("dataset_head")
        self.families: dict[str, str | None] = {}  # name -> family_kind(name), worked out once per name

    def family_kind(self, name: str) -> str | None:
        """The kind of the known name that a versioned, sized or otherwise marked name belongs to: the family is
        its first hyphen-separated part of three letters or more, read up to its digits (YOLO11s -> YOLO,
        RT-DETR-L -> DETR, Qwen2.5-Math-7B -> Qwen), when it is written as a name; only methods and datasets
        count."""
        kind = self.families.get(name, "")
        if kind == "":
            kind = None
            for part in NAME_PARTS.split(name):
                stem = LEADING_LETTERS.match(part)
                if stem and len(stem.group()) >= 3:
                    word = stem.group()
                    # a name, not a word ("Math-RLVR"): an acronym, inner capitals, or digits right after it
                    if word != name and (word.isupper() or not word[1:].islower() or part[len(word):][:1].isdigit()):
                        found = self.gazetteer_kind(slugify(word))
                        kind = found if found in ("method", "dataset") else None
                    break
            self.families[name] = kind
        return kind

    def __call__(self, text: str, sentences: Sequence[Sentence], gazetteer_hits: Sequence[tuple[int, int, str]],
                 abbreviations: Sequence[Abbreviation], low: str | None = None) -> Recognized:
        """`low`: text.lower(), when the caller has it already."""
        title_end = sentences[0].end if sentences and sentences[0].index == -1 else 0
        if low is None:
            low = text.lower()
        # the lower-case text slices like the text when lower() keeps every character in place (it does not for
        # U+0130, which becomes two characters, nor for a capital sigma, whose lower case depends on what follows)
        aligned = low if len(low) == len(text) and (text.isascii() or "\u03a3" not in text) else None
        starts = [s.start for s in sentences]
        cands: list[Candidate] = []
        self.not_names: set[str] = {a.short for a in abbreviations if is_generic(a.long)}
        defined = {}
        if abbreviations:
            defined = self.abbreviation_candidates(text, sentences, abbreviations, cands, title_end)
        cands += [Candidate(s, e, text[s:e], kind, "gazetteer") for s, e, kind in gazetteer_hits]
        cands += self.shape_candidates(text)
        cands += self.title_candidates(text, title_end)
        cands += self.named_candidates(text, title_end, low)
        cands += self.task_candidates(text, sentences, title_end, low)
        cands += self.metric_candidates(text, title_end, low, aligned)
        if "@" in text:
            cands += [Candidate(m.start(), m.end(), m.group(), "metric", "gazetteer") for m in AT_METRIC.finditer(text)]
        not_names = self.not_names
        chosen = [c for c in choose(cands) if not is_generic(c.text) and c.text not in not_names]
        if "precision" in low:
            chosen = [c for c in chosen if not is_number_format(low, c)]
        chosen = [c for c in chosen if c.kind != "metric" or not objective_after(low, c.end)]
        if "://" in text or "www." in text:  # nothing inside a link is a name, nor what is glued to it ("{X}")
            links = link_spans(text)
            chosen = [c for c in chosen if not any(s <= c.start < e for s, e in links)]
        if "hypothes" in low or "conjecture" in low:
            chosen = [c for c in chosen if not is_conjecture(c.long_form or c.text)]
        if defined:
            self.link_short_forms(chosen, defined)
        self.type_by_context(text, chosen, sentences, aligned)
        self.type_lists(text, chosen)
        if "namely" in low:
            self.type_namely_lists(text, chosen, sentences, starts)
        self.mark_proposed(text, chosen, sentences, title_end, aligned, starts)
        self.mark_evaluated(text, chosen, sentences, starts, aligned)
        label = self.gazetteer_label
        kept = []
        for c in chosen:
            if c.kind and (c.source != "shape" or self.supported(c, chosen, title_end)):
                c.canonical = label(slugify(c.long_form or c.text))
                kept.append(c)
        return Recognized(kept, defined)

    @staticmethod
    def link_short_forms(cands: list[Candidate], defined: dict[str, str]) -> None:
        """'RLVR' found by its shape or a gazetteer where the paper defines RLVR is the defined entity."""
        for c in cands:
            if c.long_form is None and c.text in defined and c.source != "abbrev-long":
                c.long_form = defined[c.text]

    @staticmethod
    def supported(c: Candidate, cands: list[Candidate], title_end: int) -> bool:
        """A bare acronym found only by its shape ("ROI", "CRM") needs more: a cue around it, a place in the title,
        or a second mention. Longer coined names (LLaVE, YOLOv9) stand on their own."""
        if c.source != "shape" or not BARE_ACRONYM.match(c.text) or "default" not in c.kind_votes \
                or "listed" in c.kind_votes:
            return True
        if c.start < title_end:
            return True
        return sum(1 for o in cands if o.text == c.text) >= 2

    # -- sources of candidates ----------------------------------------------------------------------------------

    def abbreviation_candidates(self, text: str, sentences: Sequence[Sentence], abbreviations: Sequence[Abbreviation],
                                out: list[Candidate], title_end: int = 0) -> dict[str, str]:
        defined: dict[str, str] = {}
        kinds: dict[str, str] = {}
        for a in abbreviations:
            if is_generic(a.long) or is_generic(a.short):
                continue
            if is_conjecture(a.long):
                self.not_names.add(a.short)  # "the Lottery Ticket Hypothesis (LTH)": nor is LTH alone a name
                continue
            kind = self.gazetteer_kind(slugify(a.long)) or self.gazetteer_kind(slugify(a.short))
            # the head of "a language model for extractive summarization" is "model": what comes before "for"
            head_phrase = FOR_WORD.split(a.long, 1)[0]
            if kind is None and a.short_start < a.long_start < title_end:
                # the name of a "Name: spelled-out name" title is what the paper introduces: its method, unless
                # the name's head says it is a dataset or benchmark
                kind = "dataset" if kind_from_head(head_phrase) == "dataset" else "method"
            if kind is None and head_word(head_phrase) in NOT_METHOD_HEADS:
                self.not_names.add(a.short)  # "Navier-Stokes Equations (NSE)", "Tumor Core (TC)": not of the field
                continue
            kind = kind or self.task_inside(head_phrase) or kind_from_head(head_phrase) or \
                ("method" if is_title_case_run(a.long) else None)
            if kind == "task" and (is_coined(a.short) or is_title_case_run(a.long)) and \
                    PROPOSAL_SENTENCE.search(sentence_text(text, sentences, a.long_start)):
                kind = "method"  # "We propose a Pareto Domain Adaptation (ParetoDA) approach"
            elif kind in (None, "task") and a.short_start > a.long_start and \
                    self.named_or_proposed_before(text, a.long_start):
                # "a novel approach, dubbed relational knowledge distillation (RKD)", "we propose instruction-guided
                # content selection (IGCS)": a definition given a name by its authors is their method
                kind = "dataset" if kind_from_head(head_phrase) == "dataset" else "method"
            if kind is None:
                self.not_names.add(a.short)  # "intellectual property (IP)": a defined term, but not one of ours
                continue
            defined.setdefault(a.short, a.long)
            kinds.setdefault(a.short, kind)
            out.append(Candidate(a.long_start, a.long_end, a.long, kind, "abbrev-long"))
            out.append(Candidate(a.short_start, a.short_end, a.short, kind, "abbrev-short", long_form=a.long))
        defining = {(a.short_start, a.short) for a in abbreviations}
        for short, long in defined.items():
            # the other number of the short form means the same: "G-SSNNs" defined, "a G-SSNN" used
            core = plural_core(short)
            other = core if core != short else short + "s"
            for form in (short, other) if other not in defined else (short,):
                for pos in occurrences(text, form):
                    if (pos, form) not in defining:
                        out.append(Candidate(pos, pos + len(form), form, kinds[short], "abbrev-short", long_form=long))
        return defined

    def task_inside(self, long_form: str) -> str | None:
        """'task' when the long form ends with a task the gazetteer knows, after words that narrow it down
        ("Personalized Federated Learning" is a kind of federated learning)."""
        words_ = long_form.split()
        for i in range(1, len(words_) - 1):  # (a task of two words or more)
            if self.gazetteer_kind(slugify(" ".join(words_[i:]))) == "task":
                return "task"
        return None

    def named_or_proposed_before(self, text: str, start: int) -> bool:
        """The words before `start` end with a naming word ("dubbed"), or with an authors' proposal verb and at
        most an article and an adjective ("we propose a novel")."""
        window = text[max(0, start - 60):start].lower()
        if named_just_before_low(window, self.naming_words):
            return True
        words_ = window.replace(",", " ").split()[-5:]
        for i in range(len(words_) - 1, max(-1, len(words_) - 4), -1):
            if words_[i] in self.proposal_verbs:
                return i > 0 and words_[i - 1] == "we"
            if words_[i] not in ("a", "an", "the", "new", "novel", "simple", "general"):
                return False
        return False

    def shape_candidates(self, text: str) -> list[Candidate]:
        out = []
        for s, e in coined_word_spans(text):
            for offset, name in coined_names_in(text[s:e]):
                # a name the gazetteer knows keeps the gazetteer's kind even where it did not match as a phrase
                out.append(Candidate(s + offset, s + offset + len(name), name,
                                     self.gazetteer_kind(slugify(name)), "shape"))
        return out

    def title_candidates(self, text: str, title_end: int) -> list[Candidate]:
        """'Name: subtitle' titles name what the paper introduces; 'X for <task>' names its task."""
        title = text[:title_end]
        name = self.title_name(text, title) or self.title_lead_name(title)
        out = [name] if name else []
        out += self.title_means(title)
        out += title_tasks(title)
        return out

    @staticmethod
    def title_name(text: str, title: str) -> Candidate | None:
        """The name before the colon of a 'Name: subtitle' title."""
        head, sep, subtitle = title.partition(":")
        head = head.strip()
        if not sep or not head:
            return None
        head_words = head.split()
        if len(head_words) > 5 or is_generic(head):
            return None
        is_name = is_shape_name(head) or (len(head_words) == 1 and head[:1].isupper()
                                          and head.lower() not in NOT_A_TITLE_NAME)
        # a Title Case phrase before the colon is a name only when the abstract uses it too
        if not is_name and is_title_case_run(head) and text.find(head, len(title)) >= 0:
            is_name = head_words[0].lower() not in NOT_A_TITLE_NAME
        if not is_name:
            return None
        kind = "dataset" if DATASET_WORD.search(subtitle) else None
        start = title.index(head)
        return Candidate(start, start + len(head), head, kind, "title-name", proposed=True)

    def title_lead_name(self, title: str) -> Candidate | None:
        """A title that opens with the name of a method, in Title Case and ending in a method's head word, before
        what it is for: 'Relational Knowledge Distillation', 'Attention-Enhanced Hybrid Feature Aggregation Network
        for 3D Brain Tumor Segmentation'. Not a clause ('Training Neural Networks with ...', 'X Meets Y'), a
        description ('A Unified Framework for ...'), a survey, or a name the field already knows."""
        m = TITLE_LEAD.match(title)
        if not m or SURVEY_WORD.search(title):
            return None
        phrase = m.group(1)
        words_ = phrase.split()
        first = words_[0].lower()
        if len(words_) < 2 or not is_title_case_run(phrase) or first in NOT_A_TITLE_NAME or \
                first.endswith("ing") or first in ("a", "an", "the") or \
                any(w.lower() in TITLE_VERBS for w in words_) or reads_as_clause(phrase):
            return None
        if kind_from_head(phrase) != "method" or is_generic(phrase) or self.gazetteer_kind(slugify(phrase)):
            return None
        return Candidate(0, len(phrase), phrase, "method", "title-name", proposed=True)

    def title_means(self, title: str) -> list[Candidate]:
        """The method a title names as its means: '... with a Unified Text-to-Text Transformer'."""
        out = []
        low_title = title.lower()
        means = TITLE_MEANS.finditer(title) if any(w in low_title for w in MEANS_WORDS) else ()
        for m in means:
            for part in COMMA_AND.split(m.group("means")):
                part = ARTICLE.sub("", part.strip())
                if len(part.split()) < 2 or not is_title_case_run(part) or is_generic(part) or reads_as_clause(part):
                    continue
                if kind_from_head(part) in ("task", "dataset", "metric") or self.gazetteer_kind(slugify(part)):
                    continue
                start = m.start("means") + m.group("means").index(part)
                proposed = m.group("word").lower() in ("via", "using") or kind_from_head(part) == "method"
                out.append(Candidate(start, start + len(part), part, "method", "title-name", proposed=proposed))
        return out

    def named_candidates(self, text: str, title_end: int, low: str | None = None) -> list[Candidate]:
        """A capitalised name right after a naming word or an authors' proposal verb: 'named Fish',
        'we propose Annealing, a curriculum learning strategy', 'we propose Transfer Q^*, which ...'."""
        out = []
        if low is None:
            low = text.lower()
        # find the verbs with str.find (fast), then read what follows each
        matches = []
        find, match = low.find, NAMED.match
        for verb in NAMED_VERBS:
            pos = find(verb, title_end)
            while pos >= 0:
                if pos == 0 or not low[pos - 1].isalnum():
                    m = match(text, pos)
                    if m:
                        matches.append(m)
                pos = find(verb, pos + 1)
        for m in matches:
            verb, name = m.group("verb").lower(), m.group("name").rstrip(".")
            if verb in self.proposal_verbs and not WE_OUR.search(text, max(0, m.start() - 60), m.start()):
                continue
            if is_generic(name) or name.split()[0].lower() in SMALL or name.lower() in NOT_A_TITLE_NAME:
                continue
            start = m.start("name")
            out.append(Candidate(start, start + len(name), name, None, "named", proposed=True))
        return out

    def metric_candidates(self, text: str, title_end: int, low: str | None = None,
                          aligned: str | None = None) -> list[Candidate]:
        """Metrics named by the sentence around them: 'metrics such as coherence, diversity, and quality',
        'in terms of latency and memory', 'reduces execution time and disk space usage by ...'.
        `aligned`: text.lower() when its offsets are the text's."""
        if low is None:
            low = text.lower()
        matches = []
        metric, terms = "metric" in low, "in terms of" in low
        if metric or terms:
            # where the case-blind patterns can start, found with str.find on the lower-case text; not when the
            # text holds a dotless i or a long s, which the patterns match as "i" and "s"
            exact = case_blind_text(text, aligned) is None
            if metric:
                matches += METRIC_LIST.finditer(text, title_end) if exact \
                    else matches_at(METRIC_LIST, text, aligned, "metric", title_end)
            if terms:
                matches += IN_TERMS_OF.finditer(text, title_end) if exact \
                    else matches_at(IN_TERMS_OF, text, aligned, "in terms of", title_end)
        for by in BY_NUMBER.finditer(text, title_end):  # "reduces X by 30%": read back from "by <number>"
            change = CHANGE_BY.search(text, max(title_end, by.start() - 90), by.end())
            if change:
                matches.append(change)
        out = []
        for m in matches:
            offset = m.start("items")
            for item in LIST_ITEM.finditer(m.group("items")):
                for part in AND_OR.split(item.group()):
                    phrase = LEADING_DETERMINER.sub("", part).strip()
                    phrase = PREPOSITION.split(phrase)[0]
                    if not phrase or len(phrase.split()) > 4 or is_generic(phrase) or \
                            phrase.lower() in NOT_METRICS or not METRIC_PHRASE.fullmatch(phrase):
                        continue
                    if phrase.split()[0].lower() in SMALL or kind_from_head(phrase) in ("task", "dataset"):
                        continue  # "in code translation", "real datasets", "code completion"
                    start = offset + item.start() + item.group().index(phrase)
                    out.append(Candidate(start, start + len(phrase), phrase, "metric", "task-pattern"))
        return out

    def task_candidates(self, text: str, sentences: Sequence[Sentence], title_end: int,
                        low: str | None = None) -> list[Candidate]:
        out = []
        body = text
        if low is None:
            low = body.lower()
        out += self.purpose_tasks(body, low, title_end)
        task_at, problem_at = low.find("task"), low.find("problem")
        if task_at < 0 and problem_at < 0:
            return out
        tasks = word_positions(low, "task", task_at) if task_at >= 0 else []
        problems = word_positions(low, "problem", problem_at) if problem_at >= 0 else []
        keywords = sorted(tasks + problems)
        task_heads = words("task_head")
        # "X task(s)" / "X problem(s)": find the keyword, then read the words before it
        for at in keywords:
            end = at + (4 if low.startswith("task", at) else 7)
            if not at or body[at - 1] not in " \n" or body[end:end + 1] == "-":
                continue  # "subtask", "multi-task", "problem-solving": the keyword is inside a word
            window = body[max(0, at - 60):at]
            # the last four words of the window (no more are split off), less one that the window began inside
            words_ = window.rsplit(None, 4)
            if len(words_) > 4 or (at > 60 and not window[0].isspace()):
                words_ = words_[1:]
            # (trim_task_phrase of the lower-case words before the keyword, read from the last: the last must
            # end like a task, the run stops at a word that cannot be part of one)
            run = []
            for word in reversed(words_):
                if not LOWER_WORD.fullmatch(word) or word.endswith(("'s", "s'")):
                    break  # (a possessive names whose task it is: "a given buyer's machine learning task")
                lowered = word.lower()
                if lowered in TASK_STOP:
                    break
                if not run and (lowered.endswith(("ed", "ly"))
                                or not (lowered in task_heads or lowered.endswith(TASK_ENDINGS))):
                    break
                run.append(word)
            if len(run) < 2:
                continue  # one word ("adaptation") is too vague
            run.reverse()
            phrase = " ".join(run)
            found = find_words(window, phrase, last=True)
            if found and not is_generic(phrase):
                start, end = found[0] + at - len(window), found[1] + at - len(window)
                out.append(Candidate(start, end, body[start:end], "task", "task-pattern"))
        # "the problem/task of X", "tasks such as X, Y and Z"
        of_positions = [pos for pos in problems if low.startswith("problem of", pos)] + \
            [pos for pos in tasks if low.startswith("task of", pos)] + word_positions(low, "challenge of")
        for m in filter(None, (PROBLEM_OF.match(body, pos) for pos in of_positions)):
            phrase = trim_task_phrase(CLAUSE_BREAK.split(m.group(1))[0],
                                      head_first=True)
            found = find_words(m.group(1), phrase) if phrase else None
            if found and not is_generic(phrase) and kind_from_head(phrase) == "task":
                start, end = m.start(1) + found[0], m.start(1) + found[1]
                out.append(Candidate(start, end, body[start:end], "task", "task-pattern"))
        for m in filter(None, (TASKS_SUCH_AS.match(body, pos) for pos in tasks)):  # (it opens with "task")
            offset = m.start(1)
            for item in LIST_ITEM.finditer(m.group(1)):
                phrase = LEADING_AND_OR.sub("", item.group()).strip()
                phrase = AND_OR.split(phrase)[0] if len(phrase.split()) > 5 else phrase
                if 0 < len(phrase.split()) <= 5 and not is_generic(phrase) and phrase[:1].islower():
                    start = offset + item.start() + item.group().index(phrase)
                    out.append(Candidate(start, start + len(phrase), phrase, "task", "task-pattern"))
        return out

    @staticmethod
    def purpose_tasks(text: str, low: str, title_end: int) -> list[Candidate]:
        """A task named as what something is evaluated on or made for: 'results on code translation', 'a
        framework for long video generation'. The words after 'on', or after 'for' that follows a method's or a
        benchmark's noun, up to a word that cannot be part of a task name; the phrase must end in a task's head word
        ('segmentation', 'answering') and have two words or more. (After any other 'for' the same reading finds as
        many wrong phrases as right ones.)"""
        out: list[Candidate] = []
        if len(low) != len(text):
            return out  # (the lower case does not slice like the text: a dotted capital I, which lower() doubles)
        heads = words("task_head")
        starts = []
        pos = low.find(" on ", title_end)
        while pos >= 0:
            starts.append(pos + 4)
            pos = low.find(" on ", pos + 1)
        pos = low.find(" for ", title_end)
        while pos >= 0:
            if FOR_WHAT.search(low, max(0, pos - 30), pos):
                starts.append(pos + 5)
            pos = low.find(" for ", pos + 1)
        for at in starts:
            m = PURPOSE_PHRASE.match(text, at)
            if m is None:
                continue
            run = []
            for w in m.group(1).split():
                lw = w.lower()
                if lw in TASK_STOP or lw in EVALUATIVE or (not run and lw.endswith(("ly", "ing")) and
                                                            lw not in heads):
                    break
                run.append(w)
            while run and run[-1].lower() not in heads:
                run.pop()
            # (a head that more often ends the name of a technique, "contrastive learning", "instruction
            # tuning", "query optimization", is left to the gazetteers and the other cues)
            if len(run) < 2 or run[-1].lower() in TECHNIQUE_HEADS:
                continue
            phrase = " ".join(run)
            if is_generic(phrase) or kind_from_head(phrase) != "task":
                continue
            start = m.start(1)
            out.append(Candidate(start, start + len(phrase), phrase, "task", "task-pattern"))
        return out

    # -- kinds and flags -------------------------------------------------------------------------------------------

    def type_by_context(self, text: str, cands: list[Candidate], sentences: Sequence[Sentence],
                        low: str | None = None) -> None:
        """Kinds for names that came without one (shapes, titles, naming phrases), from the words around them.
        `low`: text.lower() when its offsets are the text's (the words are then read in lower case directly:
        lower-casing keeps each character's class)."""
        dataset_heads = self.dataset_heads
        for c in cands:
            if c.kind is not None:
                continue
            if low is not None:
                after = [w for w in words_after3(low, c.end) if w != ")"]
                before = words_before(low, c.start, 5)
            else:
                after = [w.lower() for w in words_after3(text, c.end) if w != ")"]
                before = [w.lower() for w in words_before(text, c.start, 5)]
            if before and before[-1] == "(":
                before = before[:-1]  # "source dataset (TUAB)": the noun before the bracket describes the name
                if before and before[-1] in dataset_heads:
                    c.vote("dataset", 3)
            if after and (after[0] in dataset_heads or " ".join(after[:2]) in dataset_heads):
                c.vote("dataset", 3)
            if before and before[-1] in ("on", "across") and (len(before) < 2 or before[-2] not in NOT_ON_DATASET):
                c.vote("dataset", 2)
            if len(before) > 1 and before[-1] == "the" and before[-2] in ("on", "across", "from"):
                c.vote("dataset", 1)
            if not DATASET_PLURALS.isdisjoint(before[-3:]):
                c.vote("dataset", 2)
            if len(before) > 1 and (before[-1] in (",", ":") or before[-1] in self.naming_words) \
                    and before[-2] in dataset_heads:
                c.vote("dataset", 3)  # "a new benchmark, X" / "a dataset called X"
            elif before and before[-1] in dataset_heads:
                c.vote("dataset", 3)  # "a synthetic dataset X", "the benchmark X"
            if before and (before[-1] in METRIC_NOUNS or (len(before) > 1 and before[-2] in METRIC_NOUNS and (
                    before[-1] in (",", ":") or before[-1] in self.naming_words))):
                c.vote("metric", 3)  # "a new metric, X", "a criterion called X"
            if len(before) > 1 and before[-2] in TASK_NOUNS and (before[-1] in (",", ":") or
                                                                  before[-1] in self.naming_words):
                c.vote("task", 3)  # "a new task called X", "a problem setting, X"
            for kind, weight in votes_of_shape(c.text):
                c.vote(kind, weight)
            family = self.family_kind(c.text)
            if family:
                c.vote(family, 3)  # a variant of a known name: YOLO11s, RT-DETR-L, ImageNet-R
            if after and after[0] in (",", "("):
                apposition = APPOSITION.match(text, c.end)
                if apposition:
                    head = apposition.group(1).lower()
                    c.vote("dataset" if head in dataset_heads else "method", 3)
            if after and after[0] in METHOD_NOUNS:
                c.vote("method", 3)
            if c.kind_votes:
                c.kind = max(sorted(c.kind_votes), key=lambda k: c.kind_votes[k])
            elif c.source in ("shape", "title-name", "named"):
                c.kind = "method"
                c.vote("default", 0)

    def type_lists(self, text: str, cands: list[Candidate]) -> None:
        """In 'X, Y, and Z', names typed only by default take the kind the list's typed members share."""
        # the lists are runs of names joined by separators; only the runs holding a name typed by default can
        # change, so only those are read (from each such name, out to the first gap that is not a separator)
        separator = LIST_SEPARATOR.fullmatch
        done = -1  # the last name of the runs already read
        for i, c in enumerate(cands):
            if i <= done or "default" not in c.kind_votes:
                continue
            lo = hi = i
            while lo > 0 and separator(text, cands[lo - 1].end, cands[lo].start):
                lo -= 1
            while hi + 1 < len(cands) and separator(text, cands[hi].end, cands[hi + 1].start):
                hi += 1
            done = hi
            if hi == lo:
                continue
            group = cands[lo:hi + 1]
            strong = {m.kind for m in group if m.kind and "default" not in m.kind_votes}
            if len(strong) == 1:
                kind = strong.pop()
                for m in group:
                    if "default" in m.kind_votes and kind in ("dataset", "method"):
                        m.kind = kind
                        m.vote("listed", 0)  # a name beside known ones: "systems such as Whisper, USM and MMS"

    def type_namely_lists(self, text: str, cands: list[Candidate], sentences: Sequence[Sentence],
                          starts: list[int]) -> None:
        """'three novel datasets, namely, A supporting ..., B for ..., and C for ...': the names that open the
        items after 'namely' are of the kind the noun before it names, and new when the noun is described so."""
        for m in NAMELY.finditer(text):
            noun = NOUN_BEFORE.search(text, max(0, m.start() - 40), m.start())
            head = noun.group(1).lower() if noun else ""
            kind = "dataset" if head in self.dataset_heads else "method" if head in words("method_head") else None
            if kind is None:
                continue
            s = sentences[max(bisect_right(starts, m.start()) - 1, 0)]
            new = bool(NEW_WORD.search(text, max(s.start, m.start() - 60), m.start()))
            for c in cands:
                if not m.end() <= c.start < s.end or c.source == "gazetteer" or c.kind in ("task", "metric"):
                    continue
                if c.start == m.end() or LIST_ITEM_START.search(text, m.end(), c.start):
                    c.kind = kind
                    c.proposed = c.proposed or new

    def mark_proposed(self, text: str, cands: list[Candidate], sentences: Sequence[Sentence], title_end: int,
                      low: str | None = None, starts: list[int] | None = None) -> None:
        """What the paper introduces: named right after a naming word, first named after 'we propose/introduce...',
        described as new ('our new X', 'a novel dataset, X'), introduced in the passive ('X is proposed'),
        or the name of the title ('Name: subtitle').

        `low`: text.lower() when it slices like the text (else None); `starts`: the sentences' starts."""
        title_names = {slugify(c.text) for c in cands if c.proposed and c.source == "title-name"}
        if starts is None:
            starts = [s.start for s in sentences]
        by_sentence: dict[int, list[Candidate]] = {}  # the names still to decide, by sentence
        for c in cands:
            # (a coined Title Case name typed a task by its last word may be what the paper proposes: "we propose
            # Future-Aware Quantization"; it is then a method, below)
            if (c.kind == "method" or c.kind == "dataset" or (c.kind == "task" and is_title_case_run(c.text))) \
                    and not c.proposed:
                si = bisect_right(starts, c.start) - 1  # sentence_of(sentences, c.start)
                if si < 0:
                    si = 0
                group = by_sentence.get(si)
                if group is None:
                    by_sentence[si] = [c]
                else:
                    group.append(c)
        proposal_verbs, naming_words = self.proposal_verbs, self.naming_words
        passive_match, authors_search = PASSIVE_PROPOSAL.match, AUTHORS_FAST.search
        for si, group in by_sentence.items():
            s = sentences[si]
            s_start = s.start
            sentence = low[s_start:s.end] if low is not None else text[s_start:s.end].lower()
            authors = authors_search(sentence)
            # the ends of the authors' proposal verbs in this sentence, not yet used by a name: read when a name
            # after the authors needs them (a verb can only serve a name after it)
            verbs = None
            after = s_start + authors.start() if authors else len(text)
            passive = None  # whether the sentence holds a passive proposal verb (looked at when needed)
            for c in group:
                # the 70 characters before the name, in lower case (lower-casing moves no character); the words
                # these tests look for lie in it, hence in the sentence
                w_start = c.start - 70 if c.start - 70 > s_start else s_start
                window = low[w_start:c.start] if low is not None else text[w_start:c.start].lower()
                if named_just_before_low(window, naming_words) \
                        or (title_names and slugify(c.text) in title_names) \
                        or (passive_match(text, c.end) and (passive if passive is not None else (
                            passive := any(w in sentence for w in PASSIVE_STEMS)))) \
                        or (("our" in window or "new" in window or "novel" in window)
                            and described_as_new_low(window)):
                    c.proposed = True
                    continue
                if c.start <= after:
                    continue
                if verbs is None:
                    verbs = proposal_verb_ends(sentence, s_start, authors.start(), proposal_verbs)
                if not verbs:
                    continue
                # the first new name within a few words after the authors' proposal verb
                pending = [v for v in verbs if v <= c.start and follows_closely(text[v:c.start])]
                if pending and c.source != "gazetteer":  # a name the field knows is used, not introduced
                    c.proposed = True
                    verbs = [v for v in verbs if v not in pending]
        self.mark_components(text, cands, sentences, title_end, starts)
        # names derived from a proposed name are proposed too: LLaVE -> LLaVE-7B, ScaleDiff -> ScaleDiff-Math;
        # and a short form shares the proposal of its long form, and the other way round (the names it links
        # are gathered in the same pass: a name's own proposal is settled when the pass reaches it)
        derived = tuple([c.text + "-" for c in cands if c.proposed and len(c.text) >= 3])
        linked = set()
        for c in cands:
            if derived and not c.proposed and (c.kind == "method" or c.kind == "dataset") \
                    and c.text.startswith(derived):
                c.proposed = True
            if c.proposed:
                linked.add(c.text)
                if c.long_form:
                    linked.add(c.long_form)
        if linked:
            for c in cands:
                if c.long_form and c.long_form in linked:
                    c.proposed = True
                elif c.source == "abbrev-long" and c.text in linked:
                    c.proposed = True
        for c in cands:
            if c.proposed and c.kind == "task":
                if TASK_NOUN_BEFORE.search(text[max(0, c.start - 40):c.start].lower()):
                    c.proposed = False  # "a new task called X": the paper poses a task, it introduces no method
                else:
                    c.kind = "method"  # what a paper introduces is a method or a dataset, not a task

    def mark_components(self, text: str, cands: list[Candidate], sentences: Sequence[Sentence], title_end: int,
                        starts: list[int]) -> None:
        """The parts of what the paper proposes: once the abstract has introduced something, a method it then
        defines under a coined name that the field does not know ("Q-DREAM consists of three modules: (1) the
        Question Decomposition Module (QDM), ...") is its own too. Not in a sentence that compares or cites
        ("outperforms Decoupled Knowledge Distillation (DKD)", "unlike ...")."""
        first = min((c.start for c in cands if c.proposed and c.start >= title_end), default=None)
        if first is None:
            return
        for c in cands:
            if c.source != "abbrev-long" or c.proposed or c.start <= first or c.kind != "method" or \
                    not is_title_case_run(c.text) or "," in c.text or self.gazetteer_kind(slugify(c.text)):
                continue  # (a list spelled out, "DRU (Diversity, Reliability, Usability)", names no component)
            s = sentences[max(bisect_right(starts, c.start) - 1, 0)]
            if not CITES_OR_COMPARES.search(text, s.start, s.end):
                c.proposed = True

    def mark_evaluated(self, text: str, cands: list[Candidate], sentences: Sequence[Sentence],
                       starts: list[int] | None = None, low: str | None = None) -> None:
        """Datasets named in a sentence that speaks of experiments. `low`: text.lower() when its offsets are the
        text's (the cue is then looked for in it without regard to case, which is faster)."""
        if starts is None:
            starts = [s.start for s in sentences]
        blind = case_blind_text(text, low)
        search, source = (EVALUATION_CUE.search, text) if blind is None else (EVALUATION_CUE_LOWER.search, blind)
        seen: dict[int, bool] = {}  # sentence -> whether it speaks of experiments
        for c in cands:
            if c.kind == "dataset":
                si = bisect_right(starts, c.start) - 1
                if si < 0 or c.start >= sentences[si].end:
                    continue  # outside every sentence
                hit = seen.get(si)
                if hit is None:
                    s = sentences[si]
                    hit = seen[si] = search(source, s.start, s.end) is not None
                if hit:
                    c.evaluated = True


EVALUATION_WORDS = (r"\b(?:evaluat\w*|experiment\w*|results?|achiev\w*|outperform\w*|accuracy|performance|"
                    r"test\w*|benchmark\w*|state-of-the-art|sota)\b")
EVALUATION_CUE = re.compile(EVALUATION_WORDS, re.IGNORECASE)
EVALUATION_CUE_LOWER = re.compile(EVALUATION_WORDS)  # for text in lower case: the same hits, found faster


def case_blind_text(text: str, low: str | None) -> str | None:
    """`low` (text.lower() with the text's offsets, or None) when a pattern in lower case finds in it what the
    same pattern with re.IGNORECASE finds in the text: not when the text holds a dotless i or a long s, which a
    case-blind pattern matches as "i" and "s"."""
    return low if low is not None and "\u0131" not in text and "\u017f" not in text else None


# AUTHORS, led by the character class of its first letters so that the regex engine skips other text quickly
# ("\b" before a word's first letter: the character before it is not a word character)
AUTHORS_FAST = re.compile(r"[otw](?<!\w[otw])(?:(?<=w)e|(?<=o)ur|(?<=t)his (?:paper|work|study))\b")


@lru_cache(maxsize=100_000)
def votes_of_shape(name: str) -> tuple[tuple[str, int], ...]:
    """The kinds a name's own shape votes for (the same names come back paper after paper: worked out once)."""
    votes = []
    if DATASET_SUFFIX.search(name):
        votes.append(("dataset", 3))  # SWE-bench, HotpotQA, OpenVMT-Dataset
    if MODEL_SIZE_SUFFIX.search(name):
        votes.append(("method", 2))  # a model size: "Qwen3-8B"
    return tuple(votes)


# the words before "precision" that make it a number format ("mixed precision", "8-bit precision"), not the metric
NUMBER_FORMAT_WORDS = frozenset(("full", "half", "mixed", "low", "lower", "reduced", "single", "double", "arbitrary",
                                 "numerical", "numeric", "floating-point", "floating", "fixed-point", "machine"))
BITS = re.compile(r"\d+-?bits?$|^(?:fp|bf|int)\d+$")


def is_number_format(low: str, c: Candidate) -> bool:
    """'precision' read as a number format ("full precision", "FP16 precision"), not as the metric. `low`: the
    text in lower case."""
    if c.text.lower() != "precision":
        return False
    before = low[max(0, c.start - 30):c.start].split()
    return bool(before) and (before[-1] in NUMBER_FORMAT_WORDS or bool(BITS.search(before[-1])))


# nouns after a metric's name that make it a training objective ("a KL divergence minimizer", "a distance loss")
OBJECTIVE_NOUNS = frozenset(("minimizer", "minimizers", "minimization", "maximization", "loss", "losses",
                             "regularizer", "regularization", "penalty", "objective", "objectives", "term", "terms"))


def objective_after(low: str, end: int) -> bool:
    """The word after `end` in the lower-case text turns the metric named before it into an objective."""
    after = words_after3(low, end)
    return bool(after) and after[0] in OBJECTIVE_NOUNS


def link_spans(text: str) -> list[tuple[int, int]]:
    """The whitespace-delimited words of the text that hold a link ("://" or "www."), as (start, end). Found with
    str.find: a regex that looks for them inside any word tries every position of every word."""
    spans = []
    for mark in ("://", "www."):
        pos = text.find(mark)
        while pos >= 0:
            start = pos
            while start and not text[start - 1].isspace():
                start -= 1
            space = WHITESPACE.search(text, pos)
            end = space.start() if space else len(text)
            spans.append((start, end))
            pos = text.find(mark, end)
    return spans


WHITESPACE = re.compile(r"\s")


def is_conjecture(name: str) -> bool:
    """A hypothesis or conjecture is a concept, not a method (the guideline skips hypotheses)."""
    return name.lower().endswith(("hypothesis", "hypotheses", "conjecture"))


def is_coined(short: str) -> bool:
    """A short form that is a coined name rather than initials: ParetoDA, LoRA, FedKA (lower-case letters inside)."""
    core = short[:-1] if short.endswith("s") else short
    return any(c.islower() for c in core[1:]) and sum(c.isupper() for c in core) >= 2


def matches_at(pattern: re.Pattern, text: str, low: str, lead: str, start: int) -> list:
    """pattern.finditer(text, start) for a pattern whose matches start with `lead` (lower case, in any case in
    the text; `low`: text.lower() with the text's offsets): tried only where str.find finds it."""
    out = []
    end = start
    pos = low.find(lead, start)
    while pos >= 0:
        if pos >= end:
            m = pattern.match(text, pos)
            if m:
                out.append(m)
                end = m.end()
        pos = low.find(lead, pos + 1)
    return out


def find_words(text: str, phrase: str, last: bool = False) -> tuple[int, int] | None:
    """Where the words of `phrase` stand in `text` (whatever whitespace separates them there): (start, end)."""
    pos = text.rfind(phrase) if last else text.find(phrase)
    if pos >= 0:
        return pos, pos + len(phrase)
    matches = list(re.finditer(r"\s+".join(map(re.escape, phrase.split())), text))
    if not matches:
        return None
    m = matches[-1] if last else matches[0]
    return m.start(), m.end()


def reads_as_clause(phrase: str) -> bool:
    """A Title Case phrase with an adverb or a verb in it ("Verifiable Rewards Implicitly Incentivizes Correct
    Reasoning") says something; it does not name a method."""
    return CLAUSE_WORD.search(phrase) is not None


# (adverbs and third-person verbs; not the nouns that end like adverbs)
CLAUSE_WORD = re.compile(r"\b(?!(?:anomaly|family|assembly|supply|monopoly|poly)\b)\w+(?:ly|izes|ises|ifies)\b",
                         re.IGNORECASE)


def word_positions(low: str, word: str, start: int = 0) -> list[int]:
    """Offsets where `word` (lower case) starts a word of the lower-cased text."""
    found = []
    pos = low.find(word, start)
    while pos >= 0:
        if pos == 0 or not low[pos - 1].isalnum():
            found.append(pos)
        pos = low.find(word, pos + 1)
    return found


def occurrences(text: str, word: str) -> list[int]:
    """Start offsets of `word` as a whole word (not inside a longer name such as "DART-Math")."""
    found = []
    pos = text.find(word)
    while pos >= 0:
        end = pos + len(word)
        before = text[pos - 1] if pos else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before in "-_") and not (after.isalnum() or after in "-_"):
            found.append(pos)
        pos = text.find(word, end)
    return found


def proposal_verb_ends(sentence: str, offset: int, at: int, proposal_verbs) -> list[int]:
    """Where the proposal verbs of a sentence (in lower case, starting at `offset` in the text) end, sorted: the
    verbs written as words in it, found as whole words from `at` (where the authors are named) on."""
    verbs = []
    present = proposal_verbs.intersection(sentence.split())
    if present:
        size = len(sentence)
        find = sentence.find
        for v in present:
            n = len(v)
            pos = find(v, at)
            while pos >= 0:
                if (pos == 0 or not sentence[pos - 1].isalnum()) and \
                        (pos + n == size or not sentence[pos + n].isalnum()):
                    verbs.append(offset + pos + n)
                pos = find(v, pos + 1)
        verbs.sort()
    return verbs


def named_just_before_low(window: str, naming_words) -> bool:
    """The lower-case window before a name ends with a naming word: '... called X', 'named "X"', 'we call X'."""
    tail = window.rstrip(" \t\"'`“(:,").rsplit(None, 1)
    return bool(tail) and tail[-1] in naming_words


def described_as_new_low(low_window: str) -> bool:
    """The lower-case window before a name describes it as new: 'our new X', 'our novel "X"', 'a novel
    cross-framework dataset, X', 'our 14B parameter model, X' (it needs 'our', 'new' or 'novel' in it)."""
    low = low_window.rstrip(" \t\"'`“")
    words_ = low.rsplit(None, 3)
    if len(words_) >= 2 and words_[-2] == "our" and words_[-1] in ("new", "novel", "proposed"):
        return True
    if low.endswith((",", ":", "namely")) and ("new" in low or "novel" in low or "our" in low):
        return bool(NEW_BEFORE.search(low[-80:]))
    return False


def follows_closely(between: str) -> bool:
    """The text between a proposal verb and a name lets the name be its object: a few words, no clause break
    (a comma or colon only right before the name: 'we introduce a new benchmark, X')."""
    inner = between.rstrip()
    apposition = inner.endswith((",", ":"))
    if apposition:
        inner = inner[:-1]
    # (the marks first: cheaper than splitting; and no more than 13 words are split off to count to 12)
    if "," in inner or ";" in inner or ":" in inner or len(inner.split(None, 12)) > 12:
        return False
    # a name inside a relative clause or after a preposition is not what the verb introduces ("a framework that
    # combines X and Y", "a variant of X", "a module for X"); after an apposition's comma it is ("a benchmark of
    # 500 tasks, X")
    if (RELATIVE if apposition else NOT_THE_OBJECT).search(inner):
        return False
    # what is said to exist already is used, not introduced: "a testbed of six publicly available data sources -
    # X", "a study of existing models such as X"
    return EXISTING.search(inner) is None


RELATIVE = re.compile(r"\b(?:that|which|who|whose|where)\b", re.IGNORECASE)
NOT_THE_OBJECT = re.compile(r"\b(?:that|which|who|whose|where|to|of|for|with|on|in|from|by|using|via|based|"
                            r"between|across|into|over|than)\b", re.IGNORECASE)


EXISTING = re.compile(r"\b(?:publicly|public|existing|popular|standard|widely|well-known|off-the-shelf|"
                      r"pre-existing|prior|previous|such as|including|like)\b", re.IGNORECASE)


def sentence_of(sentences: Sequence[Sentence], pos: int) -> int:
    """Index in `sentences` of the sentence holding character `pos`."""
    lo, hi = 0, len(sentences) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if sentences[mid].start <= pos:
            lo = mid
        else:
            hi = mid - 1
    return lo


def clause_before(text: str, sentences: Sequence[Sentence], pos: int) -> str:
    """Text from the start of the sentence (or of the clause after a ';') up to pos."""
    for s in sentences:
        if s.start <= pos < s.end:
            part = text[s.start:pos]
            return part[part.rfind(";") + 1:]
    return ""


def sentence_text(text: str, sentences: Sequence[Sentence], pos: int) -> str:
    for s in sentences:
        if s.start <= pos < s.end:
            return text[s.start:s.end]
    return ""


def title_tasks(title: str) -> list[Candidate]:
    """The task a title names: '... for Code Translation', '...: Dataset Development'."""
    out = []
    for m in TITLE_TASK_AFTER_TRIGGER.finditer(title):
        phrase = TITLE_EVALUATIVE.sub("", m.group("task"))
        tokens = phrase.split()
        if not 2 <= len(tokens) <= 6 or kind_from_head(phrase) != "task" or is_generic(phrase):
            continue
        if any(t.lower() in SMALL - {"of", "and"} for t in tokens) or (
                tokens[0].lower().endswith("ing") and tokens[0].lower() not in words("task_head")):
            continue  # a clause ("Evaluating LLMs at X", "Boosting Visual Generation"), not a task name
        start = m.start("task") + m.group("task").index(phrase)
        out.append(Candidate(start, start + len(phrase), phrase, "task", "title-phrase"))
    return out


def trim_task_phrase(phrase: str, head_first: bool = False) -> str:
    """The task inside a phrase: the content words next to 'task'/'problem' ('various downstream tasks' -> '').

    For 'X task', X is the run of content words just before the word 'task'; for 'the problem of X' (head_first),
    the run just after 'of'. The phrase must end like a task: a task head word or a -ion/-ing/-sis noun.
    """
    tokens = phrase.split()
    run: list[str] = []
    for t in (tokens if head_first else reversed(tokens)):
        if t.lower() in TASK_STOP or not t[:1].isalpha():
            break
        run.append(t)
    if not head_first:
        run.reverse()
    run = run[-4:]
    if not run:
        return ""
    last = run[-1].lower()
    if last.endswith(("ed", "ly")) or not (last in words("task_head") or last.endswith(TASK_ENDINGS)):
        return ""
    return " ".join(run)


# (not "-al": it ends more adjectives, "mathematical", "visual", than nouns; "retrieval" and "removal" are task heads)
TASK_ENDINGS = ("ion", "ing", "sis", "ment", "ance", "ence", "ity")
