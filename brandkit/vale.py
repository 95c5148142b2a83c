"""Vale-compatible styles in and out of a brand layer (pure: bytes and plain values, no ORM).

A Vale style is a folder (here: a zip or a folder on disk) of YAML rules, one per file, plus
optional `accept.txt` / `reject.txt` vocabularies. We run four rule kinds (`existence`,
`substitution`, `occurrence`, `metric`) and the vocabularies; every other kind is listed back to the
user on import, never silently dropped. A malformed style is refused as a whole with the file and
line that failed. Export writes the brand's avoid list, jargon, agency phrases and decision terms as
rules, and gives back imported rules as they came in.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import regex
import yaml

from brandkit.governance.types import BrandRules, ValeRule
from brandkit.governance.vale_rules import evaluate_formula

SUPPORTED_KINDS = ("existence", "substitution", "occurrence", "metric")
KNOWN_KINDS = SUPPORTED_KINDS + (
    "capitalization",
    "conditional",
    "consistency",
    "repetition",
    "spelling",
    "readability",
    "sequence",
    "script",
)
MAX_STYLE_BYTES = 5 * 1024 * 1024  # uncompressed, whole style
MAX_STYLE_FILES = 1000
MAX_TOKENS_PER_RULE = 5000
_LEVELS = ("error", "warning", "suggestion")


class ValeStyleError(ValueError):
    """A style that cannot be imported: which file, which line (1-based, 0 when unknown), and why."""

    def __init__(self, file: str, line: int, problem: str) -> None:
        self.file, self.line, self.problem = file, line, problem
        where = f"{file}, line {line}" if line else file
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class UnsupportedRule:
    """A rule the checker does not run, listed back to the user."""

    file: str
    name: str
    kind: str


@dataclass(frozen=True)
class ImportedStyle:
    """The result of importing one Vale style."""

    name: str
    rules: tuple[ValeRule, ...]
    unsupported: tuple[UnsupportedRule, ...] = field(default_factory=tuple)


def read_style_zip(data: bytes) -> ImportedStyle:
    """Import a style from a zip archive (as uploaded)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ValeStyleError("(upload)", 0, "not a zip archive") from exc
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        if len(infos) > MAX_STYLE_FILES:
            raise ValeStyleError("(upload)", 0, f"more than {MAX_STYLE_FILES} files")
        if sum(info.file_size for info in infos) > MAX_STYLE_BYTES:
            raise ValeStyleError("(upload)", 0, f"larger than {MAX_STYLE_BYTES // (1024 * 1024)} MB unpacked")
        files = {}
        for info in infos:
            with archive.open(info) as handle:
                content = handle.read(MAX_STYLE_BYTES + 1)
            if len(content) > MAX_STYLE_BYTES:
                raise ValeStyleError(info.filename, 0, "file too large")
            files[info.filename] = content
    return read_style_files(files)


def read_style_folder(path: Path) -> ImportedStyle:
    """Import a style from a folder on disk (tests, management commands)."""
    files = {}
    for file in sorted(path.rglob("*")):
        if file.is_file():
            files[file.relative_to(path).as_posix()] = file.read_bytes()
    return read_style_files(files, default_name=path.name)


def read_style_files(files: dict[str, bytes], *, default_name: str = "") -> ImportedStyle:
    """Import a style from {relative path: content}; all or nothing."""
    rules: list[ValeRule] = []
    unsupported: list[UnsupportedRule] = []
    style_names: set[str] = set()
    for path_text in sorted(files):
        path = PurePosixPath(path_text)
        if path.name.startswith(".") or "__MACOSX" in path.parts:
            continue
        content = files[path_text]
        if path.name in ("accept.txt", "reject.txt"):
            rules.append(_vocabulary(path_text, content))
            continue
        if path.suffix.lower() not in (".yml", ".yaml"):
            continue
        if len(path.parts) > 1 and path.parts[0] not in ("config", "styles"):
            style_names.add(path.parts[0])
        rule = _rule(path_text, content)
        if isinstance(rule, UnsupportedRule):
            unsupported.append(rule)
        else:
            rules.append(rule)
    if not rules and not unsupported:
        raise ValeStyleError(
            "(upload)", 0, "no Vale rules (.yml) or vocabularies (accept.txt, reject.txt) found"
        )
    name = sorted(style_names)[0] if len(style_names) == 1 else default_name or "Imported"
    return ImportedStyle(name=name, rules=tuple(rules), unsupported=tuple(unsupported))


