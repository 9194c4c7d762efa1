"""The rhetorical role of each sentence of a paper: what it is, who it is about, and whether it can be quoted.

A summary field is filled from the paper's own sentences first, so each sentence is judged once:
- usable: a whole sentence a reader can take on its own (a verb, terminal punctuation, not a table
  row, caption, heading, copyright line, a pointer such as "in this section we describe" or "we
  refer the reader to", the paper's outline, an author-contribution note, a persona's story, a gap
  that never says what it is, or a back-reference such as "these themes" whose paragraph is not shown);
- whose: the paper's own work ("we", "our", "this paper", "the proposed") or another work's (a
  citation marker or "Smith et al." as its subject, "previous methods"): another paper's claim is
  never this paper's method or result;
- roles: background, gap (what is missing in past work), method, result, limitation, future work,
  significance, novelty and cost, each scored from cue phrases, the section it sits in and its
  position; numbers add to results and cost; hopes, cautions and setup details lose.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.text import SUMMARY_STOPWORDS, content_words, numbers

ROLES = ("background", "gap", "method", "result", "limitation", "future", "significance", "novelty", "cost")

_WORD = re.compile(r"[^\W_]+")
_OWN = re.compile(
    r"\b(?:we|our|ours|us)\b|\bthis (?:paper|work|study|article|letter|report|thesis|manuscript)\b"
    r"|\b(?:the|our) proposed\b|\bhere,? we\b|\bin this (?:paper|work)\b",
    re.I,
)
_CITATION = r"(?:\[\d+(?:\s*[,–-]\s*\d+)*\]|\(\s*[A-Z][\w'-]+(?: et al\.?)?,? \d{4}[a-z]?\s*\))"
_OTHERS_SUBJECT = re.compile(
    rf"^(?:{_CITATION}|[A-Z][\w'-]+(?: and [A-Z][\w'-]+)? et al\.?(?: {_CITATION})?"
    rf"|[A-Z][\w'-]+ and [A-Z][\w'-]+ {_CITATION}|[A-Z][\w'-]+ {_CITATION})"
    r"|^(?:the authors|they|these authors)\b"
    r"|^(?:previous|prior|earlier|existing|recent|traditional|conventional|classical|many|most|some|other)"
    r" (?:work|works|studies|methods|approaches|models|systems|techniques|researchers|authors|papers)",
    re.I,
)
_CITES = re.compile(_CITATION + r"|\bet al\.")
# Numbers that are not findings: citation markers, references to tables, figures, sections, equations.
_NOT_A_FIGURE = re.compile(
    _CITATION + r"|\b(?:table|tab|fig(?:ure)?|section|sec|eq(?:uation)?|appendix|algorithm|step|stage)s?\.?"
    r"\s*\(?[A-Z]?\.?\d+(?:\.\d+)*\)?|\[\d+(?:[,–-]\s*\d+)*\]|(?<=[a-z])\d{1,3}\b",
    re.I,
)
# Openers that lean on an earlier sentence ("It also...", "This split...", "First, it..."): out of
# their paragraph a reader cannot tell what they are about.
_ANAPHORIC = re.compile(
    r"^(?:it|its|this|these|those|they|such|here|there|thus|hence|therefore|besides|moreover|furthermore"
    r"|and|but|or|nor|yet|so"
    r"|also|first|second|third|finally|then|however|instead|accordingly|consequently|in addition|in contrast"
    r"|on the other hand|even though|obviously|similarly|likewise|additionally|overall|to this end"
    r"|(?:in fact|indeed|notably|in particular),? (?:it|its|this|these|those|they|such)"
    r"|(?:consistent|in line|in agreement|in keeping) with (?:this|these|that|those|our|the|such)"
    r"|in (?:this|that|such|these) (?:example|case|cases|setting|scenario)|we then)\b",
    re.I,
)
_ORDINALS = frozenset({"first", "second", "third", "then", "also", "each", "finally"})
_CONTRAST = re.compile(r"^(?:however|in contrast|instead|on the other hand)\b", re.I)
# A subject only the paragraph before names ("these papers do not...", "on this task"): true in
# place, undefined in a summary.
_UNDEFINED = re.compile(
    r"\b(?:this|such) (?:task|tasks|type|kind|papers|works|problem|matter|issue|setting"
    r"|settings|data|approaches|cases|methods|models)\b"
    # "these themes", "those cells": always the paragraph before's; "those of [X]" compares instead
    r"|\bthese [a-z]|\bthose (?!of\b|in\b|with\b|that\b|who\b|which\b|from\b|at\b|for\b|on\b)[a-z]+\b(?<!ed)"
    # "the two coefficients", "the latter": a pair or an order only the paragraph before gives
    r"|\bthe (?:two|former|latter|aforementioned|above-mentioned)\b(?![-‐])"
    # "We implement this inside of ...": what "this" is, the sentence before said
    r"|^(?:we|they) (?:\w+ ){0,1}\w+ (?:this|these|those) (?:inside|by|in|with|using|via|through|as"
    r"|on|for|at|into|within)\b",
    re.I,
)
# Hopes, recommendations, cautions and caveats: what the authors wish or warn, not what they did or found.
_HEDGE = re.compile(
    r"\bwe (?:hope|recommend|encourage|caution|urge|advise)\b|\bexercise caution\b|\bwith caution\b"
    r"|\bmay differ from\b|\bshould be (?:interpreted|taken|treated|read) with\b|\bsubject to change\b"
    r"|\b(?:developers|users|practitioners|researchers|readers) should (?:be|remain|take|consider)\b"
    r"|\b(?:could|might) be used (?:to|for)\b",
    re.I,
)
# An opinion of the authors' ("we believe that ... can support"): what they think, not what they did.
_BELIEF = re.compile(r"\bwe (?:believe|speculate|think|feel|suspect|conjecture)\b|^that being said\b", re.I)
# "To improve precision, we filter ...": what was done for an end, not what was found.
_PURPOSE = re.compile(
    r"^(?:in order )?to [a-z]+\b[^,.;]{0,80}, we (?!argue|show|find|found|observe|demonstrate|report)", re.I
)
# A result told only by its praise ("it achieves remarkable real-world performance"): no finding a
# reader could check, where the paper has its figures.
_PRAISE = re.compile(
    r"\b(?:remarkable|impressive|strong|promising|competitive|excellent|superior|encouraging|good|great)"
    r"(?: [\w-]+){0,2} (?:performance|results?|accuracy|gains?)\b",
    re.I,
)


def only_praise(text: str, figures_stated: int) -> bool:
    """A result told only by its praise, with no figure: "it achieves remarkable performance"."""
    return bool(_PRAISE.search(text)) and not figures_stated


# The authors' own earlier paper ("we previously showed", "a recent publication from our lab"): past
# work, not what this paper did or found.
_PRIOR_OWN = re.compile(
    r"\bwe (?:have )?previously\b|\b(?:our|my) (?:previous|prior|earlier|recent) (?:work|study|studies|paper"
    r"|papers|report|findings|publication)\b|\bfrom our (?:lab|laboratory|group)\b",
    re.I,
)
# A bench protocol ("cells were washed twice", "incubated at 37 °C for 2 days"): how the
# assay was run, neither the method's design, nor a finding, nor its cost.
_PROTOCOL = re.compile(
    r"\b(?:incubated|centrifuged|washed|rinsed|stained|diluted|resuspended|cultured|transfected|harvested"
    r"|lysed|seeded|plated|pelleted|aliquoted|sonicated|fixed in|permeabili[sz]ed|electroporated"
    r"|tested negative|purchased from|were grown|was grown|were transferred|were kept)\b",
    re.I,
)
# The question a study asked, or its hypothesis ("we investigated whether", "we hypothesized that"):
# not yet what it found.
_QUESTION = re.compile(
    r"\bwe (?:investigated|examined|tested|asked|explored|wondered|assessed|addressed|determined)"
    r" (?:whether|if)\b|\bwe (?:sought|set out|aimed) to (?:determine|test|investigate|examine)\b"
    r"|\bwe (?:hypothesi[sz]ed|postulated|speculated)\b",
    re.I,
)
# A closing line that names no finding ("our findings provide new insight into ..."): what the paper
# gives, said of any paper.
_INSIGHT = re.compile(
    r"\b(?:provides?|provided|offers?|gives?|yields?)(?: \w+){0,2} (?:insights?|understanding)\b",
    re.I,
)
# A plan for later work ("we plan to extend ...", "left for future work"); not "we will show", which
# announces what this paper does.
_PLANS = (
    r"\bfuture (?:work|research|directions?|studies)\b|\b(?:we|and|also) (?:plan|intend) to\b"
    r"|\bleave\w* (?:for|to) future\b|\bin the future\b|\b(?:another|next|future) research goals?\b"
)
_PLAN = re.compile(_PLANS + r"|\bwe (?:anticipate|envision|envisage) that\b", re.I)
# How the work was set up, not what it found or cost: checkpoint averaging, how FLOPs were estimated,
# how the study's questions were prepared.
SETUP = re.compile(
    r"\bcheckpoints?\b|\bwe estimate\b|\bestimated? (?:by|using|as)\b|\bby multiplying\b"
    r"|\b(?:writing|wrote|prepar\w+|compos\w+) (?:\S+ ){0,3}questions\b",
    re.I,
)
# Settings and implementation details: the reader of a summary wants the design and the findings,
# not the learning rate; they belong with the workload, if anywhere.
_DETAIL = re.compile(
    r"\b(?:epochs?|learning rate|batch(?: size)?|dropout|momentum|weight decay|optimi[sz]er|Adam|SGD"
    r"|beam (?:search|size)|hyper-?parameters?|initiali[sz]\w*|we set|is set to|are set to|threshold"
    r"|subtract\w*|normali[sz]\w*|HuggingFace|PyTorch|TensorFlow|Keras|Caffe|implementation"
    r"|source code|code is (?:available|released)|GPUs?|we assume|for simplicity|we filter\w*|discard\w*)\b",
    re.I,
)
# A footnote mark glued to the next word ("4For LED training"), a footer run in ("The Netherlands 8
# mations"), or a participant's own words quoted.
_VOICE = re.compile(
    r"^\d+[A-Z]|\b\d+[a-z]{4,}\b|^[A-Z][a-z]+(?: [A-Z][a-z]+)* \d+ [a-z]|^[\"“‘']"
    r"|\bI (?:think|could|was|am|felt|found|would|liked|had)\b|\b(?:you|your)\b"
)
# Layout run into the sentence's start: a page or footnote number ("4 We envision ..."), a figure
# panel's label ("(B) They compose ..."), an equation's number and its symbols ("(6)⟧ % That is").
_DEBRIS = re.compile(
    r"^\d{1,3} (?=(?:We|Our|This|These|The|In|It)\b)|^\(\s?[A-H]\s?\)\s|^\(\d+\)\s*[^\w\s]|[⟦⟧]"
    r"|>>>|\(\.\.\.\)"  # a code listing run into the text ("1 >>> paragraphs = Layer (...)")
    # a formula's glyphs lost at the end: "the scaling factor of 1 dk ." (1/sqrt(d_k))
    r"|\s\w{1,2}\s\.$"
    # a heading run into the sentence's start: "Ethical Considerations As a toolkit ..."
    r"|^(?:[A-Z][a-z]+ ){1,3}[A-Z][a-z]+ (?=(?:As|The|We|Our|This|These|It|In) [a-z])"
)
# A caption or heading spliced into a sentence: "... performing Table 1." or "clarity. of regression".
_SPLICED = re.compile(
    r"(?<=[a-z]{3}) (?:The|We|Our|One|This|These|In|It|Its) (?=[a-z])"
    r"|\b(?:in|of|on|to|at|by|as|is) (?:The|We|Our|This|These|It) (?=[a-z])"
    r"|(?<=\d)\.\d{1,2} (?=(?:The|We|Our|In|It|This|These|Following|For|To|As) )"
    r"|(?i:\b(?:table|figure|fig\.)\s*\d+\.?$)|(?<!\b[a-z])(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)\. [a-z]"
    # a caption run in after the sentence's own colon: "three types of regularization: Table 2: The ..."
    r"|(?<=\S)[:;,]? (?:Table|Figure|Fig\.) \d+[a-z]?: [A-Z]"
)
_VERB = re.compile(
    r"\b(?:is|are|was|were|be|been|being|has|have|had|do|does|did|can|could|may|might|will|would"
    r"|shall|should|must)\b|\b\w{3,}(?:ed|es|s)\b"
    # irregular past forms ("the network won ..."), and any word after a pronoun subject ("we fix")
    r"|\b(?:won|made|took|taken|found|gave|given|got|led|ran|saw|seen|held|built|chose|chosen"
    r"|drew|drawn|fell|grew|grown|kept|lost|met|paid|rose|sent|shown|spent|stood|taught|told"
    r"|thought|went|gone|wrote|written|brought|began|begun|became|came|done|known|knew|meant"
    r"|sought|heard|bore|broke|broken|caught|fed|fought|hung|sold|shot|spoke|spoken|struck|swept"
    r"|threw|thrown|understood|withdrew)\b"
    r"|\b(?:we|they|i)\s+(?:\w+ly\s+)?[a-z]{2,}\b",
    re.I,
)
_CAPTION = re.compile(
    r"^\s*(?:fig(?:ure)?|table|tab|algorithm|listing|eq(?:uation)?)\.?\s*[A-Z]?\d+[a-z]?\s*[:.|]", re.I
)
# A caption's label read as a sentence of its own ("2 Fig. 1.", a page number before it): the next
# sentence is the caption's text ("U-net architecture (example for 32x32 pixels ...)."), not the paper's.
_BARE_LABEL = re.compile(
    r"^\s*(?:\d{1,3}\s+)?(?:fig(?:ure)?|table|tab)\.?\s*[A-Z]?\d+[a-z]?\s*[.:|]?\s*$", re.I
)
_BOILERPLATE = re.compile(
    r"©|\bcopyright\b|all rights reserved|\barxiv:\d|\bdoi:|https?://|www\.|@\w+\.\w|\bpermission\b.*\bgrant"
    r"|\blicen[cs]e[ds]?\b|\bproceedings of\b|\bworkshop on\b|\bcorresponding author\b|\bpreprint\b"
    r"|\bmanuscript received\b|\baccepted (?:for|in)\b"
    r"|\bequal(?:ly)? contribut\w+|\bcontributed equally\b|\bwork (?:performed|done) (?:while|during)\b",
    re.I,
)
# Who did what among the authors ("Ashish, with Illia, designed ..."), or a persona's story ("Lucy
# realizes that she can reuse ..."): a person's doings, never the paper's method or finding. A name
# is one capitalised word not ending like a plural or a gerund ("Participants spent", "Training ran").
_PERSON = re.compile(
    r"^[A-Z][a-z]{2,}(?<!s)(?<!ing)(?:(?:,? and|,? with|,) [A-Z][a-z]{2,})*,?"
    r" (?:also |then |later |first |further )?"
    r"(?:designed|implemented|proposed|experimented|conceived|developed|wrote|ran|built|led|worked|spent"
    r"|was responsible|is responsible|realizes|realises|wants|decides|notices|opens|clicks|reads)\b"
    r"|\b(?:she|he|her|his|him|herself|himself)\b(?!-)"
    r"|\b[A-Z][a-z]{2,} (?:suspects|feels|wants|decides|notices|realizes|realises|wonders|has followed)\b"
    r"|(?i:\b(?:a|the) (?:fictional|hypothetical|imaginary|fictitious) (?:user|reader|researcher|scientist"
    r"|student|person|author)\b)"
)
# A gap named without saying what it is ("existing corpora are not without their limitations").
_HOLLOW_GAP = re.compile(
    r"\b(?:not without|has|have|with|faces?|comes? with) (?:its|their) (?:own )?(?:limitations|drawbacks"
    r"|shortcomings|challenges|problems|issues|weaknesses)\b"
    r"|\bnot without (?:limitations|drawbacks|shortcomings|challenges|problems|issues)\b",
    re.I,
)
# A figure label or a heading run into a sentence: "[Both] To see ...", "... guidance: Provide reading
# guidance Interactive reading systems ..." (a capitalised word after a lowercase one, past a colon).
_LABELLED = re.compile(
    r"^\[[A-Za-z][^\]]{0,30}\]\s"
    r"|: [A-Z][a-z]+(?: [a-z]+){1,4}(?<! and)(?<! or)(?<! of)(?<! the)(?<! to) [A-Z][a-z]+ [a-z]+"
)
_POINTER = re.compile(
    r"\b(?:in|the) (?:this|next|following|previous|remaining|rest of (?:this|the)) (?:section"
    r"|chapter|paper)s?\b"
    r".{0,40}\b(?:describe|present|discuss|introduce|show|give|detail|outline|review|organi[sz]ed"
    r"|summari[sz]e|explore|examine|investigate|consider|focus|provide|turn|look|define)"
    r"|\b(?:section|sec\.) \d+ (?:describes|presents|discusses|introduces|shows|reviews|concludes)"
    r"|\b(?:is|are) (?:organi[sz]ed|structured) as follows\b|^see (?:fig|table|section|appendix)"
    r"|\bwe (?:now|next) (?:turn|move|proceed|describe|discuss|present|show)\b|\bin (?:section|sec\.|§) ?\d"
    r"|^(?:next|now|here|below|above|finally),? we (?:describe|discuss|present|show|give|detail|turn"
    r"|showcase|demonstrate|illustrate|walk|explain|outline)\b"
    r"|^as (?:shown|illustrated|depicted|described|discussed) (?:in|below|above)\b[^,]*\.$"
    # pointers to elsewhere: "For details, we refer the reader to ...", "let us consider", "To
    # illustrate how X is designed, we describe ..."
    r"|\brefer (?:the |interested )*readers? to\b|^for (?:more |further |full |implementation )?details\b"
    r"|\blet us (?:consider|look|see|take|examine|illustrate|start|begin)\b"
    r"|^to (?:illustrate|understand|see|show|explain|demonstrate|motivate) (?:how|why|what)\b"
    r".{0,160}\b(?:we (?:describe|consider|walk|present|give)|let us|consider)\b"
    # the paper's outline: "We first describe an example ..., and then unpack details of ..."
    r"|^we (?:first|begin by|start by|start with|then|next) (?:describ|discuss|present|review|outlin"
    r"|unpack|explain|detail|illustrat|walk)\w*"
    r"|\band then (?:unpack|describe|discuss|detail|explain|walk through)\b"
    # sent to an appendix: "We further comment on paper clustering ... in Appendix §C."
    r"|\bwe (?:further |also )?(?:comment|elaborate|discuss|describe|detail|give|provide|report)\b"
    r".{0,80}\bin (?:the )?(?:appendix|appendices|supplement\w*)\b",
    re.I,
)
# Reference-list entries and thanks read as sentences but are never a summary's material.
_REFERENCE = re.compile(
    r"\b(?:in )?proc(?:eedings|\.)\b|\bpp\. ?\d|\bvol\. ?\d|\bjournal of\b|\barxiv preprint\b"
    r"|\bconference on\b"
    r"|^\[\d+\] [A-Z]|\b(?:19|20)\d\d[a-z]?\. [A-Z]",
    re.I,
)
_THANKS = re.compile(
    r"\bthank|\bgrateful\b|\backnowledg|\bfunded by\b|\bsupported (?:in part )?by\b|\bgrant\b", re.I
)

# A stated finding: a verb of comparison or change, or a named measure.
FINDING = re.compile(
    r"\b(?:achiev|outperform|improv|surpass|exceed|beat|reduc|increas|gain|reach|obtain)\w*|\baccuracy\b"
    r"|\bF1\b|\bBLEU\b|\bAUC\b|\bROUGE|\bprecision\b|\brecall\b|\berror\b|\bscores?\b|\bcorrelat\w*",
    re.I,
)
CUES: dict[str, re.Pattern[str]] = {
    "background": re.compile(
        r"\b(?:is|are) (?:a|an|the|one of|widely|increasingly|commonly|often|central|crucial"
        r"|important|key|essential)\b"
        r"|\bplays? an? (?:important|key|central|crucial) role\b|\bhas become\b|\bhave become\b"
        r"|\bwidely used\b"
        r"|\bin recent years\b|\brecently\b|\bgrowing\b|\bincreasing(?:ly)?\b|\bdemand\b|\bapplications?\b",
        re.I,
    ),
    "gap": re.compile(
        r"\bhowever\b|\bbut\b|\blimit(?:ed|s|ation|ations)?\b|\bfail(?:s|ed)?\b|\bsuffer\b|\bchalleng\w*"
        r"|\bdifficult\w*|\black(?:s|ing)?\b|\bexpensive\b|\bcostly\b|\bremains?\b|\bunclear\b|\bunexplored\b"
        r"|\blittle (?:attention|work)\b|\bnot yet\b|\bproblem\w*|\bdrawbacks?\b|\bshortcomings?\b"
        r"|\binsufficient\b"
        r"|\bbottleneck\b|\bprohibitive\b|\bstruggle\b|\bunable\b|\bcannot\b|\bdo(?:es)? not\b",
        re.I,
    ),
    "method": re.compile(
        r"\bwe (?:propose|present|introduce|develop|design|build|describe|use|train|employ|apply"
        r"|adopt|formulate"
        r"|model|construct|define|compute|combine|extend|leverage|implement|annotate|collect"
        r"|release|create)\b"
        r"|\b(?:consists? of|is composed of|composed of|is based on|relies on|takes as input)\b"
        r"|\bour (?:method|model|approach|framework|system|architecture|algorithm|network|pipeline"
        r"|tool|toolkit|dataset)\b"
        r"|\b(?:the|this) (?:proposed|new) (?:method|model|approach|framework|system|architecture"
        r"|algorithm)\b"
        r"|\b(?:first|then|next|finally|second|third),"
        r"|^we (?!also\b|believe\b|hope\b|expect\b|show|find|found|observe|demonstrate|report|achieve)\w+",
        re.I,
    ),
    "result": re.compile(
        r"\b(?:achiev|outperform|improv|obtain|reach|surpass|yield|exceed|beat|attain|reduc|increas"
        r"|boost|gain)\w*"
        r"|\b(?:show|find|found|demonstrat|observ|reveal|confirm|indicat)\w* that\b"
        r"|\bstate[- ]of[- ]the[- ]art\b"
        r"|\bresults? (?:show|indicate|demonstrate|suggest)\b|\baccuracy\b|\bF1\b|\bBLEU\b|\bAUC\b"
        r"|\bprecision\b"
        r"|\brecall\b|\berror\b|\bsignificant(?:ly)?\b|\bcompared (?:with|to)\b|\bbetter than\b",
        re.I,
    ),
    "limitation": re.compile(
        r"\blimitations?\b|\bdoes not\b|\bdo not\b|\bcannot\b|\bfails? to\b|\bonly (?:works|applies"
        r"|considers)\b"
        r"|\bweakness\w*|\bcaveat\w*|\brestricted to\b|\bnot (?:able|designed|suitable)\b",
        re.I,
    ),
    # plans, and what is hoped for or left open
    "future": re.compile(
        _PLANS + r"|\bwe hope to\b|\bthe future of\b|\bopen (?:question|problem)s?\b|\bwe will\b", re.I
    ),
    "significance": re.compile(
        r"\bwe (?:believe|expect|argue|envision)\b|\bpromising\b|\bpaves? the way\b"
        r"|\bopens? (?:up|the door)\b"
        r"|\benabl\w+\b|\bimpact\w*|\bbenefit\w*|\buseful\b|\bvaluable\b|\bimportant step\b|\bimplications?\b"
        r"|\bcontribut\w+\b|\bwe (?:have )?(?:shown|demonstrated)\b"
        r"|\bcan be applied\b|\bapplicable\b|\bpossible to\b|\bunderscore\w*|\bwe are (?:sure|confident)\b",
        re.I,
    ),
    "novelty": re.compile(
        r"\b(?:the )?first\b(?!,)|\bnovel\b|\bnew\b|\bunlike (?:previous|prior|existing|earlier)\b"
        r"|\bin contrast to\b"
        r"|\bto (?:the best of )?our knowledge\b|\bfor the first time\b"
        r"|\bdiffers? from\b|\binstead of\b|\bmodification\b|\bsets? \w+(?: \w+)? apart\b"
        r"|\b(?:key|main|important) (?:difference|modification|idea|insight)\b|\bunlike\b",
        re.I,
    ),
    "cost": re.compile(
        r"\b(?:hours?|days?|minutes?|seconds?|GPUs?|TPUs?|CPUs?|FLOPs?|memory|GB|MB|epochs?"
        r"|cost\w*|budget"
        r"|complexity|efficien\w*|faster|slower|speed\w*|runtime|latency|training time|compute|computational"
        r"|annotat\w+|participants?|workers?|crowd\w*|hand-?label\w*|manual\w*)\b",
        re.I,
    ),
}

# A section on how the work was run (its training, data, hardware, a study's set-up), where costs are
# said too. Not "Methods", nor "Database Search" or "Efficiency Assays": those are where a biology
# paper gives the steps of its method.
SETTING_SECTION = re.compile(
    r"training|implement|experiment|set-?up|hardware|annotat|stud(?:y|ies)\b"
    r"|\bdata(?:sets?)?\b(?! (?:collection|creation|construction))",
    re.I,
)
# Which sections each role is most at home in (a heading is matched with these patterns).
_SECTION_PRIOR: dict[str, re.Pattern[str]] = {
    "background": re.compile(r"abstract|introduc|background|motivation|^$", re.I),
    "gap": re.compile(r"abstract|introduc|related|background|prior|motivation|^$", re.I),
    "method": re.compile(
        r"abstract|method|approach|model|architecture|framework|design|algorithm|system|implement"
        r"|proposed|network|training|construct|pipeline|overview|data(?:set)?\b|corpus|guideline",
        re.I,
    ),
    "result": re.compile(
        r"abstract|result|experiment|evaluat|ablation|analysis|study|benchmark|conclu|discussion", re.I
    ),
    "limitation": re.compile(r"limitation|discussion|conclu|future", re.I),
    "future": re.compile(r"future|conclu|discussion|limitation", re.I),
    "significance": re.compile(r"conclu|discussion|abstract|summary|introduc", re.I),
    "novelty": re.compile(r"abstract|introduc|conclu|contribution", re.I),
    "cost": re.compile(rf"{SETTING_SECTION.pattern}|complexity|efficien|cost", re.I),
}


@dataclass(frozen=True)
class Sentence:
    """One sentence of a paper, where it is, and what it is."""

    text: str
    page: int
    section: str
    index: int  # position in the paper's body, from 0
    chunk_id: str = ""
    in_abstract: bool = False
    usable: bool = True
    own: bool = False
    others: bool = False
    number_count: int = 0  # how many numbers it states
    roles: dict[str, float] = field(default_factory=dict, compare=False)
    # How close it is to what the whole paper is about (z-score of its embedding's cosine to the
    # paper's centroid among the usable sentences; 0 when not embedded).
    central: float = 0.0
    # The numbered top-level section it falls under ("3 Model Architecture" for "3.2.1 Scaled
    # Dot-Product Attention"): what a field's home sections are matched against. Empty: its own.
    part: str = ""
    lead: bool = False  # the first usable sentence of its (sub)section: what the section is about
    titled: bool = False  # its section is named after the paper's own work ("4 The Bijective ... Transform")
    surveyed: bool = False  # most sentences of its section cite other work: it reviews them, not ours


_DEFINITION = re.compile(
    r"\b(?:denotes?|is defined as|are defined as|defines? as|is given by|let \w+ (?:be|denote)"
    r"|where \w{1,3} (?:is|are|denotes)"
    r"|is the number of|we denote|we define|we write|we refer to|henceforth|we call)\b",
    re.I,
)


def usable(text: str) -> bool:
    """Whether a reader can take the sentence on its own: whole, a clause, not layout debris."""
    words = _WORD.findall(text)
    if not 6 <= len(words) <= 70:
        return False
    stripped = text.strip()
    if stripped[-1:] not in ".!" and not stripped.endswith((".)", '."', ".”")):
        return False  # a question, or a sentence cut off
    if stripped.endswith(("..", "…")):
        return False  # a quotation cut short (an example in a figure), not the paper's sentence
    if _VOICE.search(stripped) or _DEBRIS.search(stripped):
        return False
    first = stripped.lstrip("\"'“(")
    if first[:1].islower() or stripped[:1] in ")]},;:":
        return False
    if _CAPTION.search(stripped) or _BOILERPLATE.search(stripped) or _POINTER.search(stripped):
        return False
    if _REFERENCE.search(stripped) or _THANKS.search(stripped) or _SPLICED.search(stripped):
        return False
    if _PERSON.search(stripped) or _HOLLOW_GAP.search(stripped) or _LABELLED.search(stripped):
        return False
    if _UNDEFINED.search(stripped):
        return False  # quoted alone, the paragraph that defines its subject is not shown
    if not _VERB.search(stripped):
        return False
    if len(content_words(stripped, SUMMARY_STOPWORDS, min_length=4) - _ORDINALS) < 4:
        return False  # too thin to inform on its own ("We first analyzed 53 patients.")
    tokens = stripped.split()
    numeric = sum(bool(re.fullmatch(r"[\d.,%±()\-–+/×x*]+", t)) for t in tokens)
    if numeric >= 4 and numeric / len(tokens) > 0.25:
        return False  # a table row read as text
    symbols = sum(not c.isalnum() and not c.isspace() for c in stripped)
    return symbols / max(len(stripped), 1) < 0.12  # equations and garbled glyph runs


def figures(text: str) -> int:
    """How many numbers the sentence states as findings or settings (not references to tables or papers)."""
    return len(numbers(_NOT_A_FIGURE.sub(" ", text)))


_NAMED = re.compile(
    r"\b(?:we|this paper|this work) (?:propose|present|introduce|develop|call|name|release|describe)s?"
    r"(?: a| an| the)?(?: new| novel)? ([A-Z][\w-]*[A-Z0-9][\w-]*)"
)


def own_names(title: str, abstract: str) -> tuple[str, ...]:
    """The names of what the paper itself builds: "PaSa" in "PaSa: An LLM Agent", or "we propose X"."""
    found = [m[1] for m in _NAMED.finditer(abstract)]
    head = title.split(":", 1)[0].strip() if ":" in title else ""
    if head and len(head.split()) <= 2 and any(c.isupper() for c in head[1:]):
        found.insert(0, head)
    return tuple(dict.fromkeys(n for n in found if len(n) >= 3))


_DONE = ("method", "result", "novelty", "significance", "cost")  # what the paper itself did or found


def _less(amount: float, roles: Sequence[str], **more: float) -> dict[str, float]:
    return {**{role: -amount for role in roles}, **more}


# What a kind of sentence loses (or gains) of each role's score.
_SHIFTS: tuple[tuple[re.Pattern[str], dict[str, float]], ...] = (
    (_DEFINITION, _less(0.5, ("background", "method", "novelty", "significance", "result"))),
    # hopes, cautions and caveats: a limitation, if anything
    (_HEDGE, _less(0.6, (*_DONE, "background"), limitation=0.3)),
    # the authors' earlier paper: background to this one
    (_PRIOR_OWN, _less(0.6, _DONE, background=0.2)),
    (_PROTOCOL, _less(0.4, (*_DONE, "background"))),
    (_BELIEF, _less(0.5, ("method",))),
    (_PURPOSE, _less(0.4, ("result",))),
    (_QUESTION, _less(0.5, ("result", "novelty", "significance"))),
    (_INSIGHT, _less(0.4, ("method", "result"))),
    # what the authors mean to do next is neither what they did nor found
    (_PLAN, _less(0.5, _DONE)),
    (SETUP, _less(0.5, _DONE)),
    # settings belong with the workload, if anywhere
    (_DETAIL, _less(0.4, ("method", "result", "novelty", "significance", "background"), cost=0.3)),
)


def judge(
    text: str, section: str, index: int, total: int, in_abstract: bool, names: Sequence[str] = ()
) -> tuple[bool, bool, bool, dict[str, float]]:
    """(usable, own, others, role scores) for one sentence; `names` are what the paper itself builds."""
    own = bool(_OWN.search(text)) or any(re.search(rf"\b{re.escape(n)}\b", text, re.I) for n in names)
    others = bool(_OTHERS_SUBJECT.search(text.strip())) or (bool(_CITES.search(text)) and not own)
    place = index / max(total - 1, 1)
    count = figures(text)
    scores: dict[str, float] = {}
    for role, cue in CUES.items():
        hits = len(cue.findall(text))
        score = min(hits, 3) / 3
        if _SECTION_PRIOR[role].search(section or ""):
            score += 0.35
        scores[role] = score
    if in_abstract:
        scores["background"] += 0.15 if place < 0.3 else 0.0
        scores["result"] += 0.2
        scores["method"] += 0.15
    scores["result"] += min(count, 3) * 0.12
    scores["cost"] += min(count, 2) * 0.08
    stripped = text.strip()
    if _ANAPHORIC.match(stripped):
        # "However, existing ..." leans on what came before, yet it is how a gap in past work is said.
        contrast = bool(_CONTRAST.match(stripped))
        for role in scores:
            scores[role] -= 0 if contrast and role == "gap" else 0.5
    for pattern, shift in _SHIFTS:
        if pattern.search(stripped):
            for role, amount in shift.items():
                scores[role] += amount
    if only_praise(text, count):  # praise is no finding, nor what is new or why it matters
        for role in ("result", "novelty", "significance"):
            scores[role] -= 0.5
    scores["background"] -= 0.4 * own
    scores["gap"] += 0.2 * others
    for role in _DONE:
        scores[role] += 0.3 * own - 0.6 * others
    return usable(text), own, others, scores


def classify(
    raw: Sequence[tuple[str, int, str, str, bool]], names: Sequence[str] = (), title: str = ""
) -> list[Sentence]:
    """Judge every (text, page, section, chunk id, in abstract) sentence of a paper, in order."""
    total = len(raw)
    out = []
    for index, (text, page, section, chunk_id, in_abstract) in enumerate(raw):
        ok, own, others, scores = judge(text, section, index, total, in_abstract, names)
        ok = ok and not (title and title.lower() in text.lower())  # a running header spliced in
        ok = ok and not (index and _BARE_LABEL.match(raw[index - 1][0]))  # a caption's text
        out.append(
            Sentence(text, page, section, index, chunk_id, in_abstract, ok, own, others,
                     figures(text), scores)
        )  # fmt: skip
    return out
