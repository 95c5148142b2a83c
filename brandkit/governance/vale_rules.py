"""Check 1 (imported part): rules from Vale styles, run without the Vale binary.

Plain-word tokens join the shared phrase pass; tokens that are regular expressions run through the
`regex` package with a time budget, so a catastrophic pattern from an imported style costs at most
`REGEX_BUDGET_SECONDS` per text and is then skipped (never a stuck worker).
"""

from __future__ import annotations

import ast
import logging
import operator
import re
from collections.abc import Callable, Hashable, Iterable
from datetime import date

import regex

try:  # the standard library's own pattern parser, used only to expand simple word-list patterns
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_parse  # type: ignore[no-redef]

from brandkit.governance.lexical import LexicalCheck, Match, field_text
from brandkit.governance.reading import syllables
from brandkit.governance.sentences import WORD, sentence_spans
from brandkit.governance.types import BrandRules, ContentInput, Finding, ValeRule

logger = logging.getLogger(__name__)

REGEX_BUDGET_SECONDS = 0.05
RUNNABLE_KINDS = frozenset(
    {"existence", "substitution", "occurrence", "metric", "vocab_reject", "vocab_accept"}
)
_LITERAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 '\u2019\-]*$")
_LEVELS = {"error": "error", "warning": "warning", "suggestion": "suggestion"}


def _is_literal(token: str) -> bool:
    return bool(_LITERAL.match(token))


_EXPANSION_LIMIT = 64


def expand_pattern(pattern: str) -> list[str] | None:
    """The finite list of plain phrases a simple pattern matches ("e-?mails?" -> four phrases), or None.

    Most style rules are word lists written as patterns; expanded, they join the shared phrase pass
    instead of costing a regex pass each. Anything beyond literals, small character sets,
    alternation, optional parts, word boundaries and whitespace runs is left to the regex engine.
    """
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    try:
        variants = _expand(list(parsed))
    except _NotExpandable:
        return None
    phrases = sorted({" ".join(v.split()) for v in variants})
    if not phrases or any(not _is_literal(p) for p in phrases):
        return None
    return phrases


class _NotExpandable(Exception):
    pass


def _expand(items: list) -> list[str]:
    results = [""]
    for op, value in items:
        options = _expand_item(op, value)
        results = [r + o for r in results for o in options]
        if len(results) > _EXPANSION_LIMIT:
            raise _NotExpandable
    return results


def _expand_item(op, value) -> list[str]:
    name = str(op)
    if name == "LITERAL":
        return [chr(value)]
    if name == "IN":
        chars = []
        for inner_op, inner_value in value:
            if str(inner_op) == "LITERAL":
                chars.append(chr(inner_value))
            elif str(inner_op) == "CATEGORY" and str(inner_value) == "CATEGORY_SPACE":
                chars.append(" ")
            else:
                raise _NotExpandable
        return chars
    if name == "SUBPATTERN":
        _group, add_flags, del_flags, pattern = value
        if add_flags or del_flags:
            raise _NotExpandable
        return _expand(list(pattern))
    if name == "BRANCH":
        _none, branches = value
        return [variant for branch in branches for variant in _expand(list(branch))]
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, high, pattern = value
        inner = _expand(list(pattern))
        if (low, high) == (0, 1):
            return ["", *inner]
        if low >= 1 and all(v == " " for v in inner):
            return [" "]  # \s+ : any run of whitespace, as every phrase space already is
        raise _NotExpandable
    if name == "AT" and str(value) in ("AT_BOUNDARY",):
        return [""]
    raise _NotExpandable


def _message(rule: ValeRule, *values: str) -> str:
    template = rule.message or (
        "Avoid \u201c%s\u201d."
        if rule.kind != "substitution"
        else "Use \u201c%s\u201d instead of \u201c%s\u201d."
    )
    count = template.count("%s")
    try:
        text = template % tuple((list(values) + [""] * count)[:count])
    except (TypeError, ValueError):
        text = template
    return f"{text} ({rule.name})" if rule.name else text


