"""Check 3: every stat, superlative, guarantee, certification or comparison needs an approved claim.

Claims are found lexically: numbers with a unit that makes them a claim (percentages, money,
multipliers, ratings, counts of customers, promised durations), superlatives and rankings,
guarantees, certifications and comparisons. A found claim is supported when an approved claim that
has not expired and is allowed on the channel carries the same figure (same number and unit: "40%
faster" is supported by "up to 40% faster onboarding", "4.9 stars" is not by "4.8 stars") or, for a
claim without a figure, the same claim word and a shared subject word. Current offers count as
approved sources for their own prices and discounts.

Claims are written in words as often as in digits, so figures may be number words ("twelve thousand
patients", "forty percent faster", "a dozen", "twenty-five"), multipliers and fractions ("twice as
fast", "halve their work", "in half the time", "nearly half of our patients", "a third less"),
durations ("in a fortnight", "a five-day close", "lose the first ten days", "they close in four"),
rankings and superlatives in any form ("second to none", "the friendliest", "fastest-growing",
"the only platform built for", "outlasts"). Everyday uses stay out: a number word needs a unit or a
counted noun to become a figure ("one of our team", "first, ...", "two check-ups a year" are not
claims), and a step the reader takes is described, not claimed ("it takes two minutes", "set it up
in ten minutes"); a time frame opening a sentence ("In three weeks, ...") dates an event.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

from brandkit.governance.sentences import content_parts, sentence_spans
from brandkit.governance.types import ApprovedClaim, BrandRules, ContentInput, Finding

_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_UNIT_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen"
).split()
_TENS_WORDS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALE_WORDS = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
_WORD_VALUES = {
    **{word: value for value, word in enumerate(_UNIT_WORDS)},
    **{word: 20 + 10 * i for i, word in enumerate(_TENS_WORDS)},
}
_UNIT_ALT = "|".join(sorted(_UNIT_WORDS[1:], key=len, reverse=True))
_TENS_ALT = "|".join(_TENS_WORDS)
_NW_ATOM = rf"(?:(?:{_TENS_ALT})(?:-(?:{_UNIT_ALT}))?|(?:{_UNIT_ALT})|hundred|thousand|million|billion|dozen)"
# "twenty-five", "six hundred and fifty", "a dozen", "twelve thousand" (whole words only; seven words at
# most, so a hostile run of number words costs the same per word as any other text)
_NUMWORD_RUN = (
    rf"(?:(?:a|an) (?=(?:hundred|thousand|million|dozen)\b))?{_NW_ATOM}"
    rf"(?:(?: |(?:(?<=hundred)|(?<=thousand)) and )(?:{_NW_ATOM})){{0,6}}"
)
_NUMWORD = rf"{_NUMWORD_RUN}(?![\w-])"
_NUMX = rf"(?:{_NUM}|{_NUMWORD})"
_NUMX_RE = re.compile(rf"{_NUM}|\b{_NUMWORD_RUN}\b", re.IGNORECASE)
_COUNT_NOUNS = (
    r"customers|clients|patients|users|teams|companies|businesses|brands|reviews|ratings|downloads|members|"
    r"people|families|smiles|hikers|climbers|installs|stores|shops|locations|clinics|practices|countries|"
    r"integrations|subscribers|orders|agencies|organi[sz]ations|marketers|developers|dentists|"
    r"professionals|experts|specialists|partners|products|miles|kilometres|kilometers|km|treatments|"
    r"implants|cases|projects|sites|websites|hospitals|schools|employees|staff|households|homes|"
    r"readers|visitors|respondents|leaders|followers|fans|students|guests|buyers|shoppers|items|"
    r"installations|deployments|transactions|invoices"
)
_ORDINAL_WORDS = (
    "second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth fifteenth "
    "sixteenth seventeenth eighteenth nineteenth twentieth"
).split()
_ORDINAL_ALT = "|".join(_ORDINAL_WORDS) + r"|\d{1,3}(?:st|nd|rd|th)"
_DURATION_UNITS = r"(?:minutes?|mins?|hours?|hrs?|days?|weeks?|fortnights?|months?|quarters?|years?|decades?|seconds?|secs?)"
_MORE_WORDS = (
    r"faster|slower|cheaper|quicker|easier|lighter|warmer|drier|stronger|safer|smarter|bigger|larger|smaller|"
    r"longer|shorter|higher|lower|better|greater|wider|more|less|fewer"
)
# A superlative in -est names a claim only after a determiner ("the friendliest", "our lightest",
# "Leeds' fastest-growing"); these -est words never do.
_NOT_SUPERLATIVE = frozenset(
    """nearest latest earliest newest closest honest modest interest forest request guest harvest suggest west
    rest test contest protest invest digest arrest priest chest quest conquest manifest everest pest nest vest
    zest crest attest detest lest""".split()
)
_SUPERLATIVES = (
    r"best(?:[- ]selling| in class|-in-class| rated|-rated)?|fastest|cheapest|lowest|highest|leading|"
    r"top[- ]rated|top[- ]selling|number[- ]one|no\.\s?1|#\s?1|world[- ]class|world[- ]leading|"
    r"industry[- ]leading|market[- ]leading|award[- ]winning|unbeatable|unmatched|largest|biggest|"
    r"safest|strongest|lightest|warmest|quietest|smartest|easiest|widest|broadest|toughest|driest|most (?:trusted|popular|advanced|"
    r"reliable|affordable|comfortable|loved|recommended|accurate|secure|experienced|durable|powerful)|"
    r"(?:named|voted|ranked|rated) (?:as )?(?:a |the )?(?:leader|winner|#\s?\d+|no\.\s?\d+|top \d+|best)|"
    r"top \d+|first[- ]ever|only (?:\w+ ){0,2}(?:platform|clinic|practice|company|brand|tool|solution|provider|"
    r"jacket|boot|tent|app|software) (?:that|to|with)|"
    r"(?<=the )only (?:[\w-]+ ){0,3}?(?:platforms?|clinics?|practices?|company|companies|brands?|tools?|"
    r"solutions?|providers?|software|apps?|systems?|services?|products?|dentists?|outfitters?|retailers?|"
    r"stores?|shops?|jackets?|boots?|tents?|packs?)\b|"
    r"(?<=the )first (?:[\w-]+ ){0,3}?(?:platform|clinic|practice|company|brand|tool|solution|provider|"
    r"software|app|system|service|product|dentist|outfitter|retailer|store|shop) (?:to|in|with|that)\b|"
    # "the UK's third-largest dental group"
    rf"(?:{_ORDINAL_ALT})-(?:largest|biggest|busiest|fastest)|"
    r"second to none|second only to|unrivall?ed|unparall?ell?ed|without equal|in a class of (?:its|their) own|"
    r"like no other|(?:than|like) (?:any|no) other|nothing (?:else )?comes close|"
    rf"(?:ranked|rated|voted|named|came|finished|placed) (?:as )?(?:the )?(?:first|{_ORDINAL_ALT}|1st)\b|"
    r"(?:first|second|third|1st|2nd|3rd) place|"
    r"out(?:last|perform|sell|run|live|class|pace|shine|wear)(?:s|ed|ing)?|"
    r"(?:(?<=the )|(?<=our )|(?<=its )|(?<=their )|(?<=your )|(?<='s )|(?<=s' )|(?<=\u2019s ))[a-z]{2,}est"
)
_GUARANTEES = (
    r"guarantee[ds]?|money[- ]back|risk[- ]free|lifetime warranty|no[- ]quibble|pain[- ]free|"
    r"100% satisfaction|"
    # a speed promise on a service: "same-day whitening", "next-day delivery"
    r"(?:same|next)-day [a-z]+|(?:same|next) day (?:delivery|dispatch|shipping|appointments?|results?|service|"
    r"turnaround|repairs?|whitening|crowns?|implants?|payouts?|onboarding|setup)"
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
    rf"(?:just |only |under |less than |as little as |as few as )?(?:{_NUMX}|a couple of)(?:\s|-)?"
    rf"{_DURATION_UNITS}\b)"
    # "within an hour", "under a week", "in a fortnight" ("in a day" is as often a plan as a promise)
    rf"|(?:\b(?:within|under|less than) an? (?!quarter){_DURATION_UNITS}\b(?!['\u2019]))"
    rf"|(?:\bin (?:just |only )?a fortnight\b|\bin (?:under|less than) an? {_DURATION_UNITS}\b)"
    # "less than half an hour", "within an hour and a half"
    rf"|(?:\b(?:in|within|under|less than|after|only|just) (?:just |only |under |less than )?(?:half an hour|"
    rf"an hour and a half|a quarter of an hour|half a day)\b)"
    # a result by a point in time: "done by day five", "live by week 2" ("book by day two" is a step)
    rf"|(?:\b(?:done|closed|finished|complete|completed|reconciled|live|ready|balanced|signed off)"
    rf"(?: [\w-]+)? by (?:day|week|month) (?:{_NUM}|{_NUMWORD})(?![\w-]))"
    # "they close in four": a bare figure ending a clause after "in" (not a year, not "in one")
    rf"|(?:\bin (?:{_NUMWORD}|\d{{1,2}})(?=\s*(?:[,.;:!?)\u2014\u2013]|-\s|$)))"
    # "lose the first ten days", "saves 6 hours", "the close takes 9 working days"
    rf"|(?:\b(?:takes?|took|taking|spends?|spent|spending|loses?|lost|losing|saves?|saved|saving|wastes?|"
    rf"wasted|wasting)(?: (?:up to|about|around|just|only|over|under|less than|more than|nearly|almost|"
    rf"the|their|your|our|its|first|last|full|whole|an average of)){{0,3}} {_NUMX}"
    rf"(?: working| business| full)? (?!years?\b){_DURATION_UNITS}\b)"
    # "a five-day close", "48-hour turnaround"
    rf"|(?:(?:{_NUM}|{_NUMWORD_RUN})-(?:minute|hour|day|week|month) (?:close|turnaround|delivery|setup|set-up|onboarding|"
    rf"implementation|rollout|roll-out|results?|recovery|payback|go-live|(?:free )?trials?|money-back|refund)\b)"
    rf"|(?:(?:{_NUMX}|an?)\+?(?:\s|-){_DURATION_UNITS}(?:['\u2019])? (?:of (?:experience|expertise)|experience|"
    rf"expertise|in (?:practice|business|the (?:trade|industry|field|business))|turnaround|delivery|"
    rf"shipping|warranty|guarantee|response|setup|onboarding|results?)\b)"
    rf"|(?:{_NUM}\+ years\b)"
    # a track record or tenure: "for over fifteen years", "for nearly two decades", "spent eight years"
    rf"|(?:\b(?:for|spent|spending|spends)(?: the (?:past|last))?(?: (?:well over|over|more than|nearly|almost|"
    rf"close to|around|about|upwards of))? (?:{_NUMX}|an?|a couple of|several|many) (?:years?|decades?)\b"
    rf"(?! (?:ago|old|from now|later|before|earlier|after|running)\b))"
    rf"|\b24/7\b"
)
_CLAIM = re.compile(
    "|".join(
        (
            rf"(?P<percent>(?:up to |over |more than |nearly |almost |around )?(?:{_NUM}\s?(?:%|\s?per ?cent\b)"
            rf"|{_NUMWORD} per ?cent\b)(?: (?P<pword>[a-z]+))?)",
            # a price on its own is not a claim; a saving, a value or a comparison of prices is
            rf"(?P<money>(?:(?:save|saves|saved|saving|savings of|worth|only|just|was|usually|less than|under|"
            rf"cut|cuts|cutting|reduced|recovered|recovers|generated|generates|added|adds|earned|returned)"
            rf"(?: (?:about|around|roughly|approximately|nearly|almost|over|more than|up to|as much as|at least|"
            rf"an average of|on average|an estimated|an extra|an additional|a total of|a combined|them|you|us|customers|members|teams|"
            rf"clients|patients|their clients|our clients|their|your|the|costs by|spend by|each|every|the average|"
            rf"a typical|the typical|team|customer|member|household|family|families|clinic|practice|business|"
            rf"company|companies|user|users|client|patient)){{0,3}} )"
            rf"[$\u00a3\u20ac]\s?{_NUM}(?:\s?(?:k|m|bn|million|billion|thousand)\b)?"
            rf"(?: (?:a|per|each|every) (?:year|month|week|day|quarter|visit|order|employee|patient|member)\b)?"
            rf"|[$\u00a3\u20ac]\s?{_NUM}(?:\s?(?:k|m|bn|million|billion|thousand)\b)?(?= (?:off|cheaper|less|saving|saved|in (?:annual |yearly )?savings)\b))",
            r"(?P<ratio>\b(?:\d+|one|two|three|four|five|six|seven|eight|nine) (?:in|out of) "
            r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten)\b(?! (?:minutes?|hours?|days?)))",
            rf"(?P<multiplier>{_NUM}\s?[x\u00d7](?![\w])(?: (?P<mword>[a-z]+))?"
            rf"|(?:twice|double|triple|quadruple|{_NUMX} times) (?:as [a-z]+|the [a-z]+|(?:{_MORE_WORDS})\b)"
            r"|(?:doubled|doubling|tripled|tripling|quadrupled|halved|halving|halve|halves)\b(?! as\b)"
            r"|doubles\b(?! as\b)|double (?:your|their|the|our|its)\b|half as [a-z]+"
            r"|(?:in )?half the (?:time|cost|price|weight|effort|work|hours|days|budget)\b"
            r"|a fraction of the (?:time|cost|price|weight|effort|work|budget)\b|half[- ](?:price|off)\b"
            r"|(?:cuts?|cutting|slash(?:es|ed|ing)?|reduc(?:e|es|ed|ing)) (?:[\w-]+ ){0,4}?in half\b)",
            # "nearly half of the new patients", "a third less", "two-thirds of teams"
            rf"(?P<fraction>(?:half|(?:a|one)[- ](?:third|quarter|fifth|tenth)|(?:two|three|four|nine)[- ]"
            rf"(?:thirds|quarters|fifths|tenths)) (?:of (?:the |our |all |your |their |its |these )?"
            rf"(?:[a-z][a-z-]+ ){{0,2}}(?:{_COUNT_NOUNS}|adults|men|women|children|kids|parents|owners)\b"
            rf"|(?:{_MORE_WORDS}|cheaper)\b))",
            # "400 g lighter than", "two kilos lighter", "ten minutes faster", "3 mm thicker"
            rf"(?P<measure>{_NUMX}\s?(?P<munit>g|kg|grams?|kilos?|kilograms?|lbs?|pounds?|oz|ounces?|mm|cm|m|"
            rf"metres?|meters?|km|kilometres?|kilometers?|miles?|inch(?:es)?|feet|ft|l|litres?|liters?|ml|"
            rf"degrees?|\u00b0[cf]?|minutes?|mins?|hours?|hrs?|days?|weeks?|seconds?|secs?) "
            rf"(?P<cword>{_MORE_WORDS}|thinner|thicker|tighter|sooner|earlier|brighter|whiter|quieter)\b"
            rf"(?: than\b)?)",
            # a before-and-after figure: "cut the close from nine days to four", "took churn from 8% to 3%"
            rf"(?P<change>\b(?:cut|cuts|cutting|reduced?|reduces|reducing|slash(?:es|ed|ing)?|shrank|shrunk|"
            rf"shrinks?|shrinking|shortened|brought|brings?|bringing|dropped|drops?|dropping|fell|falls?|grew|grown|"
            rf"grows?|rose|raised|increased|improved|took|takes?|went|goes|moved|sped|lifted|boosted)"
            rf"(?: [\w'\u2019-]+){{0,4}}? from {_NUMX}\s?(?:%|{_DURATION_UNITS}\b)?(?: down| up)? to "
            rf"{_NUMX}(?:\s?%|\s?{_DURATION_UNITS}\b)?"
            # "the close takes four days now, down from nine"
            rf"|{_NUMX}\s?(?:%|{_DURATION_UNITS}\b)(?: now)?,? (?:down|up) from {_NUMX}(?:\s?%|\s?{_DURATION_UNITS}\b)?)",
            rf"(?P<rating>(?:{_NUM}|{_NUMWORD_RUN})\s?(?:/\s?(?:5|10)\b|out of (?:5|five|10|ten)\b|-?\s?stars?\b))",
            # "the first 50 visitors" is an offer's limit, not a stat
            rf"(?P<count>(?<!first )(?:(?:over|more than|nearly|almost|around) )?{_NUMX}(?:\s?(?:k|m)\b)?\+?"
            rf" (?:million |thousand )?(?:[a-z][a-z-]+ )?"
            rf"(?:{_COUNT_NOUNS})\b"
            # "thousands of happy patients": supported by any approved count of them that large
            rf"|(?:hundreds|thousands|millions) of (?:[a-z][a-z-]+ ){{0,2}}(?:{_COUNT_NOUNS})\b)",
            rf"(?P<duration>{_DURATION})",
            rf"(?P<superlative>(?<![\w-])(?:{_SUPERLATIVES})(?:-(?:growing|selling|rated|ranked|performing))?"
            rf"(?![\w-]))",
            rf"(?P<guarantee>(?<![\w-])(?:{_GUARANTEES})(?![\w-]))",
            rf"(?P<certification>(?<![\w-])(?:{_CERTIFICATIONS})(?![\w-]))",
            rf"(?P<comparison>(?<![\w-])(?:{_COMPARATIVES})(?![\w-]))",
            # a bare benefit comparative: "makes setup faster in wind", "keeps you drier"
            r"(?P<benefit>\b(?:makes?|making|made|keeps?|keeping|kept|gets?) (?:[\w-]+ ){0,2}?(?P<bword>faster|"
            r"quicker|lighter|warmer|drier|stronger|cheaper|safer)\b(?! than\b))",
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


_FRACTIONS = {
    "half": "0.5",
    "third": "0.33",
    "quarter": "0.25",
    "fifth": "0.2",
    "tenth": "0.1",
    "thirds": "0.67",
    "quarters": "0.75",
    "fifths": "0.8",
    "tenths": "0.9",
}
_MULTIPLIER_WORDS = {
    "twice": "2",
    "double": "2",
    "doubled": "2",
    "doubles": "2",
    "doubling": "2",
    "triple": "3",
    "tripled": "3",
    "tripling": "3",
    "quadruple": "4",
    "quadrupled": "4",
    "half": "0.5",
    "halve": "0.5",
    "halves": "0.5",
    "halved": "0.5",
    "halving": "0.5",
}


def _word_number(words: str) -> int:
    """The value of a run of number words: "six hundred and fifty" is 650, "a dozen" 12."""
    total = current = 0
    for word in re.findall(r"[a-z]+", words.lower()):
        if word in _WORD_VALUES:
            current += _WORD_VALUES[word]
        elif word == "dozen":
            current = (current or 1) * 12
        elif word == "hundred":
            current = (current or 1) * 100
        elif word in _SCALE_WORDS:
            total += (current or 1) * _SCALE_WORDS[word]
            current = 0
    return total + current


def _values(surface: str) -> list[str]:
    """Every figure in a claim, digits or words, normalised ("12,000" and "twelve thousand" are "12000")."""
    values = []
    for match in _NUMX_RE.finditer(surface):
        text = match.group()
        values.append(_number(text) if text[0].isdigit() else str(_word_number(text)))
    return values


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
    twice double doubled doubles doubling triple tripled tripling quadruple quadrupled half halve halves
    halved halving cut cuts cutting slash slashes slashed slashing reduce reduces reduced reducing
    take takes took taking spend spends spent spending lose loses lost losing saves saved waste wastes
    wasted wasting second unrivalled unrivaled unparalleled unparallelled without like than nothing came
    finished placed hundred thousand million dozen hundreds thousands millions for spends reduced recovered
    recovers generated generates added adds earned returned reduce reduces reducing shrank shrunk shrink shrinks
    shrinking shortened brought bring brings bringing dropped drop drops dropping fell fall falls grew grown grow
    grows rose raised increased improved went goes moved sped lifted boosted same next by make makes making made
    keep keeps keeping kept get gets done closed finished complete completed reconciled live ready balanced signed
    """.split()
    + _ORDINAL_WORDS
    + _UNIT_WORDS
    + _TENS_WORDS
)
_NUMBER_WORDS = frozenset([*_UNIT_WORDS, *_TENS_WORDS, *_SCALE_WORDS, "dozen"])
_AFTER_NUMBER_WORD = re.compile(
    rf"\b(?:{'|'.join(sorted(_NUMBER_WORDS, key=len, reverse=True))})(?: and | |-)$", re.IGNORECASE
)
_A_BEFORE = re.compile(
    r"an? (?:dozen|hundred|thousand|million|third|quarter|fifth|tenth|fraction|decade)\b", re.IGNORECASE
)
_CANDIDATE = re.compile(r"[A-Za-z]+|\d|[$\u00a3\u20ac#]")