def _decode(file: str, content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise ValeStyleError(file, line, "not UTF-8 text") from exc


def _vocabulary(file: str, content: bytes) -> ValeRule:
    text = _decode(file, content)
    tokens = []
    for number, line in enumerate(text.splitlines(), start=1):
        token = line.strip()
        if not token or token.startswith("#"):
            continue
        _compile(file, number, token)
        tokens.append(token)
    kind = "vocab_accept" if file.endswith("accept.txt") else "vocab_reject"
    vocabulary = PurePosixPath(file).parent.name or "Vocab"
    return ValeRule(
        name=f"{vocabulary}.{'Accept' if kind == 'vocab_accept' else 'Reject'}",
        kind=kind,
        message="\u201c%s\u201d is on the rejected vocabulary." if kind == "vocab_reject" else "",
        level="error",
        tokens=tuple(tokens),
        ignorecase=True,
        raw=text,
    )


def _compile(file: str, line: int, pattern: str) -> None:
    try:
        regex.compile(pattern)
    except regex.error as exc:
        raise ValeStyleError(
            file, line, f"pattern {pattern!r} is not a valid regular expression ({exc})"
        ) from exc


def _lines(node: yaml.Node) -> dict[str, tuple[int, yaml.Node]]:
    """Top-level keys of a YAML mapping with the (1-based) line of each value."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {
        key.value: (value.start_mark.line + 1, value)
        for key, value in node.value
        if isinstance(key, yaml.ScalarNode)
    }


def _rule(file: str, content: bytes) -> ValeRule | UnsupportedRule:
    text = _decode(file, content)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise ValeStyleError(file, line, f"YAML error: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise ValeStyleError(file, 0, f"YAML error: {exc}") from exc
    if not isinstance(data, dict):
        raise ValeStyleError(file, 1, "a rule must be a YAML mapping (key: value lines)")
    lines = _lines(node)
    name = f"{PurePosixPath(file).parent.name}.{PurePosixPath(file).stem}".lstrip(".")
    kind = data.get("extends")
    if not isinstance(kind, str) or not kind:
        raise ValeStyleError(file, 1, "missing \u201cextends:\u201d (the rule kind)")
    if kind not in SUPPORTED_KINDS:
        if kind not in KNOWN_KINDS:
            raise ValeStyleError(file, lines.get("extends", (1, None))[0], f"unknown rule kind {kind!r}")
        return UnsupportedRule(file=file, name=name, kind=kind)

    def line_of(key: str) -> int:
        return lines.get(key, (1, None))[0]

    level = data.get("level", "warning")
    if level not in _LEVELS:
        raise ValeStyleError(file, line_of("level"), f"level must be one of {', '.join(_LEVELS)}")
    message = data.get("message", "")
    if not isinstance(message, str):
        raise ValeStyleError(file, line_of("message"), "message must be text")
    common = {
        "name": name,
        "kind": kind,
        "message": message,
        "level": level,
        "ignorecase": bool(data.get("ignorecase", False)),
        "nonword": bool(data.get("nonword", False)),
        "raw": text,
    }
    if kind == "existence":
        tokens = _token_list(file, data, "tokens", line_of, lines)
        return ValeRule(**common, tokens=tokens)
    if kind == "substitution":
        swap = data.get("swap")
        if not isinstance(swap, dict) or not swap:
            raise ValeStyleError(file, line_of("swap"), "swap must be a mapping of pattern: replacement")
        if len(swap) > MAX_TOKENS_PER_RULE:
            raise ValeStyleError(file, line_of("swap"), f"more than {MAX_TOKENS_PER_RULE} entries")
        pairs = []
        swap_node = lines.get("swap", (1, None))[1]
        key_lines = {}
        if isinstance(swap_node, yaml.MappingNode):
            key_lines = {str(k.value): k.start_mark.line + 1 for k, _v in swap_node.value}
        for key, value in swap.items():
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise ValeStyleError(
                    file, key_lines.get(str(key), line_of("swap")), f"replacement for {key!r} must be text"
                )
            _compile(file, key_lines.get(str(key), line_of("swap")), str(key))
            pairs.append((str(key), str(value)))
        return ValeRule(**common, swap=tuple(pairs))
    if kind == "occurrence":
        token = data.get("token")
        if not isinstance(token, str) or not token:
            raise ValeStyleError(file, line_of("token"), "occurrence needs a token pattern")
        _compile(file, line_of("token"), token)
        bounds = {}
        for key in ("max", "min"):
            if key in data:
                if not isinstance(data[key], int) or isinstance(data[key], bool):
                    raise ValeStyleError(file, line_of(key), f"{key} must be a whole number")
                bounds[key] = data[key]
        if not bounds:
            raise ValeStyleError(file, 1, "occurrence needs max or min")
        scope = data.get("scope", "text")
        scope = scope if isinstance(scope, str) else "text"
        return ValeRule(**common, tokens=(token,), scope=scope, **bounds)
    # metric
    formula, condition = data.get("formula"), data.get("condition")
    if not isinstance(formula, str) or not formula.strip():
        raise ValeStyleError(file, line_of("formula"), "metric needs a formula")
    if not isinstance(condition, str) or not re.fullmatch(
        r"\s*(>=|<=|==|!=|>|<)\s*-?\d+(\.\d+)?\s*", condition
    ):
        raise ValeStyleError(file, line_of("condition"), "condition must look like \u201c> 8\u201d")
    try:
        evaluate_formula(formula, dict.fromkeys(_METRIC_VARIABLES, 1.0))
    except (ValueError, ZeroDivisionError) as exc:
        raise ValeStyleError(file, line_of("formula"), str(exc)) from exc
    return ValeRule(**common, formula=formula, condition=condition)


_METRIC_VARIABLES = (
    "words",
    "sentences",
    "syllables",
    "characters",
    "complex_words",
    "polysyllabic_words",
    "long_words",
    "paragraphs",
)


def _token_list(file, data, key, line_of, lines) -> tuple[str, ...]:
    tokens = data.get(key)
    if not isinstance(tokens, list) or not tokens:
        raise ValeStyleError(file, line_of(key), f"{key} must be a list of patterns")
    if len(tokens) > MAX_TOKENS_PER_RULE:
        raise ValeStyleError(file, line_of(key), f"more than {MAX_TOKENS_PER_RULE} tokens")
    node = lines.get(key, (1, None))[1]
    item_lines = (
        [item.start_mark.line + 1 for item in node.value] if isinstance(node, yaml.SequenceNode) else []
    )
    result = []
    for position, token in enumerate(tokens):
        line = item_lines[position] if position < len(item_lines) else line_of(key)
        if not isinstance(token, str | int | float) or isinstance(token, bool):
            raise ValeStyleError(file, line, "each token must be text")
        _compile(file, line, str(token))
        result.append(str(token))
    return tuple(result)


# ---- export -------------------------------------------------------------------------------------


def style_name(client_name: str) -> str:
    """A Vale style folder name from a client name ("Brightsmile Dental" -> "BrightsmileDental")."""
    words = re.findall(r"[A-Za-z0-9]+", client_name)
    return "".join(w[:1].upper() + w[1:] for w in words) or "Brand"


def _literal(term: str) -> str:
    """A brand phrase as a Vale token: regex characters escaped, spaces matching any whitespace."""
    return r"\s+".join(re.escape(part) for part in term.split())


def _dump(rule: dict) -> str:
    return yaml.safe_dump(rule, sort_keys=False, allow_unicode=True, width=1000)


def export_style(rules: BrandRules) -> bytes:
    """The brand's rule part as a Vale style zip: `<Style>/*.yml` and its vocabularies."""
    name = style_name(rules.client_name)
    files: dict[str, str] = {}
    replace = [t for t in rules.avoid if t.replacement.strip()]
    remove = [t for t in rules.avoid if not t.replacement.strip()]
    if replace:
        files[f"{name}/AvoidReplace.yml"] = _dump(
            {
                "extends": "substitution",
                "message": "Use '%s' instead of '%s'.",
                "level": "error",
                "ignorecase": True,
                "swap": {_literal(t.phrase): t.replacement for t in replace},
            }
        )
    for file_name, terms, message, level in (
        ("Avoid", [t.phrase for t in remove], "Avoid '%s' (on the brand's avoid list).", "error"),
        ("Jargon", list(rules.jargon), "'%s' is jargon for this brand's readers.", "warning"),
        (
            "AgencyPhrases",
            list(rules.ai_tells_extra),
            "'%s' is on the agency's list of phrases to avoid.",
            "warning",
        ),
        (
            "Decisions",
            [c.term for c in rules.decision_constraints if c.must == "absent"],
            "'%s' goes against a recorded client decision.",
            "error",
        ),
    ):
        if terms:
            files[f"{name}/{file_name}.yml"] = _dump(
                {
                    "extends": "existence",
                    "message": message,
                    "level": level,
                    "ignorecase": True,
                    "tokens": [_literal(t) for t in terms],
                }
            )
    for rule in rules.vale_rules:
        if rule.kind in ("vocab_accept", "vocab_reject"):
            vocabulary = rule.name.split(".")[0] or name
            filename = "accept.txt" if rule.kind == "vocab_accept" else "reject.txt"
            files[f"config/vocabularies/{vocabulary}/{filename}"] = "\n".join(rule.tokens) + "\n"
        else:
            files[_export_path(name, rule)] = rule.raw or _dump(_rule_dict(rule))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            archive.writestr(path, files[path])
    return buffer.getvalue()


def _export_path(brand_style: str, rule: ValeRule) -> str:
    style, _, stem = rule.name.rpartition(".")
    return f"{style or brand_style}/{stem or 'Rule'}.yml"


def _rule_dict(rule: ValeRule) -> dict:
    data: dict = {
        "extends": rule.kind,
        "message": rule.message,
        "level": rule.level,
        "ignorecase": rule.ignorecase,
    }
    if rule.nonword:
        data["nonword"] = True
    if rule.kind == "existence":
        data["tokens"] = list(rule.tokens)
    elif rule.kind == "substitution":
        data["swap"] = dict(rule.swap)
    elif rule.kind == "occurrence":
        data["token"] = rule.tokens[0] if rule.tokens else ""
        data["scope"] = rule.scope
        for key in ("max", "min"):
            if getattr(rule, key) is not None:
                data[key] = getattr(rule, key)
    elif rule.kind == "metric":
        data.update(formula=rule.formula, condition=rule.condition)
    return data


def rules_summary(rules: Iterable[ValeRule]) -> dict[str, int]:
    """How many rules of each kind, for the import screen."""
    counts: dict[str, int] = {}
    for rule in rules:
        counts[rule.kind] = counts.get(rule.kind, 0) + 1
    return counts
