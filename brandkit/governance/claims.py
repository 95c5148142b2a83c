"""Check 3: every stat, superlative, guarantee, certification or comparison needs an approved claim.

Claims are found lexically: numbers with a unit that makes them a claim (percentages, money,
multipliers, ratings, counts of customers, promised durations), superlatives and rankings,
guarantees, certifications and comparisons. A found claim is supported when an approved claim that
has not expired and is allowed on the channel carries the same figure (same number and unit: "40%
faster" is supported by "up to 40% faster onboarding", "4.9 stars" is not by "4.8 stars") or, for a
claim without a figure, the same claim word and a shared subject word. Current offers count as
approved sources for their own prices and discounts.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

from brandkit.governance.sentences import content_parts, sentence_spans
from brandkit.governance.types import ApprovedClaim, BrandRules, ContentInput, Finding

_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_COUNT_NOUNS = (
    r"customers|clients|patients|users|teams|companies|businesses|brands|reviews|ratings|downloads|members|"
    r"people|families|smiles|hikers|climbers|installs|stores|shops|locations|clinics|practices|countries|"
    r"integrations|subscribers|orders|agencies|organi[sz]ations|marketers|developers|dentists|"
    r"professionals|experts|specialists|partners|products|miles|kilometres|kilometers|km|treatments|"
    r"implants|cases|projects|sites|websites|hospitals|schools|employees|staff|households|homes|"
    r"readers|visitors|respondents|leaders|followers|fans|students|guests|buyers|shoppers|items|"
    r"installations|deployments|transactions|invoices"
)
_DURATION_UNITS = r"(?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|seconds?|secs?)"
_SUPERLATIVES = (
    r"best(?:[- ]selling| in class|-in-class| rated|-rated)?|fastest|cheapest|lowest|highest|leading|"
    r"top[- ]rated|top[- ]selling|number one|no\.\s?1|#\s?1|world[- ]class|world[- ]leading|"
    r"industry[- ]leading|market[- ]leading|award[- ]winning|unbeatable|unmatched|largest|biggest|"
    r"safest|strongest|lightest|warmest|quietest|smartest|easiest|widest|broadest|toughest|driest|most (?:trusted|popular|advanced|"
    r"reliable|affordable|comfortable|loved|recommended|accurate|secure|experienced|durable|powerful)|"
    r"(?:named|voted|ranked|rated) (?:as )?(?:a |the )?(?:leader|winner|#\s?\d+|no\.\s?\d+|top \d+|best)|"
    r"top \d+|first[- ]ever|only (?:\w+ ){0,2}(?:platform|clinic|practice|company|brand|tool|solution|provider|"
    r"jacket|boot|tent|app|software) (?:that|to|with)"
)
_GUARANTEES = (
    r"guarantee[ds]?|money[- ]back|risk[- ]free|lifetime warranty|no[- ]quibble|pain[- ]free|"
    r"100% satisfaction"
)
_CERTIFICATIONS = (
    r"(?:board[- ])?certified|accredited|ISO\s?\d{4,5}(?::\d{4})?|SOC\s?2(?: type (?:II|2|I|1)\b)?|"
    r"HIPAA[- ]compliant|GDPR[- ]compliant|FDA[- ](?:approved|cleared)|clinically (?:proven|tested)|"
    r"dermatologist[- ]tested|bluesign(?:\u00ae)?(?: approved)?|B[- ]Corp|fair[- ]trade certified|"
    r"CQC[- ]registered|GDC[- ]registered|NHS[- ]approved"
)
_COMPARATIVES = (
    r"(?:faster|cheaper|better|quicker|easier|lighter|warmer|stronger|safer|smarter|lower|higher|"
    r"more \w+|less \w+|fewer \w+) than|compared (?:to|with)|outperforms?|beats"
)

_DURATION = (
    rf"(?:\b(?:in|within|under|less than|fewer than|just|only|after|as little as|as few as) "
    rf"(?:just |only |as little as |as few as )?{_NUM}(?:\s|-)?"
    rf"{_DURATION_UNITS}\b)"
    rf"|(?:{_NUM}\+?(?:\s|-){_DURATION_UNITS} (?:of experience|turnaround|delivery|shipping|warranty|"
    rf"guarantee|response|setup|onboarding|results?)\b)"
    rf"|(?:{_NUM}\+ years\b)"
    rf"|\b24/7\b"
)
_CLAIM = re.compile(
    "|".join(
        (
            rf"(?P<percent>(?:up to |over |more than |nearly |almost |around )?{_NUM}\s?(?:%|\s?per ?cent\b)"
            rf"(?: (?P<pword>[a-z]+))?)",
            # a price on its own is not a claim; a saving, a value or a comparison of prices is
            rf"(?P<money>(?:(?:save|saving|savings of|worth|only|just|was|usually|less than|under) )"
            rf"[$\u00a3\u20ac]\s?{_NUM}(?:\s?(?:k|m|bn|million|billion|thousand)\b)?"
            rf"|[$\u00a3\u20ac]\s?{_NUM}(?:\s?(?:k|m|bn|million|billion|thousand)\b)?(?= (?:off|cheaper|less|saving)\b))",
            r"(?P<ratio>\b(?:\d+|one|two|three|four|five|six|seven|eight|nine) (?:in|out of) "
            r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten)\b(?! (?:minutes?|hours?|days?)))",
            rf"(?P<multiplier>{_NUM}\s?[x\u00d7](?![\w])(?: (?P<mword>[a-z]+))?)",
            rf"(?P<rating>{_NUM}\s?(?:/\s?(?:5|10)\b|out of (?:5|five|10|ten)\b|-?\s?stars?\b))",
            # "the first 50 visitors" is an offer's limit, not a stat
            rf"(?P<count>(?<!first )(?:(?:over|more than|nearly|almost|around) )?{_NUM}(?:\s?(?:k|m)\b)?\+?"
            rf" (?:million |thousand )?(?:[a-z][a-z-]+ )?"
            rf"(?:{_COUNT_NOUNS})\b)",
            rf"(?P<duration>{_DURATION})",
            rf"(?P<superlative>(?<![\w-])(?:{_SUPERLATIVES})(?![\w-]))",
            rf"(?P<guarantee>(?<![\w-])(?:{_GUARANTEES})(?![\w-]))",
            rf"(?P<certification>(?<![\w-])(?:{_CERTIFICATIONS})(?![\w-]))",
            rf"(?P<comparison>(?<![\w-])(?:{_COMPARATIVES})(?![\w-]))",
        )
    ),
    re.IGNORECASE,
)

# Everyday phrases that contain a claim word but make no claim.
_NOT_A_CLAIM = re.compile(
    r"\b(?:best (?:practices?|way|ways|time|times|part|bet|for you|of luck|wishes|regards|friend)|"
    r"at (?:its |their |your )?best|do (?:your|our|their) best|all the best|the best of both|"
    r"(?:your|our|their) best (?:smile|self|work|life|day)|try our best|lowest point|"
    r"\d+ (?:days|hours) a (?:week|day)|more than ever|better than ever|"
    r"(?:not|no) guarantee|can(?:no|')t guarantee|cannot guarantee)\b",
    re.IGNORECASE,
)

_STOPWORDS = frozenset(
    "the a an and or of to in on for with our your their its is are be was were this that these those "
    "than from by at as it we you they more most less up over nearly almost around just only about "
    "into out not no can will has have had get gets every all any each per".split()
)
_WORDS = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class ClaimFact:
    """One claim found in a text: what kind, the figure (normalised), the words around it."""

    kind: str
    start: int
    end: int
    surface: str
    figure: tuple[str, str] | None  # (value, unit) for figures
    claim_word: str  # the superlative / guarantee / certification / comparison word, normalised
    next_word: str  # the word a percentage or multiplier qualifies ("faster")


def _number(text: str) -> str:
    value = text.replace(",", "")
    return value.rstrip("0").rstrip(".") if "." in value else value


_FIGURE = re.compile(_NUM)


def _stem(word: str) -> str:
    return word.lower()[:5]


# Every word a claim can start with. The claim pattern is tried only where one of these (or a digit,
# a currency sign or "#") starts, which finds the same claims as scanning every character, many
# times faster (the pattern has too many alternatives for the regex engine to skip ahead itself).
_STARTS = frozenset(
    """
    up over more nearly almost around save saving savings worth only just was usually less under in within
    fewer after as one two three four five six seven eight nine best fastest cheapest lowest highest leading
    top number no world industry market award unbeatable unmatched largest biggest safest strongest
    lightest warmest quietest smartest easiest widest broadest toughest driest most first named voted
    ranked rated guarantee guaranteed guarantees money risk lifetime pain board certified accredited iso
    soc hipaa gdpr fda clinically dermatologist bluesign b fair cqc gdc nhs faster cheaper better quicker
    easier lighter warmer stronger safer smarter lower higher compared outperforms outperform beats
    """.split()
)
_CANDIDATE = re.compile(r"[A-Za-z]+|\d|[$\u00a3\u20ac#]")


def _claim_matches(text: str) -> list[re.Match[str]]:
    """The matches `_CLAIM.finditer(text)` would give, trying the pattern only where a claim can start."""
    matches = []
    last_end = 0
    for candidate in _CANDIDATE.finditer(text):
        position = candidate.start()
        if position < last_end:
            continue
        token = candidate.group()
        if token[0].isalpha() and token.lower() not in _STARTS:
            continue
        match = _CLAIM.match(text, position)
        if match and match.end() > position:
            matches.append(match)
            last_end = match.end()
    return matches


def extract_claims(text: str) -> list[ClaimFact]:
    """Every claim-like expression in the text with its span."""
    facts: list[ClaimFact] = []
    for match in _claim_matches(text):
        start, end = match.span()
        window_start = max(0, start - 30)
        if any(
            s <= start < e
            for s, e in (
                (m.start() + window_start, m.end() + window_start)
                for m in _NOT_A_CLAIM.finditer(text[window_start : end + 30])
            )
        ):
            continue
        kind = match.lastgroup or ""
        if kind in ("pword", "mword"):
            kind = "percent" if match.group("percent") else "multiplier"
        surface = match.group()
        figure = None
        claim_word = ""
        next_word = ""
        numbers = _FIGURE.findall(surface)
        lowered = surface.lower()
        if kind == "percent":
            figure = (_number(numbers[0]), "%")
            next_word = (match.group("pword") or "").lower()
        elif kind == "ratio":
            figure = (re.sub(r"\s+", " ", lowered.replace("out of", "in")), "ratio")
        elif kind == "money":
            unit = next(c for c in surface if c in "$\u00a3\u20ac")
            scale = re.search(r"(k|m|bn|million|billion|thousand)\b", lowered)
            figure = (_number(numbers[0]), unit + (scale.group(1)[0] if scale else ""))
        elif kind == "multiplier":
            figure = (_number(numbers[0]), "x")
            next_word = (match.group("mword") or "").lower()
        elif kind == "rating":
            figure = (_number(numbers[0]), "rating")
        elif kind == "count":
            noun = lowered.split()[-1]
            value = _number(numbers[0])
            if re.search(r"\d\s?k\b", lowered):
                value += "000"
            figure = (value, _stem(noun))
            if "+" not in surface and not re.match(r"(?:over|more|nearly|almost|around)", lowered):
                if float(value) < 10:
                    continue  # "our 3 clinics" is a description, not a stat
        elif kind == "duration":
            if "24/7" in surface:
                figure = ("24/7", "availability")
            else:
                unit_match = re.search(_DURATION_UNITS, lowered)
                figure = (_number(numbers[0]), (unit_match.group()[:3] if unit_match else ""))
        else:
            claim_word = _claim_word(lowered)
        facts.append(ClaimFact(kind, start, end, surface, figure, claim_word, next_word))
    return facts


def _claim_word(lowered: str) -> str:
    lowered = re.sub(r"[\s\-]+", " ", lowered).replace("no. 1", "#1").replace("number one", "#1")
    lowered = lowered.replace("# 1", "#1")
    lowered = re.sub(r"^(?:the|our|its|their) (?:very )?", "", lowered)
    if lowered.startswith("guarantee"):
        return "guarantee"
    return lowered


@dataclass(frozen=True)
class _Source:
    text: str
    facts: tuple[ClaimFact, ...]
    words: frozenset[str]
    claim: ApprovedClaim | None
    figures: frozenset = frozenset()


def _content_words(text: str) -> frozenset[str]:
    return frozenset(_stem(w) for w in _WORDS.findall(text.lower()) if w not in _STOPWORDS and len(w) > 2)


def _supports(fact: ClaimFact, source: _Source, sentence_words: frozenset[str]) -> bool:
    for known in source.facts:
        if fact.figure is not None:
            if known.figure != fact.figure:
                continue
            if fact.next_word and known.next_word and _stem(fact.next_word) != _stem(known.next_word):
                continue
            return True
        if known.claim_word and known.claim_word == fact.claim_word:
            others = source.words - _content_words(fact.surface)
            if not others or others & sentence_words:
                return True
    return False


class _Approved:
    """The sources valid on one channel, indexed by figure and by claim word."""

    def __init__(self, sources: tuple[_Source, ...]) -> None:
        self.sources = sources
        self.ids = {id(source) for source in sources}
        self.by_key: dict[object, list[_Source]] = {}
        for source in sources:
            for fact in source.facts:
                key = fact.figure if fact.figure is not None else fact.claim_word
                self.by_key.setdefault(key, []).append(source)

    def supports(self, fact: ClaimFact, sentence_words: frozenset[str]) -> bool:
        key = fact.figure if fact.figure is not None else fact.claim_word
        return any(_supports(fact, source, sentence_words) for source in self.by_key.get(key, ()))


class ClaimsCheck:
    """Flags claims with no approved, unexpired claim for the channel behind them."""

    check = "claim"

    def __init__(self, rules: BrandRules, *, today: date) -> None:
        self.rules = rules
        self.today = today
        self._all = tuple(self._source(claim.text, claim) for claim in rules.claims)
        self._offers = tuple(
            self._source(f"{offer.name}. {offer.terms}", None)
            for offer in rules.offers
            if (offer.ends_on is None or offer.ends_on >= today)
            and (offer.starts_on is None or offer.starts_on <= today)
        )
        self._by_channel: dict[str, _Approved] = {}
        self._by_word: dict[str, list[_Source]] = {}
        for source in self._all:
            for word in source.words:
                self._by_word.setdefault(word, []).append(source)
            for figure in source.figures:
                self._by_word.setdefault(f"\0{figure}", []).append(source)

    @staticmethod
    def _source(text: str, claim: ApprovedClaim | None) -> _Source:
        facts = tuple(extract_claims(text))
        figures = frozenset(f.figure for f in facts if f.figure)
        return _Source(text, facts, _content_words(text), claim, figures)

    def _valid(self, channel: str) -> _Approved:
        if channel not in self._by_channel:
            self._by_channel[channel] = _Approved(
                tuple(
                    source
                    for source in self._all
                    if source.claim is not None
                    and (source.claim.expires_on is None or source.claim.expires_on >= self.today)
                    and (not source.claim.channels or channel in source.claim.channels)
                )
                + self._offers
            )
        return self._by_channel[channel]

    def run(self, content: ContentInput) -> list[Finding]:
        approved = self._valid(content.channel)
        found: list[Finding] = []
        for name, text in content_parts(content):
            facts = extract_claims(text)
            if not facts:
                continue
            sentences = sentence_spans(text)
            sentence_starts = [s for s, _e in sentences]
            for group in _group(facts):
                position = bisect_right(sentence_starts, group[0].start) - 1
                sentence = text[slice(*sentences[position])] if position >= 0 else text
                sentence_words = _content_words(sentence)
                if all(approved.supports(f, sentence_words) for f in group):
                    continue
                found.append(self._finding(group, sentence_words, text, approved, name))
        return found

    def _finding(
        self,
        group: list[ClaimFact],
        sentence_words: frozenset[str],
        text: str,
        approved: _Approved,
        name: str,
    ) -> Finding:
        start, end = group[0].start, group[-1].end
        surface = text[start:end]
        figures = {f.figure for f in group if f.figure}
        nearest = self._nearest(sentence_words, figures)
        message = f"\u201c{surface}\u201d is a claim with no approved proof behind it."
        suggestion = ""
        if nearest is not None and nearest.claim is not None:
            claim = nearest.claim
            if id(nearest) in approved.ids:
                message += f" Nearest approved claim: \u201c{claim.text}\u201d."
                suggestion = claim.text
            elif claim.expires_on is not None and claim.expires_on < self.today:
                message += f" The closest approved claim, \u201c{claim.text}\u201d, expired on {claim.expires_on:%-d %B %Y}."
            else:
                message += f" The closest approved claim, \u201c{claim.text}\u201d, is not approved for this channel."
        return Finding(
            check=self.check,
            severity="error",
            start=start,
            end=end,
            message=message,
            suggestion=suggestion,
            question=3,
            field=name,
        )

    def _nearest(self, words: frozenset[str], figures: set) -> _Source | None:
        """The approved claim sharing the most words with the sentence (a shared figure counts double)."""
        candidates: dict[int, _Source] = {}
        for key in [*words, *(f"\0{figure}" for figure in figures)]:
            for source in self._by_word.get(key, ()):
                candidates[id(source)] = source
        best, best_score = None, 0.0
        for source in candidates.values():
            score = len(words & source.words) / (len(words | source.words) or 1)
            if figures & source.figures:
                score += 0.5
            if score > best_score:
                best, best_score = source, score
        return best


def _group(facts: list[ClaimFact]) -> list[list[ClaimFact]]:
    """Claims a few characters apart ("up to 40% faster than") are one claim to the reader."""
    groups: list[list[ClaimFact]] = []
    for fact in facts:
        if groups and fact.start - groups[-1][-1].end <= 12:
            groups[-1].append(fact)
        else:
            groups.append([fact])
    return groups