def _may_start(text: str, position: int, token: str) -> bool:
    if not token[0].isalpha():
        # the middle of a number, a code or a link ("4,812", "v3", "rdgl.co/2x") starts nothing
        return not (
            token.isdigit() and position and (text[position - 1].isalnum() or text[position - 1] in "/.,:")
        )
    word = token.lower()
    if word in _NUMBER_WORDS and _AFTER_NUMBER_WORD.search(text, max(0, position - 12), position):
        return False  # the middle of "six hundred and fifty": the run was tried from its first word
    if word in _STARTS:
        return True
    if word in ("a", "an"):
        return _A_BEFORE.match(text, position) is not None
    if word.endswith("est") and len(word) > 4 and word not in _NOT_SUPERLATIVE:
        return True
    return word.startswith("out") and len(word) > 5


def _claim_matches(text: str) -> list[re.Match[str]]:
    """The matches `_CLAIM.finditer(text)` would give, trying the pattern only where a claim can start."""
    matches = []
    last_end = 0
    for candidate in _CANDIDATE.finditer(text):
        position = candidate.start()
        if position < last_end:
            continue
        if not _may_start(text, position, candidate.group()):
            continue
        match = _CLAIM.match(text, position)
        if match and match.end() > position:
            matches.append(match)
            last_end = match.end()
    return matches


