"""What a message asks for: the specification's rules first, then embedding similarity to
example phrasings (`ingest.embeddings`), with a confidence; below it, a question.

Writes are never chosen on a guess: a tool that changes data is selected only by one of
its own rules, and not when the message asks about the action ("how do I delete my
data?"), weighs it ("should we close the nurse job?") or forbids it ("don't publish
anything yet"). The embedding step chooses among the tools that only read.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from agents.offline import slots as slot_reader
from agents.offline.careers import names_occupation
from agents.offline.conversation import ordinals
from agents.offline.spec import SPEC_BY_NAME, SPECS
from ingest.occupations import get_occupations

_COMPILED = {s.name: [re.compile(p, re.I | re.S) for p in s.patterns] for s in SPECS}

# Cosine similarity to the nearest example: at or above SURE the tool is chosen; between
# UNSURE and SURE the assistant asks which of the nearest tools was meant; below UNSURE
# the message is not about anything the assistant does.
SURE = 0.62
UNSURE = 0.40

# Not tools, but things people say: answered without a tool.
SMALLTALK = "smalltalk"
HELP = "help"
OUT_OF_SCOPE = "out_of_scope"
CLARIFY = "clarify"
HOW_TO = "how_to"  # asks about a write: say how to request it, change nothing

_SMALLTALK_RE = re.compile(
    r"^\W*(hi|hiya|hello|hey|yo|good (morning|afternoon|evening)|thanks?|thank you|thx|ty|cheers|"
    r"ok(ay)?|cool|great|nice|perfect|lol|bye|goodbye|see you)\b[\w\s,.!']{0,40}$",
    re.I,
)
_HELP_RE = re.compile(
    r"^\W*(help\W*|what (else )?can you do\b.*|what are you able to\b.*|how does (this|it) work\b.*|"
    r"how do i use (this|it)\b.*|what do you do\b.*)$"
    # "sorry im new here, how do i use this thing to find people?"
    r"|\b(i'?m|i am) new here\b|\bfirst time (here|using (this|it))\b"
    r"|\bhow (do|can|should) (i|we) use (this|you)( thing| bot| app| site| tool| assistant)?\b"
    # "what can this thing do for me as an employer?"
    r"|\bwhat (else )?can (this|it)( thing| bot| app| site| tool| assistant)?( \w+ly)? (do|help with)\b"
    # "what can the assistant actually do for us?", "new to this platform"
    r"|\bwhat (else )?can (you|u|the assistant|this assistant|the bot)( \w+ly)? (do|help with)\b(?! about\b)"
    r"|\bnew to (this|the) (platform|site|app|service|assistant|portal|tool|system)\b"
    r"|\bhow does (it|this) work\b"
    # "how do I post a job on here?", "how does the blind shortlist thing work?"
    r"|^\W*how (do|can) (i|we) (post|add|create|advertise|list) (a |an |our |my )?(new )?(jobs?|roles?|vacanc\w*|positions?|ads?)\b"
    r"|\bhow does (the|this|that) [\w -]{1,30}? (thing |feature |bit |part )?work\b",
    re.I,
)
# The message asks about, weighs, or forbids an action rather than requesting it.
_ASKS_ABOUT_RE = re.compile(
    r"^\W*(how|what|why|when|who|whom|whose|where|is|are|am|do|does|did|should|shall|will|was|"
    r"were|can i|could i|may i|if|i wonder|wonder|before|i might|maybe|we are thinking|"
    r"i'?m thinking|i'?ll think)\b"
    # "can alerts be for volunteering roles too?"
    r"|^\W*(can|could|do|does|will|would)\s+(the\s+)?(job\s+)?(alerts?|it|they)\s+(be|include|cover|work)\b"
    # (not "I've read what happens and I get that it's permanent. yes, go ahead ...")
    r"|(?<!read )(?<!know )(?<!understand )(?<!seen )\bwhat happens\b"
    r"|\b(how do i|how can i|should i|should we|thinking about|not sure)\b"
    # "my coach said I should accept whatever rewrite... is that good advice?"
    r"|\bis (that|this|it) (good|bad|sound|wise|true|right|a good idea)\b"
    r"|\b(said|says|told me|reckons|thinks)\b[^.?!]{0,20}\b(i|we) should\b",
    re.I,
)
_FORBIDS_RE = re.compile(
    # "unsubscribe me from your newsletter, not the job alerts"
    r"\bnot (the|my) (job )?alerts\b|"
    # "don't want to stop the alerts", "dont make me visible", "don't throw away the rewrite"
    r"\b(don'?t|do not|never|no need to|not yet)\s+(\w+\s+){0,2}(publish|post|create|add|delete|start|begin|"
    r"remove|erase|close|unpublish|contact|reach|ask|turn|set|enable|stop|hide|show|share|"
    r"accept|reject|change|rename|update|wipe|send|request|message|email|invite|make|switch|"
    r"flip|throw|bin|discard|scrap|ditch|keep)\b",
    re.I,
)
# Broad cues, tried after every specific rule: a job noun or a search constraint reads as
# a job search (for a candidate), a candidate noun as a candidate search (for an employer).
_GENERAL = (
    (
        "find_matching_jobs",
        re.compile(
            r"\b(jobs?|roles?|positions?|openings?|vacanc\w*|opportunit\w*|postings?|gigs?|"
            r"work as|looking for work|internships?|apprenticeships?|traineeships?|remote|hybrid|on-?site|"
            r"part[- ]time|full[- ]time|"
            r"freelanc\w*|temp work|contract work|ones (in|near|around)|more like (those|these|that|this)|"
            r"anything (temporary|temp|seasonal|permanent|going)|"
            r"salary|paying|matches|available in|anything in|suit\w*|(a|per) year)\b"
            r"|[€$£]\s*\d|\b\d+\s*k\b"
            # "warehouse work in Birmingham", "anything near me", "more like the nurse one"
            r"|\b(near me|nearby|close to me|work (in|near|around))\b|\bmore like the\b[^.?!]{0,40}\bone\b"
            r"|\b(temporary|temp|seasonal|casual|weekend|evening|night|warehouse|care|office|retail|"
            r"bar|shop|factory|cleaning|kitchen|driving|delivery|admin|building|construction) work\b"
            # "temp forklift work swindon", "what transport work is out there", "anything going in logistics"
            r"|\b(temporary|temp|seasonal|casual|weekend|night|agency)\s+\w+\s+work\b"
            r"|\b(work|jobs?|roles?) (is |are )?out there\b|\b(anything|something|what'?s) going (in|near|around|at)\b",
            re.I,
        ),
    ),
    (
        "find_candidates",
        re.compile(
            r"\b(candidates?|applicants?|people|someone|anyone|talent|matches|top \d+)\b"
            r"|\bfind (me )?(an?|someone|somebody)\b.*\bfor\b",
            re.I,
        ),
    ),
)
# Words that put a message in the assistant's domain: an unclear one gets a question.
_DOMAIN_RE = re.compile(
    r"\b(jobs?|roles?|positions?|vacanc\w*|resumes?|cv|profile|employers?|companies|"
    r"candidates?|applicants?|reports?|pdf|alerts?|notifications?|contact\w*|consent|"
    r"rewrite|tailored|hiring|funnel|experience|skills?|salary|interview\w*|shortlist)\b",
    re.I,
)
# An answer to one of the contact requests just listed ("yes to globex", "the initech
# people, tell them I'm not interested").
_ANSWERS_RE = re.compile(
    r"^\W*(yes|yeah|yep|sure|ok(ay)?|no|nope|nah)\b"
    r"|\b(accept|approve|agree|allow|decline|refuse|reject|deny|not interested|say (yes|no)|tell them|no thanks)\b",
    re.I,
)
# An employer asking for a person by occupation: "find me a cleaner in croydon", "I need a
# chef with at least 3 years experience" (the words after the article must be a job title).
_WANTS_PERSON_RE = re.compile(
    r"\b(find|need|want|looking for|hire|hiring|recruit(ing)?|get)\s+(me\s+|us\s+)?"
    r"(an?|some|\d+|two|three|four|five)\s+(?P<who>[a-z][a-z /-]{1,40}?)"
    r"(?=\s+(with|in|for|who|near|from|to|that|available|asap|to start)\b|\s*[.,?!]|\s*$)",
    re.I,
)
# Right after a rewrite's diff was shown: keeping it or throwing it away ("looks good, keep
# it", "nah bin it, that reads worse than mine"), which name no rewrite themselves.
_KEEP_SHOWN_RE = re.compile(
    r"^(?!.*\b(old|original|previous|mine|my own)\b)[^?]*\b(keep|use|accept|take|go with|save|apply)\s+"
    r"(it|that|this|the new (one|version))\b(\s+one)?[^?]*$",
    re.I,
)
# "keep that version", "go with the new one": the new version named, not "keep it"
_KEEP_UNSHOWN_RE = re.compile(
    # "save the new version over the old one", "die überarbeitete Version passt, bitte übernehmen"
    r"\b(keep|save|use)\s+(the new|the rewritten|this|that) version\b[^?]{0,10}\b(over|instead of|in place of)"
    r"\s+(the|my)\s+(old|original)\b"
    r"|^[^?]*\b(the\s+)?(new|rewritten|rewrite|tailored) version\b[^?]{0,30}\b(keep|save|use|accept)\s+it\W*$|"
    r"^(?!.*\b(old|original|previous|mine|my own)\b)[^?]*\b(keep|go with|accept|use|save)\s+"
    r"(that|this|the new|the tailored|the rewritten)\s+(version|one|cv|resume)\b"
    r"(?!\s+(short|brief|simple|concise|formal|casual|professional|under|to|in|for|on|at|up|"
    r"as(?!\s+(my|the)\s+(main\s+)?(cv|resume|one)\b)|"
    r"going|open|quiet|safe|private|hidden|general|vague|clean|tidy|plain|light)\b)[^?]*$",
    re.I,
)
# "yeah that's way better, keep it" (with nothing shown, "it" is not known)
_KEEP_IT_RE = re.compile(r"\b(keep|save|use|accept|go with)\s+(it|that|this)(\s+one)?\W*$", re.I)
# "nah throw that version away": the new version named, not "bin it"; "bin it, the old one
# was better": the old one named
_DROP_UNSHOWN_RE = re.compile(
    r"^(?!.*\b(old|original|previous|mine|my own)\b)[^?]*\b(bin|ditch|scrap|discard|drop|trash|"
    r"get rid of|reject|throw|chuck)\s+(that|this|the new|the tailored|the rewritten)\s+"
    r"(version|one|rewrite|cv|resume)\b[^?]*$"
    r"|\b(bin|ditch|scrap|discard|drop|trash|reject|undo)\s+it\b[^?]*\b(the\s+)?(old|original)"
    r"(\s+(one|version|cv|resume))?\s+(was|is|looked|reads)\s+better\b",
    re.I,
)
_DROP_SHOWN_RE = re.compile(
    r"\b(bin|ditch|scrap|discard|drop|trash|bin off|get rid of|reject|undo)\s+(it|that|this)\b"
    r"|\b(don'?t|do not) (like|want) (it|that|this)\b|\bprefer (mine|my (own|old|original))\b"
    r"|\b(reads|looks|is) worse\b",
    re.I,
)
_REFERS_RE = re.compile(
    r"\b(that|this) (one|job|role)\b|\bthe (first|second|third|fourth|fifth|last|\d(st|nd|rd|th))\b"
    r"|^\W*(and|what about|how about)\b|#\d|\bnumber \d\b",
    re.I,
)

# Phrasings that are not requests to the assistant, for the embedding step.
_OTHER_EXAMPLES = {
    SMALLTALK: ("hello", "thanks a lot", "ok great", "good night"),
    HELP: ("what can you help with", "what are your features", "how do I use the assistant"),
    OUT_OF_SCOPE: (
        "what is the weather like",
        "tell me a funny story",
        "who won the match last night",
        "book a table for dinner",
        "what is the square root of 144",
        "translate this sentence",
        "play some music",
        "order food",
        "what's the news today",
    ),
}


@dataclass(frozen=True)
class Reading:
    """The assistant's reading of one message."""

    intent: str  # a tool name, or SMALLTALK, HELP, OUT_OF_SCOPE, CLARIFY, HOW_TO
    confidence: float
    slots: dict[str, Any] = field(default_factory=dict)
    choices: tuple[str, ...] = ()  # CLARIFY: the tools it might be; HOW_TO: the write

    def as_dict(self) -> dict[str, Any]:
        return {
            "intent": self.intent,
            "confidence": round(self.confidence, 3),
            "slots": self.slots,
            "choices": list(self.choices),
        }