class ValeRulesCheck(LexicalCheck):
    """existence, substitution, occurrence and metric rules and reject.txt from imported styles."""

    check = "vale"

    def __init__(self, rules: BrandRules, *, today: date) -> None:
        super().__init__(rules, today=today)
        self._rules = [r for r in rules.vale_rules if r.kind in RUNNABLE_KINDS and r.kind != "vocab_accept"]
        # One combined pattern for the regex tokens of existence / substitution / reject rules.
        self._regex_parts: list[tuple[str, int, int]] = []  # (group name, rule index, swap index)
        parts = []
        for index, rule in enumerate(self._rules):
            for token_index, token in self._tokens(rule):
                if self._phrases_of(rule, token) is not None:
                    continue
                name = f"v{index}_{token_index}"
                body = token if rule.nonword else rf"\b(?:{token})\b"
                flags = "(?i)" if rule.ignorecase else ""
                try:
                    regex.compile(flags + body)
                except regex.error:
                    logger.warning("Vale rule %s has a pattern Python cannot compile: %r", rule.name, token)
                    continue
                parts.append(f"(?P<{name}>{'(?i:' + body + ')' if rule.ignorecase else body})")
                self._regex_parts.append((name, index, token_index))
        self._combined = regex.compile("|".join(parts)) if parts else None
        self._singles = {
            name: regex.compile(p) for (name, _i, _t), p in zip(self._regex_parts, parts, strict=True)
        }

    @staticmethod
    def _tokens(rule: ValeRule) -> list[tuple[int, str]]:
        if rule.kind == "substitution":
            return [(i, key) for i, (key, _value) in enumerate(rule.swap)]
        if rule.kind in ("existence", "vocab_reject"):
            return list(enumerate(rule.tokens))
        return []

    @staticmethod
    def _phrases_of(rule: ValeRule, token: str) -> list[str] | None:
        """The plain phrases a token stands for, or None when it must run as a pattern."""
        if rule.nonword:
            return None
        if _is_literal(token):
            return [token]
        return expand_pattern(token)

    def phrases(self) -> Iterable[tuple[str, Hashable, bool]]:
        for index, rule in enumerate(self._rules):
            for token_index, token in self._tokens(rule):
                for phrase in self._phrases_of(rule, token) or ():
                    yield phrase, (index, token_index), False

    def _regex_matches(self, text: str) -> list[tuple[int, int, tuple[int, int]]]:
        if self._combined is None:
            return []
        try:
            return [
                (m.start(), m.end(), self._locate(m.lastgroup))
                for m in self._combined.finditer(text, timeout=REGEX_BUDGET_SECONDS)
                if m.end() > m.start()
            ]
        except TimeoutError:
            found: list[tuple[int, int, tuple[int, int]]] = []
            for name, pattern in self._singles.items():
                try:
                    found.extend(
                        (m.start(), m.end(), self._locate(name))
                        for m in pattern.finditer(text, timeout=REGEX_BUDGET_SECONDS)
                        if m.end() > m.start()
                    )
                except TimeoutError:
                    logger.warning("Vale pattern %s ran out of its time budget and was skipped", name)
            return found

    def _locate(self, name: str | None) -> tuple[int, int]:
        index, _, token_index = (name or "v0_0")[1:].partition("_")
        return int(index), int(token_index)

    def findings(self, content: ContentInput, matches: dict[str, list[Match]]) -> list[Finding]:
        found: list[Finding] = []
        for name, field_matches in matches.items():
            text = field_text(content, name)
            all_matches = list(field_matches) + self._regex_matches(text)
            for start, end, (index, token_index) in sorted(set(all_matches)):
                rule = self._rules[index]
                surface = text[start:end]
                if rule.kind == "substitution":
                    replacements = rule.swap[token_index][1].split("|")
                    if any(surface == r or surface.lower() == r.lower() for r in replacements):
                        continue
                    found.append(
                        self._finding(
                            rule, start, end, _message(rule, replacements[0], surface), replacements[0], name
                        )
                    )
                else:
                    found.append(self._finding(rule, start, end, _message(rule, surface), "", name))
            for rule in self._rules:
                if rule.kind == "occurrence":
                    found.extend(self._occurrence(rule, text, name))
                elif rule.kind == "metric" and name == "body":
                    found.extend(self._metric(rule, text, name))
        return found

    def _occurrence(self, rule: ValeRule, text: str, name: str) -> list[Finding]:
        if not rule.tokens:
            return []
        token = rule.tokens[0]
        try:
            pattern = regex.compile(token, regex.IGNORECASE if rule.ignorecase else 0)
        except regex.error:
            return []
        scopes = sentence_spans(text) if rule.scope == "sentence" else [(0, len(text))]
        found: list[Finding] = []
        for start, end in scopes:
            try:
                count = sum(1 for _ in pattern.finditer(text, start, end, timeout=REGEX_BUDGET_SECONDS))
            except TimeoutError:
                return found
            too_many = rule.max is not None and count > rule.max
            too_few = rule.min is not None and count < rule.min
            if too_many or too_few:
                found.append(self._finding(rule, start, end, _message(rule, str(count)), "", name))
        return found

    def _metric(self, rule: ValeRule, text: str, name: str) -> list[Finding]:
        tokens = WORD.findall(text)
        counts = [syllables(t) for t in tokens]
        variables: dict[str, float] = {
            "words": len(tokens),
            "sentences": max(1, len(sentence_spans(text))),
            "syllables": sum(counts),
            "characters": sum(len(t) for t in tokens),
            "complex_words": sum(1 for c in counts if c >= 3),
            "polysyllabic_words": sum(1 for c in counts if c >= 3),
            "long_words": sum(1 for t in tokens if len(t) >= 7),
            "paragraphs": max(1, len([p for p in re.split(r"\n\s*\n", text) if p.strip()])),
        }
        try:
            value = evaluate_formula(rule.formula, variables)
        except (ValueError, ZeroDivisionError):
            return []
        if not compare(value, rule.condition):
            return []
        return [self._finding(rule, 0, len(text), _message(rule, f"{value:.2f}"), "", name)]

    def _finding(
        self, rule: ValeRule, start: int, end: int, message: str, suggestion: str, name: str
    ) -> Finding:
        return Finding(
            check=self.check,
            severity=_LEVELS.get(rule.level, "warning"),
            start=start,
            end=end,
            message=message,
            suggestion=suggestion,
            question=5,
            field=name,
        )


# No power operator: "9 ** 9 ** 9" in an imported formula would tie up a worker.
_OPERATORS: dict[type, Callable[..., float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


def evaluate_formula(formula: str, variables: dict[str, float]) -> float:
    """Evaluate a Vale metric formula (numbers, variables, + - * / and brackets) without eval()."""
    try:
        tree = ast.parse(formula.strip(), mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"not a formula: {formula!r}") from exc

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id in variables:
            return float(variables[node.id])
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](walk(node.operand))
        raise ValueError(f"unsupported part of formula {formula!r}: {ast.dump(node)[:40]}")

    return walk(tree)


def compare(value: float, condition: str) -> bool:
    """Vale's metric condition, e.g. "> 8" or "<= 12"."""
    match = re.fullmatch(r"\s*(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?)\s*", condition or "")
    if not match:
        return False
    op, number = match.group(1), float(match.group(2))
    return {
        ">": value > number,
        "<": value < number,
        ">=": value >= number,
        "<=": value <= number,
        "==": value == number,
        "!=": value != number,
    }[op]