# A step the reader takes is described, not claimed: "Set it up in ten minutes", "It takes two minutes".
_IMPERATIVES = frozenset(
    """book set sign join register apply order get start try check download install create build connect switch
    upgrade call request see fill complete finish pick choose find read watch learn make add update renew
    redeem browse shop reply text email visit come drop bring pop swing grab tell ask plan""".split()
)
_SENTENCE_OPENING = re.compile(r"(?:^|[.!?:\n])[\s\"'\u201c\u2018(*\u2022-]*$")
_DESCRIBED_STEP = re.compile(
    r"\b(?:it|this|that|which|it'll|it\u2019ll|it will|it only|it usually|it should|it can|it just)\s*$",
    re.IGNORECASE,
)


# The size of someone's team or organisation, unless it is the brand's own ("our team of 50 experts").
_GROUP_SIZE_BEFORE = re.compile(
    r"(?<!our )(?<!its )\b(?:team|organi[sz]ation|group|department|crew|company|firm|office|class) of\s+$",
    re.IGNORECASE,
)
# The thing a piece sets the brand against is someone else's: "Unlike same-day whitening kits, we ...".
_CONTRAST_BEFORE = re.compile(
    r"(?:^|[.!?:;\n]\s*|\s)(?:unlike|instead of|rather than)\s+(?:(?:the|a|an|those|these|other|most|many)\s+)?"
    r"(?:[\w'\u2019-]+\s+){0,2}$",
    re.IGNORECASE,
)
# The reader's own account, told back to them: "you have 2,450 points", "your team matched 4,812
# transactions" (a promise to the reader, "you'll save", is still a claim).
_READERS_OWN_BEFORE = re.compile(
    r"\b(?:you|your (?:team|account|business|company|practice|clinic))\s+(?:have\s+|['\u2019]ve\s+|already\s+)?"
    r"(?:have|has|had|matched|reconciled|closed|processed|earned|collected|logged|hiked|booked|redeemed|used|"
    r"posted|imported|added|approved|sent|paid|spent|ran|walked|climbed|visited)\b[^.!?;]{0,50}$",
    re.IGNORECASE,
)
# The length of a route: "the traverse is 18 miles", "a 12 km loop ... 18 miles round trip".
_ROUTE_LENGTH = re.compile(
    r"\s+(?:long|away|from|round[- ]trip|each way|out and back|of (?:trail|hiking|gain))\b"
)
_COPULA_BEFORE = re.compile(
    r"\b(?:is|are|was|were|it['\u2019]s)\s+(?:about\s+|roughly\s+|around\s+)?$", re.IGNORECASE
)
# When something happens during an activity: "after ten minutes of climbing".
_OF_AN_ACTIVITY = re.compile(r"\s+of\s+[a-z]+ing\b")
# A duration defining a group the piece talks about: "the teams that closed in under five days".
_GROUP_BY_DURATION = re.compile(
    r"\b(?:those|ones|[a-z]+s)\s+(?:that|who|which)\s+[a-z]+(?:ed)?\s+$", re.IGNORECASE
)
# A return, refund or cancellation window is a term of sale, not a promise about results.
_POLICY_BEFORE = re.compile(
    r"\b(?:return|returns|returned|send (?:it|them) back|exchange|exchanges|refund|refunds|cancel|cancellation)\b"
    r"(?:(?![.;]).)*$",
    re.IGNORECASE,
)