class _Examples:
    """Example phrasings embedded once per process, for the similarity step."""

    def __init__(self) -> None:
        # Lazy: loading the ONNX model costs a second; rule-only use never needs it.
        from ingest.embeddings import get_embedder

        self.embedder = get_embedder()
        pairs = [(s.name, e) for s in SPECS for e in s.examples]
        pairs += [(kind, e) for kind, examples in _OTHER_EXAMPLES.items() for e in examples]
        self.labels = [label for label, _ in pairs]
        self.vectors = self.embedder.embed([e for _, e in pairs])

    def ranked(self, text: str, allowed: set[str]) -> list[tuple[str, float]]:
        """Each allowed label with its best similarity, best first."""
        query = self.embedder.embed([text])[0]
        best: dict[str, float] = {}
        for label, sim in zip(self.labels, self.vectors @ query, strict=True):
            if label in allowed and float(sim) > best.get(label, -1.0):
                best[label] = float(sim)
        return sorted(best.items(), key=lambda pair: -pair[1])


@lru_cache(maxsize=1)
def examples() -> _Examples:
    return _Examples()


# The words requests to this assistant are made of, for typo correction.
_VOCABULARY = tuple(
    """job jobs role roles resume critique candidate candidates applicants search find
    list show match matches matching remote report alerts alert explain rewrite tailor
    compare delete profile visible employers position positions vacancies openings
    shortlist funnel contact request requests review improve feedback skills experience
    remove account something""".split()  # noqa: SIM905 (a word list reads better as text)
)
_VOCABULARY_SET = frozenset(_VOCABULARY)


