"""Check 2: phrases and sentence shapes that make copy read as generic or machine-written.

The list is our own, written from the patterns editors keep striking out of drafts; the agency adds
its own phrases per brand (`BrandRules.ai_tells_extra`). Each entry: the phrase, why it grates, and
a plainer replacement where one exists (empty: cut it and say the thing directly).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable

from brandkit.governance.lexical import LexicalCheck, Match, field_text
from brandkit.governance.lexicon import match_case
from brandkit.governance.types import ContentInput, Finding

_OPENER = "an empty opener; start with the point"
_HYPE = "hype that every brand uses; say what actually happens"
_FILLER = "filler that adds words but no meaning"
_STOCK = "a stock phrase readers skim past"

# (phrase, why, replacement)
CLICHES: tuple[tuple[str, str, str], ...] = (
    ("in today's fast-paced world", _OPENER, ""),
    ("in today's fast paced world", _OPENER, ""),
    ("in today's digital age", _OPENER, ""),
    ("in today's digital landscape", _OPENER, ""),
    ("in today's competitive landscape", _OPENER, ""),
    ("in today's ever-changing world", _OPENER, ""),
    ("in an ever-changing world", _OPENER, ""),
    ("in an ever-evolving landscape", _OPENER, ""),
    ("in a world where", _OPENER, ""),
    ("in this day and age", _OPENER, ""),
    ("now more than ever", _OPENER, ""),
    ("ever-evolving landscape", _STOCK, ""),
    ("digital landscape", _STOCK, "online"),
    ("fast-paced world", _STOCK, ""),
    ("imagine a world where", _OPENER, ""),
    ("have you ever wondered", _OPENER, ""),
    ("ever wondered", _OPENER, ""),
    ("look no further", _STOCK, ""),
    ("unlock the power of", _HYPE, "use"),
    ("unlock the full potential of", _HYPE, "get more from"),
    ("unlock your potential", _HYPE, ""),
    ("unleash the power of", _HYPE, "use"),
    ("harness the power of", _HYPE, "use"),
    ("take it to the next level", _HYPE, ""),
    ("take your business to the next level", _HYPE, "grow your business"),
    ("to the next level", _HYPE, ""),
    ("game-changer", _HYPE, ""),
    ("game-changing", _HYPE, ""),
    ("revolutionize the way", _HYPE, "change how"),
    ("revolutionise the way", _HYPE, "change how"),
    ("paradigm shift", _HYPE, "change"),
    ("supercharge", _HYPE, "speed up"),
    ("elevate your", _HYPE, "improve your"),
    ("seamless experience", _HYPE, ""),
    ("seamlessly integrates", _HYPE, "works with"),
    ("seamlessly integrate", _HYPE, "work with"),
    ("delve into", "a word people rarely say aloud", "look at"),
    ("delves into", "a word people rarely say aloud", "looks at"),
    ("deep dive into", _STOCK, "close look at"),
    ("dive deep into", _STOCK, "look closely at"),
    ("let's dive in", _OPENER, ""),
    ("let's dive into", _OPENER, ""),
    ("without further ado", _FILLER, ""),
    ("navigate the complexities of", _STOCK, "handle"),
    ("navigating the complexities of", _STOCK, "handling"),
    ("in the realm of", _FILLER, "in"),
    ("a testament to", _STOCK, "proof of"),
    ("rich tapestry", _STOCK, "mix"),
    ("tapestry of", _STOCK, "mix of"),
    ("it's important to note that", _FILLER, ""),
    ("it is important to note that", _FILLER, ""),
    ("it's worth noting that", _FILLER, ""),
    ("it is worth noting that", _FILLER, ""),
    ("at the end of the day", _FILLER, ""),
    ("when it comes to", _FILLER, "for"),
    ("plays a pivotal role", _STOCK, "matters"),
    ("play a pivotal role", _STOCK, "matter"),
    ("plays a crucial role", _STOCK, "matters"),
    ("play a crucial role", _STOCK, "matter"),
    ("embark on a journey", _STOCK, "start"),
    ("embark on your journey", _STOCK, "start"),
    ("one-stop shop", _STOCK, ""),
    ("one-stop solution", _STOCK, ""),
    ("a plethora of", _FILLER, "many"),
    ("a myriad of", _FILLER, "many"),
    ("myriad of", _FILLER, "many"),
    ("cutting-edge", _HYPE, "new"),
    ("state-of-the-art", _HYPE, "modern"),
    ("holistic approach", _STOCK, ""),
    ("synergy", _HYPE, ""),
    ("synergies", _HYPE, ""),
    ("rest assured", _FILLER, ""),
    ("buckle up", _OPENER, ""),
    ("say goodbye to", _STOCK, "no more"),
    ("the possibilities are endless", _HYPE, ""),
    ("we've got you covered", _STOCK, ""),
    ("we have got you covered", _STOCK, ""),
    ("meticulously crafted", _HYPE, "carefully made"),
    ("unparalleled", _HYPE, ""),
    ("second to none", _HYPE, ""),
    ("here's the thing", _OPENER, ""),
    ("let's face it", _OPENER, ""),
    ("in conclusion", _FILLER, ""),
    ("navigate the landscape", _STOCK, ""),
    ("stands as a beacon", _STOCK, ""),
    ("beacon of", _STOCK, ""),
    ("ever-changing landscape", _STOCK, ""),
    ("robust solution", _STOCK, ""),
    ("innovative solutions", _STOCK, ""),
    ("empower you to", _HYPE, "help you"),
    ("empowers you to", _HYPE, "helps you"),
    ("empowering you to", _HYPE, "helping you"),
    ("transformative", _HYPE, ""),
    ("leverage", "jargon; plain English reads faster", "use"),
    ("utilize", "jargon; plain English reads faster", "use"),
    ("utilise", "jargon; plain English reads faster", "use"),
)

# The "in today's ... world" opener in all its variants: "In today's ever-evolving finance landscape",
# "in this fast-moving market", "in an increasingly digital world". A bare "today's market" is left alone.
_SCENE_NOUNS = (
    r"world|landscape|market|marketplace|climate|environment|economy|era|age|times|society|industry|"
    r"space|arena|ecosystem|reality|business world|workplace|day and age"
)
_TODAYS_OPENER = re.compile(
    rf"\bin (?:today['\u2019]s|this|the|the modern|the current|an|a|our)\s+(?:(?:ever|always|constantly|rapidly|"
    rf"increasingly|fast|highly|hyper|ultra)[- ]?)(?:changing|evolving|shifting|moving|paced|connected|digital|"
    rf"competitive|crowded|noisy|modern|busy|volatile|uncertain|complex|dynamic|demanding)\b"
    rf"(?:[\s,-]+[\w-]+){{0,3}}?\s+(?:{_SCENE_NOUNS})\b"
    rf"|\bin today['\u2019]s(?:\s+[\w-]+){{0,3}}?\s+(?:{_SCENE_NOUNS})\b",
    re.IGNORECASE,
)

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        _TODAYS_OPENER,
        "the \u201cin today\u2019s \u2026 world\u201d opener is an empty scene-setter; start with the point",
    ),
    (
        re.compile(
            r"\b(?:it|this|that|they|we|he|she)(?:['\u2019](?:s|re)| is| are| was)\s+not\s+"
            r"(?:just|only|merely|simply)\b[^.!?\n]{1,80}?(?:[,;:\u2014\u2013]|\s-)\s*"
            r"(?:it|this|that|they|we)(?:['\u2019](?:s|re)| is| are)\b",
            re.IGNORECASE,
        ),
        "the \u201cit\u2019s not just X, it\u2019s Y\u201d shape reads as template copy; make the one point directly",
    ),
    (
        re.compile(
            r"\b(?:isn['\u2019]t|aren['\u2019]t|is not|are not)\s+(?:just|only|merely)\b[^.!?\n]{1,60}?"
            r"(?:[,;\u2014\u2013]|\s-)\s*(?:it['\u2019]s|they['\u2019]re|it is|but)\b",
            re.IGNORECASE,
        ),
        "the \u201cnot just X, it\u2019s Y\u201d shape reads as template copy; make the one point directly",
    ),
    (
        re.compile(r"\bmore than just\s+(?:a|an|the)?\s*\w+", re.IGNORECASE),
        "\u201cmore than just\u201d is a stock build-up; say what it is",
    ),
    (
        re.compile(
            r"\bwhether you['\u2019]re\s+(?:a|an)\s+[^,.!?\n]{1,40}?\s+or\s+(?:a|an)\b", re.IGNORECASE
        ),
        "the \u201cwhether you\u2019re an X or a Y\u201d opener is generic; speak to the one reader this is for",
    ),
)

_EM_DASH = re.compile("\u2014|(?<=\\w) -- (?=\\w)")


class AiTellsCheck(LexicalCheck):
    """Clichés, AI-style transitions and the agency's own banned phrases."""

    check = "ai_tell"

    def phrases(self) -> Iterable[tuple[str, Hashable, bool]]:
        self._entries = list(CLICHES) + [
            (phrase, "on the agency\u2019s list of phrases to avoid", "")
            for phrase in self.rules.ai_tells_extra
        ]
        for number, (phrase, _why, _replacement) in enumerate(self._entries):
            yield phrase, number, False

    def findings(self, content: ContentInput, matches: dict[str, list[Match]]) -> list[Finding]:
        found: list[Finding] = []
        for name, field_matches in matches.items():
            text = field_text(content, name)
            field_found: list[Finding] = []
            listed = {(start, end) for start, end, _number in field_matches}
            openers = [m.span() for m in _TODAYS_OPENER.finditer(text) if m.span() not in listed]
            covered_to = -1  # matches come sorted by start, longest first: a nested one ends before this
            for start, end, number in sorted(field_matches, key=lambda m: (m[0], -m[1])):
                if end <= covered_to:
                    continue  # "in today's digital landscape" already covers "digital landscape"
                if any(s <= start and end <= e for s, e in openers):
                    continue  # a longer opener ("in today's ever-evolving finance landscape") is reported whole
                covered_to = max(covered_to, end)
                _phrase, why, replacement = self._entries[number]
                surface = text[start:end]
                message = f"\u201c{surface}\u201d: {why}."
                field_found.append(self._finding(start, end, message, match_case(replacement, surface), name))
            for pattern, why in _PATTERNS:
                for match in pattern.finditer(text):
                    if pattern is _TODAYS_OPENER and match.span() in listed:
                        continue  # the curated entry already reports it, with its own wording
                    field_found.append(
                        self._finding(match.start(), match.end(), why[0].upper() + why[1:] + ".", "", name)
                    )
            field_found.extend(self._stacked_dashes(text, name))
            found.extend(sorted(field_found, key=lambda f: (f.start, -f.end)))
        return found

    def _stacked_dashes(self, text: str, name: str) -> list[Finding]:
        """Three or more em dashes in one paragraph read as machine-written rhythm."""
        found = []
        offset = 0
        for paragraph in re.split(r"(\n\s*\n)", text):
            dashes = [m.start() + offset for m in _EM_DASH.finditer(paragraph)]
            if len(dashes) >= 3:
                found.append(
                    self._finding(
                        dashes[0],
                        dashes[-1] + 1,
                        f"{len(dashes)} em dashes in one paragraph; keep at most one pair and use full stops or commas.",
                        "",
                        name,
                    )
                )
            offset += len(paragraph)
        return found

    def _finding(self, start: int, end: int, message: str, suggestion: str, name: str) -> Finding:
        return Finding(
            check=self.check,
            severity="warning",
            start=start,
            end=end,
            message=message,
            suggestion=suggestion,
            question=5,
            field=name,
        )