def _sentence_start(text: str, start: int) -> int:
    """Where the sentence holding `start` begins, looking back 300 characters at most (hostile input)."""
    floor = max(0, start - 300)
    position = max(text.rfind(mark, floor, start) for mark in (". ", "! ", "? ", "\n", ": "))
    return position + 1 if position >= 0 else floor


def _not_a_duration_claim(text: str, start: int, lowered: str, unit: str) -> bool:
    before = text[max(0, start - 40) : start]
    if lowered.startswith("in ") and _SENTENCE_OPENING.search(before):
        return True  # "In three weeks, your team matched ...": a time frame dating an event
    if re.match(r"(?:takes?|took|taking)\b", lowered) and _DESCRIBED_STEP.search(before):
        return True  # "it takes two minutes"
    if lowered.startswith("after ") and _OF_AN_ACTIVITY.match(text, start + len(lowered)):
        return True  # "you'll be fine after ten minutes of climbing": when something happens
    if _GROUP_BY_DURATION.search(before):
        return True  # "the teams that closed in under five days had three things in common": a group
    if unit in ("min", "sec", "hou") and lowered.startswith(("in ", "within ", "under ")):
        first = re.match(r"[\s\"'\u201c(*\u2022-]*([A-Za-z]+)", text[_sentence_start(text, start) : start])
        if first and first.group(1).lower() in _IMPERATIVES:
            return True  # "Set it up in ten minutes"
    return False