def _swapped(word: str, known: str) -> bool:
    """`word` is `known` with two neighbouring letters swapped ("jbo", "lsit")."""
    if len(word) != len(known) or sorted(word) != sorted(known):
        return False
    diff = [i for i in range(len(word)) if word[i] != known[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1


@lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    """Whole words of the embedding model's WordPiece vocabulary (30k, English): a word
    found there is spelt right ("contract" is not a typo of "contact")."""
    # Lazy, like the embedder: only a message with an unknown word needs the vocabulary.
    from tokenizers import Tokenizer

    from ingest import onnx_minilm

    vocabulary = Tokenizer.from_file(str(onnx_minilm.model_dir() / "tokenizer.json")).get_vocab()
    return frozenset(w for w in vocabulary if w.isalpha())


# Chat spellings of common words ("wat did u read off my cv", "r my alerts on"), read as the
# words they stand for before any rule; "4" only between words ("jobs 4 reach truck drivers").
_CHAT_WORDS = {
    "u": "you",
    "r": "are",
    "ur": "your",
    "wat": "what",
    "wot": "what",
    "wots": "what's",
    "rong": "wrong",
    "wht": "what",
    "pls": "please",
    "plz": "please",
    "abt": "about",
    "bc": "because",
    "cud": "could",
    "shud": "should",
    "wud": "would",
    "dont": "don't",
    "cant": "can't",
}
_CHAT_WORD_RE = re.compile(
    r"\b(" + "|".join(_CHAT_WORDS) + r")\b(?!['’]|\.\w)|(?<=what )dose\b"
    r"|(?<=[a-z] )(?<!number )(?<!no )(?<!top )4(?= (?!(years?|yrs?|days?|weeks?|months?|hours?|hrs?|a|an|per|k)\b)[a-z])",
    re.I,
)


# Dictated punctuation ("... in the spring comma I would like ... full stop thank you") and
# what dictation hears for "write me" ("could you right me a short summary")
_DICTATED_RE = (
    (re.compile(r"\s+comma\b", re.I), ","),
    (re.compile(r"\s+(full stop|period)\b(?=\s+[A-Za-z]|\s*$)", re.I), "."),
    (re.compile(r"\s+question mark\b", re.I), "?"),
    (re.compile(r"\bright (me|us) (a|an|my|the)\b", re.I), r"write \1 \2"),
)


def chat_words(text: str) -> str:
    for pattern, replacement in _DICTATED_RE:
        text = pattern.sub(replacement, text)

    def word(match: re.Match[str]) -> str:
        found = match.group(0).lower()
        return "does" if found == "dose" else _CHAT_WORDS.get(found, "for")

    return _CHAT_WORD_RE.sub(word, text)


def correct_typos(text: str) -> str:
    """Chat spellings read as their words, and domain words with a typo replaced by the
    word ("serach for jobs", "crtique my reusme", "delet my acount"); others untouched."""

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        lowered = word.lower()
        if lowered in _VOCABULARY_SET or len(lowered) < 3 or lowered in _english_words():
            return word
        for known in _VOCABULARY:
            if _swapped(lowered, known):
                return known
        if len(lowered) >= 5:
            close = difflib.get_close_matches(lowered, _VOCABULARY, n=1, cutoff=0.85)
            if close:
                return close[0]
        return word

    return re.sub(r"[A-Za-z]+", fix, chat_words(text))


# Not a request for now: a plan ("once I've got a job, delete my account", "we'll probably
# reach out after Monday"), sarcasm ("sure, delete my whole account, why don't you"),
# someone else's account ("my husband wants his alerts turned off"), a message cut off
# ("can u set alerts for")
_NOT_NOW_RE = re.compile(
    r"^\W*(once|as soon as|after|when)\s+(i|we|i'?ve|we'?ve|i'?m|we'?re|my|our|the)\b"
    r"|\b(probably|perhaps|planning to|plan to|thinking of|might)\b|\bis it possible to\b"
    r"|\bwhy don'?t you\b|\bwhat could (possibly )?go wrong\b|\byeah,? right\b"
    # "I'm not saying I won't delete my account eventually, just not before ...",
    # "I just wonder if everyone gets this many", "could I decline without ...?", "my
    # advisor says 'keep the professional version' - does that apply to the rewrite?"
    r"|\bnot saying\b|\beventually\b|\bnot (before|until)\b|\bi (just )?wonder\b|\bnot that\b"
    r"|\b(could|can|may) i\b[^.?!]*\?\s*$"
    r"|\b(does|do|did|would|will) (that|this|it) (apply|mean|work|count|matter|affect)\b"
    r"|\b(his|her|their)\s+(alerts?|account|data)\b|\b(like|as) (his|hers|theirs)\b"
    r"|\b(husband|wife|partner|sister|brother|friend|son|daughter|mum|mom|dad|colleague)'s\s+"
    r"(alerts?|account|data|profile|cv)\b"
    r"|\b(for|to|the|a|an|with|of|and|my)\s*$"
    # "one day I'm turning them off", "I'd set up alerts if they didn't spam me",
    # "we'll publish it later", advice reported ("my adviser says to throw it away. Is
    # she right?"), and what already happened ("Did something turn them off?")
    r"|\b(one day|some ?day)\b|\b(i|we)('d| would)\s+(?!like|love|prefer|appreciate|be\b|rather|want)\w+"
    r"|\b(will|'ll|gonna)\s+(\w+\s+){0,2}(publish|post|put|upload|delete|close|send|turn|set)\w*\b[^.!?]*\blater\b"
    r"|\b(says|said|tells me|told me|reckons)\s+(to|i should|we should)\b|\bis (she|he|they) right\b"
    r"|(^|[.!?]\s*)(did|has|have|was|were)\s+(something|someone|somebody|anyone|you|it|they)\b[^.!?]*\?"
    # "I was going to ask you to delete all my data but I'll hold off", "Yesterday I set my
    # profile to hidden", "my friend set up alerts", "I'll accept it after my shift tonight"
    r"|\b(was|were) (going|about) to\b|\bhold off\b|\bleave it (open|pending|for now)\b"
    r"|\bi said\b|\b(yesterday|last (week|month|night)|the other day|a while ago)\b[^.!?,]{0,10}"
    r"\b(i|we)\s+(set|turned|switched|made|deleted|hid|closed|published|accepted|declined)\b"
    r"|\b(i|we)\s+(set|turned|switched|made|deleted|hid|closed|published|accepted|declined)\b[^.!?]{0,40}"
    r"\b(yesterday|last (week|month|night)|the other day|a while ago)\b"
    r"|\b(friend|husband|wife|partner|sister|brother|son|daughter|mum|mom|dad|colleague|mate|flatmate)"
    r"\s+(has\s+|had\s+)?(set|turned|deleted|hid|accepted|declined|stopped|switched|made|got)\b"
    r"|\b(i'?ll|i will|we'?ll|we will)\s+(\w+\s+){0,2}(accept|decline|delete|close|publish|turn|set|hide|"
    r"stop|reopen|make|show|switch)\w*\b[^.!?]*\b(after|later|tonight|tomorrow|next week|once)\b"
    r"|\bnot yet\W*(though|tho)?\W*$"
    # "maybe I should make myself visible... what do you think", "im this close to deleting
    # my account", "Hide my profile. jk lol", "Indeed sends me 40 alerts a day"
    r"|\bwhat do you think\b|\bmaybe (i|we) should\b|\b(this|so) close to\b|\b(jk|j/k|just kidding|kidding)\b"
    # "Is the tone too formal?", "word count?": feedback on a pasted ad, not a request to post it
    r"|\b(is|does) the (tone|wording|language|text|spelling|grammar)\b|\btoo (formal|informal|long|short|wordy)\b"
    r"|\bword count\b|\bhow many words\b|\bproofread\b|\bfeedback on\b"
    r"|\b(indeed|linkedin|reed|glassdoor|totaljobs|monster|ziprecruiter|seek|stepstone|xing|infojobs)\s+"
    r"(sends?|sent|e-?mails?|gives?|gave|shows?|has|had|keeps|kept|lets?|did|does)\b",
    re.I,
)
# Quoted words are reported, not asked: 'Earlier you said "Reply KEEP to save the rewritten
# version"', "an agency emailed 'we've requested contact with 12 of your applicants'"
_QUOTED_SPAN_RE = re.compile(r"\"[^\"]*\"|“[^”]*”|(?<!\w)'(?:[^']|'(?=\w))*'(?!\w)")


_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])\s+")


def asks_about(text: str) -> bool:
    """True when the message asks about, weighs or forbids an action instead of asking
    for it ("can we contact the second one?" is a request; "can I see their e-mail?" not),
    or is not a request for now (a plan, sarcasm, someone else's account, cut off)."""
    return bool(_ASKS_ABOUT_RE.search(text) or _FORBIDS_RE.search(text) or _NOT_NOW_RE.search(text))


def _by_rule(text: str, allowed: set[str]) -> str | None:
    head = text[:300]  # a pasted document must not trigger intents with its own words
    if len(text) > 300:  # but the request may close it: "Here's the ad: ... Please put it up."
        head += "\n" + _SENTENCE_SPLIT_RE.split(text.strip())[-1][:150]
    guarded = asks_about(head)
    unquoted = _QUOTED_SPAN_RE.sub(" ", head)
    for spec in SPECS:
        if spec.name not in allowed or (spec.writes and guarded):
            continue
        if any(p.search(unquoted if spec.writes else head) for p in _COMPILED[spec.name]):
            return spec.name
    for name, pattern in _GENERAL:
        if name in allowed and pattern.search(head):
            return name
    return None


def _wants_person(text: str) -> bool:
    """The message asks for someone by a job title: its head names an occupation."""
    match = _WANTS_PERSON_RE.search(text[:300])
    return match is not None and get_occupations().is_headed_by_title(match.group("who"))