_MEASURE_UNITS = {
    "gram": "g",
    "grams": "g",
    "kilo": "kg",
    "kilos": "kg",
    "kilogram": "kg",
    "kilograms": "kg",
    "lb": "lb",
    "lbs": "lb",
    "pound": "lb",
    "pounds": "lb",
    "ounce": "oz",
    "ounces": "oz",
    "metre": "m",
    "metres": "m",
    "meter": "m",
    "meters": "m",
    "kilometre": "km",
    "kilometres": "km",
    "kilometer": "km",
    "kilometers": "km",
    "mile": "mi",
    "miles": "mi",
    "inch": "in",
    "inches": "in",
    "feet": "ft",
    "litre": "l",
    "litres": "l",
    "liter": "l",
    "liters": "l",
    "degree": "deg",
    "degrees": "deg",
    "\u00b0": "deg",
    "\u00b0c": "deg",
    "\u00b0f": "degf",
    "mins": "min",
    "minute": "min",
    "minutes": "min",
    "hour": "hou",
    "hours": "hou",
    "hrs": "hou",
    "day": "day",
    "days": "day",
    "week": "wee",
    "weeks": "wee",
    "secs": "sec",
    "second": "sec",
    "seconds": "sec",
}
# A named superlative about the story rather than the offering ("the biggest change wasn't software",
# "the hardest part") ranks nothing the brand sells, unless it is owned or scoped like any -est word.
_STORY_NOUNS = frozenset(
    """change changes part parts problem problems mistake mistakes challenge challenges risk risks question
    questions lesson lessons surprise surprises difference shift hurdle hurdles bottleneck bottlenecks reason
    reasons factor factors cause causes issue issues fear fears worry worries complaint complaints headache
    headaches obstacle obstacles misconception myth myths win wins takeaway takeaways thing things step steps
    decision decisions gap gaps threat threats pain danger trap traps culprit offender""".split()
)
_NEXT_WORD = re.compile(r"[\s-]*([A-Za-z]+)")
_NAMED_SUPERLATIVES = frozenset(
    "best fastest cheapest lowest highest largest biggest safest strongest lightest warmest quietest smartest "
    "easiest widest broadest toughest driest".split()
)
_OWNER_BEFORE = re.compile(
    r"(?:\b(?:our|its|their|your)|['\u2019]s|s['\u2019])\s+(?:very\s+)?$", re.IGNORECASE
)
_SCOPE_AFTER = re.compile(
    r"(?:[\w-]+\s+){0,3}?(?:in|on|across|around|of all)\s+(?:the\s+)?(?:[A-Z][\w-]+|market|world|country|city|"
    r"region|category|industry|town|business|sector|planet|state|area)\b"
)