_HOW_LEAD_RE = re.compile(
    # "how do I close a job once it's filled?", "should we publish the nurse job now or wait?",
    # "if I accept the rewrite, is my old CV gone?"
    r"^\W*((how|where)\s+(do|can|would|could|should|shall)\s+(i|we|you)\s+(go about\s+)?"
    r"|(should|shall)\s+(i|we)\s+|if\s+(i|we)\s+|is it (better|best|wise|ok|okay|possible) to\s+"
    # "once I've got a job, delete my account": the plan's request, for later
    r"|(once|as soon as|after|when)\s+[^,.?!]{1,60},\s*)",
    re.I,
)


def _asked_how(text: str, allowed: set[str]) -> str | None:
    """The write a message asks about rather than requests ("how do I delete my data?",
    "how do I close a job once it's filled?": the request after the question's lead)."""
    head = _HOW_LEAD_RE.sub("", text[:300])
    for spec in SPECS:
        if (
            spec.writes
            and spec.name in allowed
            and any(p.search(head) for p in _COMPILED[spec.name])
        ):
            return spec.name
    return None


def understand(
    text: str,
    allowed: set[str],
    *,
    listed: str | None = None,
    shown: str | None = None,
    context: dict[str, Any] | None = None,
    use_embeddings: bool = True,
) -> Reading:
    """Read `text` (English, or glossed into it) among the `allowed` tools. `listed` is
    the tool whose list the conversation showed last (follow-ups refer to it)."""
    context = context or {}
    stripped = text.strip()
    if _HELP_RE.search(stripped):
        return Reading(HELP, 1.0)
    stripped = correct_typos(stripped)
    tool = _by_rule(stripped, allowed)
    if tool is None and "occupation_info" in allowed and names_occupation(stripped):
        tool = "occupation_info"
    if tool is None and "find_candidates" in allowed and _wants_person(stripped):
        tool = "find_candidates"
    if tool is None and "find_matching_jobs" in allowed and slot_reader.names_a_title(stripped):
        tool = "find_matching_jobs"  # a candidate naming a job title: a search for it
    follows_up = listed == "find_matching_jobs" and "explain_match" in allowed
    refers = bool(_REFERS_RE.search(stripped) or ordinals(stripped))
    if follows_up and tool in (None, "find_matching_jobs") and refers:
        # "and the fourth?", "break down the second match": about an item just listed
        tool = "explain_match"
    if (
        listed == "get_contact_requests"
        and "answer_contact_request" in allowed
        and tool in (None, "get_contact_requests")
        and _ANSWERS_RE.search(stripped)
        and not asks_about(stripped)
    ):
        tool = "answer_contact_request"
    if tool is None and shown in ("show_rewrite", None) and not asks_about(stripped):
        # Right after a rewrite's diff, "keep it" or "bin it" answers it. With nothing shown,
        # "it" could be anything: only a short answer naming the new version keeps it
        # ("Looks good. Keep that version."); "keep it" alone asks back.
        shown_now = shown == "show_rewrite"
        short = len(stripped.split()) <= 12
        if "reject_rewrite" in allowed and (
            _DROP_SHOWN_RE.search(stripped)
            if shown_now
            else short and _DROP_UNSHOWN_RE.search(stripped)
        ):
            tool = "reject_rewrite"
        elif "accept_rewrite" in allowed and (
            _KEEP_SHOWN_RE.search(stripped)
            if shown_now
            else short and _KEEP_UNSHOWN_RE.search(stripped)
        ):
            tool = "accept_rewrite"
        elif (
            not shown_now and short and "accept_rewrite" in allowed and _KEEP_IT_RE.search(stripped)
        ):
            # "yeah that's better, keep it" with no rewrite shown: say how, change nothing
            return Reading(HOW_TO, 1.0, choices=("accept_rewrite",))
    if tool is None and _SMALLTALK_RE.match(stripped):
        return Reading(SMALLTALK, 1.0)
    if (tool is None or _HOW_LEAD_RE.match(stripped)) and (
        write := _asked_how(stripped, allowed)
    ) is not None:
        # "should I publish the nurse job now? what do most people do?": asks about a write,
        # whatever else its words match
        return Reading(HOW_TO, 1.0, choices=(write,))
    confidence = 1.0
    if tool is None:
        if not use_embeddings or not re.search(r"\w", stripped):
            return Reading(OUT_OF_SCOPE, 0.0)
        readers = {n for n in allowed if n in SPEC_BY_NAME and not SPEC_BY_NAME[n].writes}
        ranked = examples().ranked(stripped, readers | set(_OTHER_EXAMPLES))
        label, confidence = ranked[0]
        about_us = bool(_DOMAIN_RE.search(stripped))
        if label in _OTHER_EXAMPLES and not about_us:
            return Reading(label if confidence >= UNSURE else OUT_OF_SCOPE, confidence)
        if confidence < UNSURE and not about_us:
            return Reading(OUT_OF_SCOPE, confidence)
        if label in _OTHER_EXAMPLES or confidence < UNSURE:
            # About jobs, resumes or candidates but unclear: ask, never the menu.
            choices = tuple(n for n, _ in ranked if n in readers)[:3]
            return Reading(CLARIFY, confidence, choices=choices)
        if confidence < SURE:
            choices = tuple(n for n, s in ranked if n in readers and s >= UNSURE)[:3]
            return Reading(CLARIFY, confidence, choices=choices)
        tool = label
    return Reading(tool, confidence, slot_reader.read(tool, stripped, context))


def pick_tool(text: str, allowed: set[str], *, use_embeddings: bool = True) -> str | None:
    """The tool a message asks for among `allowed`, or None (then the model answers)."""
    reading = understand(text, allowed, use_embeddings=use_embeddings)
    return reading.intent if reading.intent in SPEC_BY_NAME else None