def _superlative_claim(text: str, start: int, end: int, word: str) -> bool:
    """A superlative in -est outside the named list is a claim when it ranks the brand's own thing ("our
    lightest tent", "Ledgerline's fastest-growing") or ranks within a place or market ("the friendliest
    team in Yorkshire"); "the hardest part", "the wettest conditions" describe the world, not the brand."""
    if word in _NOT_SUPERLATIVE:
        return False
    before = text[max(0, start - 30) : start]
    if _OWNER_BEFORE.search(before):
        return True
    if word in _NAMED_SUPERLATIVES:
        following = _NEXT_WORD.match(text, end, end + 40)
        if not (following and following.group(1).lower() in _STORY_NOUNS):
            return True
    return _SCOPE_AFTER.match(text, end + 1) is not None if end < len(text) else False


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
        if kind in ("pword", "mword", "munit", "cword"):
            kind = next(k for k in ("percent", "multiplier", "measure") if match.group(k))
        if kind in ("benefit", "bword"):
            # only the comparative is the claim: "makes setup faster" claims "faster"
            start = match.start("bword")
            word = match.group("bword").lower()
            facts.append(ClaimFact("comparison", start, end, text[start:end], None, word, ""))
            continue
        surface = match.group()
        figure = None
        claim_word = ""
        next_word = ""
        numbers = _values(surface)
        lowered = surface.lower()
        if kind == "percent":
            figure = (numbers[0], "%")
            next_word = (match.group("pword") or "").lower()
        elif kind == "measure":
            unit = match.group("munit").lower()
            figure = (numbers[0], _MEASURE_UNITS.get(unit, unit[:3]))
            next_word = match.group("cword").lower()
        elif kind == "change":
            unit_match = re.search(rf"%|{_DURATION_UNITS}", lowered[lowered.find("from") :])
            before_after = numbers[-2:]
            if re.search(r"(?:down|up) from", lowered):  # "four days, down from nine": nine -> four
                before_after = [numbers[-1], numbers[0]]
                unit_match = re.search(rf"%|{_DURATION_UNITS}", lowered)
            figure = ("->".join(before_after), unit_match.group()[:3] if unit_match else "")
        elif kind == "ratio":
            parts = re.split(r" (?:in|out of) ", lowered)
            figure = (" in ".join(str(_word_number(p)) if not p[0].isdigit() else p for p in parts), "ratio")
        elif kind == "money":
            if _READERS_OWN_BEFORE.search(text, _sentence_start(text, start), start):
                continue  # "you have 2,450 points, worth $24.50": the reader's own balance
            unit = next(c for c in surface if c in "$\u00a3\u20ac")
            scale = re.search(rf"[$\u00a3\u20ac]\s?{_NUM}\s?(k|m|bn|million|billion|thousand)\b", lowered)
            figure = (numbers[0], unit + (scale.group(1)[0] if scale else ""))
        elif kind == "multiplier":
            first = re.match(r"[a-z]+", lowered)
            if re.match(r"half[- ](?:price|off)", lowered):
                kind, figure, next_word = "percent", ("50", "%"), "off"
                facts.append(ClaimFact(kind, start, end, surface, figure, claim_word, next_word))
                continue
            if "fraction" in lowered:
                value = "0.5"
            elif numbers:
                value = numbers[0]
            elif "half" in lowered:
                value = "0.5"
            else:
                value = _MULTIPLIER_WORDS.get(first.group() if first else "", "2")
            figure = (value, "x")
            if match.group("mword"):
                next_word = match.group("mword").lower()
            elif re.search(r"\b(?:as|the|times) [a-z]+$", lowered):
                next_word = lowered.rsplit(" ", 1)[-1]
        elif kind == "fraction":
            word = re.search(r"half|thirds?|quarters?|fifths?|tenths?", lowered)
            figure = (_FRACTIONS[word.group()] if word else "", "fraction")
            next_word = lowered.rsplit(" ", 1)[-1]
        elif kind == "rating":
            figure = (numbers[0], "rating")
        elif kind == "count" and re.match(r"(?:hundreds|thousands|millions) of", lowered):
            floor = {"h": "100", "t": "1000", "m": "1000000"}[lowered[0]]
            figure = (floor + "+", _stem(lowered.split()[-1]))
        elif kind == "count":
            if re.match(r"(?:hundred|thousand|million|billion)\b", lowered):
                continue  # "a few hundred transactions" names no figure
            if _GROUP_SIZE_BEFORE.search(text[max(0, start - 40) : start]):
                continue  # "led a finance organization of 120 people" describes, it does not claim
            if _READERS_OWN_BEFORE.search(text, _sentence_start(text, start), start):
                continue  # "your team matched 4,812 transactions": the reader's own figures
            if _ROUTE_LENGTH.match(text, end) or _COPULA_BEFORE.search(text, max(0, start - 12), start):
                if re.search(r"(?:miles?|km|kilomet(?:re|er)s?)$", lowered):
                    continue  # "the traverse is 18 miles": the length of a route, not a record
            noun = lowered.split()[-1]
            value = numbers[0]
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
                unit = unit_match.group()[:3] if unit_match else ""
                value = numbers[0] if numbers else "1"  # "in a fortnight", "within an hour"
                if not numbers and "couple of" in lowered:
                    value = "2"  # "in a couple of weeks"
                elif not numbers and "half" in lowered:
                    value = "1.5" if "and a half" in lowered else ("12" if "day" in lowered else "0.5")
                    unit = "hou"
                elif not numbers and "quarter of an hour" in lowered:
                    value, unit = "0.25", "hou"
                if unit == "for":  # a fortnight is two weeks
                    value, unit = _number(str(float(value) * 2)), "wee"
                if not unit and value == "1":
                    continue  # "all in one."
                if _not_a_duration_claim(text, start, lowered, unit) or _POLICY_BEFORE.search(
                    text[_sentence_start(text, start) : start]
                ):
                    continue
                figure = (value, unit)
        else:
            if kind in ("superlative", "guarantee", "certification") and _CONTRAST_BEFORE.search(
                text, max(0, start - 60), start
            ):
                continue  # "Unlike same-day whitening at the shopping centre, ...": another's offer, not ours
            word = re.sub(r"-\w+$", "", lowered.rsplit(" ", 1)[-1])
            if (
                kind == "superlative"
                and word.endswith("est")
                and not _superlative_claim(text, start, end, word)
            ):
                continue
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
        if fact.figure is not None and fact.figure[0].endswith("+"):
            # "thousands of patients" is supported by "Over 12,000 patients", not by "400 patients"
            floor, unit = float(fact.figure[0][:-1]), fact.figure[1]
            return any(
                known.kind == "count" and known.figure[1] == unit and float(known.figure[0]) >= floor
                for source in self.sources
                for known in source.facts
                if known.figure is not None and not known.figure[0].endswith("+")
            )
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
            for group in _group(facts, text):
                first = bisect_right(sentence_starts, group[0].start) - 1
                last = bisect_right(sentence_starts, group[-1].start) - 1
                sentence = text[sentences[max(0, first)][0] : sentences[last][1]] if last >= 0 else text
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


_SENTENCE_BREAK = re.compile(r"[.!?]\s|\n")


def _group(facts: list[ClaimFact], text: str) -> list[list[ClaimFact]]:
    """Claims a few characters apart ("up to 40% faster than") are one claim to the reader; two sentences
    ("up to 40% faster. SOC 2 Type II certified.") are two claims, each checked on its own."""
    groups: list[list[ClaimFact]] = []
    for fact in facts:
        if (
            groups
            and fact.start - groups[-1][-1].end <= 12
            and not _SENTENCE_BREAK.search(text, groups[-1][-1].end, fact.start + 1)
        ):
            groups[-1].append(fact)
        else:
            groups.append([fact])
    return groups
