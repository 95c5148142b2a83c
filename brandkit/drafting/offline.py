"""The offline drafter: drafts assembled from the brief and ONE client's brand layer with deterministic
templates, for when no model provider is configured (every fresh ``make run``). No ORM, no network.

It answers in the same shape as ``prompts.parse_answer`` so a job runs the same way offline and online.
Before answering it checks its own drafts against the client's rules and drops any sentence the checks
call an error, so an offline draft never carries an error finding of its own making.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from brandkit.drafting.prompts import BRIEF_SECTIONS, chosen_examples, ctas_for, valid_claims
from brandkit.governance import BrandRules, ContentInput, check_content
from brandkit.governance.channel import EMAIL_SUBJECT_LIMIT, LIMITS, SMS_GSM_LIMIT

SHORT_LIMITS = {**LIMITS, "sms": SMS_GSM_LIMIT}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?" else text + "."


def _fit(text: str, limit: int) -> str:
    """The text cut at a word boundary to fit the limit, without a dangling comma."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:—-")


def _first_sentence(text: str) -> str:
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0] if text.strip() else ""


class _Brand:
    """The parts of one brand layer the templates draw from."""

    def __init__(self, layer: Mapping[str, Any], inputs: Mapping[str, Any], today: date) -> None:
        self.name = inputs.get("client_name", "")
        channel = inputs.get("channel", "")
        self.pillars = [p for p in layer.get("pillars") or []]
        self.phrases = [phrase for p in self.pillars for phrase in p.get("phrases") or []]
        self.claims = [c["text"] for c in valid_claims(layer, channel=channel, today=today)]
        self.ctas = ctas_for(layer, inputs.get("goal", ""))
        self.examples = [_first_sentence(e["text"]) for e in chosen_examples(layer, inputs.get("examples"))]
        self.positioning = layer.get("positioning", "")
        self.tagline = layer.get("tagline", "")
        self.must_include = list(inputs.get("must_include") or [])

    def pillar_line(self, i: int) -> str:
        if not self.pillars:
            return ""
        pillar = self.pillars[i % len(self.pillars)]
        phrase = (pillar.get("phrases") or [pillar["name"]])[0]
        promise = pillar.get("promise", "")
        return _sentence(f"{_cap(phrase)}: {promise}" if promise else _cap(phrase))

    def cta(self, i: int = 0) -> str:
        return _sentence(self.ctas[i % len(self.ctas)]) if self.ctas else ""

    def short_candidates(self) -> list[str]:
        found = [
            *self.ctas,
            *(_cap(p) for p in self.phrases),
            self.tagline,
            *(p["name"] for p in self.pillars),
        ]
        found += [*self.claims, *self.examples]
        return [c for c in dict.fromkeys(c.strip() for c in found) if c]


def _long_body(
    brand: _Brand, *, opener: str = "", source_lines: Sequence[str] = (), offset: int = 0
) -> list[str]:
    lines = [opener, brand.positioning]
    lines += list(source_lines)
    lines += [brand.pillar_line(offset + i) for i in range(min(2, len(brand.pillars)))]
    lines += [_sentence(c) for c in brand.claims[:2]]
    lines += [brand.examples[offset % len(brand.examples)]] if brand.examples else []
    lines += [_sentence(term) for term in brand.must_include]
    lines.append(brand.cta(offset))
    return [line for line in dict.fromkeys(line.strip() for line in lines) if line]


def _short_body(brand: _Brand, limit: int, i: int = 0, lead: str = "") -> str:
    candidates = brand.short_candidates()
    parts = [lead] if lead else []
    if candidates:
        parts.append(candidates[i % len(candidates)])
    parts.append(brand.cta(i))
    text = ""
    for part in (p for p in parts if p):
        joined = f"{text} {_sentence(part)}".strip()
        if len(joined) <= limit:
            text = joined
    return text or _fit(candidates[i % len(candidates)] if candidates else brand.name, limit)


def _checked(
    rules: BrandRules | None, draft: dict[str, str], channel: str, goal: str, today: date
) -> dict[str, str]:
    """Drop each body line (and clear each short field) that the checks call an error."""
    if rules is None:
        return draft
    lines = [line for line in draft["body"].split("\n\n") if line]
    for _ in range(len(lines) + 4):
        body = "\n\n".join(lines)
        findings = check_content(
            ContentInput(
                channel=channel,
                goal=goal,
                body=body,
                headline=draft["headline"],
                subject=draft["subject"],
                preheader=draft["preheader"],
            ),
            rules,
            today=today,
        )
        errors = [f for f in findings if f.severity == "error"]
        if not errors:
            break
        changed = False
        for finding in errors:
            if finding.field != "body":
                if finding.field == "subject":
                    draft["subject"] = _fit(draft["title"], EMAIL_SUBJECT_LIMIT) or "News"
                    if finding.start == 0 and finding.end == 0:
                        continue  # a missing subject: the title is the subject now
                else:
                    draft[finding.field] = ""
                changed = True
                continue
            if finding.start == 0 and finding.end == len(body) and len(lines) > 1:
                continue  # about the whole piece (a missing term), not one line
            position = 0
            for index, line in enumerate(lines):
                if position <= finding.start < position + len(line) + 2:
                    if len(lines) > 1:
                        del lines[index]
                        changed = True
                    break
                position += len(line) + 2
            if changed:
                break
        if not changed:
            break
    draft["body"] = "\n\n".join(lines)
    return draft


def _draft(
    title: str, body: str, *, headline: str = "", subject: str = "", preheader: str = ""
) -> dict[str, str]:
    return {
        "title": title[:200],
        "headline": headline,
        "subject": subject,
        "preheader": preheader,
        "body": body,
    }


def _for_channel(
    brand: _Brand, channel: str, *, title: str, i: int, source_lines: Sequence[str] = ()
) -> dict[str, str]:
    if channel in SHORT_LIMITS:
        lead = source_lines[0] if source_lines and len(source_lines[0]) < SHORT_LIMITS[channel] // 2 else ""
        return _draft(title, _short_body(brand, SHORT_LIMITS[channel], i, lead))
    body_lines = _long_body(brand, opener="", source_lines=source_lines, offset=i)
    if channel in ("linkedin", "instagram"):
        body_lines = body_lines[:5] + [brand.cta(i)]
    draft = _draft(title, "\n\n".join(dict.fromkeys(line for line in body_lines if line)))
    if channel == "email":
        draft["subject"] = _fit(title, EMAIL_SUBJECT_LIMIT)
        draft["preheader"] = _fit(brand.pillar_line(i) or brand.tagline, 100)
    if channel in ("landing_page", "blog", "press_release"):
        draft["headline"] = _fit(brand.tagline or title, 100)
    return draft


def _source_lines(source: Mapping[str, Any]) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(source.get("body", "")) if s.strip()]


def _apply_findings(source: Mapping[str, Any], findings: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    texts = {field: source.get(field, "") for field in ("headline", "subject", "preheader", "body")}
    for finding in findings:
        field, excerpt = finding.get("field", "body"), finding.get("excerpt", "")
        if not excerpt or field not in texts or excerpt not in texts[field]:
            continue
        if finding.get("suggestion"):
            texts[field] = texts[field].replace(excerpt, finding["suggestion"], 1)
    return texts


def _brief_sections(brand: _Brand, brief: Mapping[str, Any]) -> dict[str, str]:
    deliverables = [d for d in str(brief.get("deliverables", "")).splitlines() if d.strip()] or [
        "The main piece"
    ]
    channels = [c.strip() for c in str(brief.get("channels", "")).split(",") if c.strip()] or [
        "Every channel"
    ]
    pillar_names = [p["name"] for p in brand.pillars] or ["The core promise"]
    cta = brand.ctas[0] if brand.ctas else "the next step"
    proof = brand.claims[0] if brand.claims else "an approved claim"
    outlines = [
        f"{d.strip()}: open with {pillar_names[i % len(pillar_names)].lower()}, prove it with “{proof}”, close with “{cta}”."
        for i, d in enumerate(deliverables)
    ]
    angles = [brand.pillar_line(i) for i in range(len(brand.pillars))] or [_sentence(brand.positioning)]
    themes = [f"Email {i + 1}: {name}" for i, name in enumerate(pillar_names)]
    messages = [
        f"{channel}: {brand.pillar_line(i) or _sentence(brand.positioning)}"
        for i, channel in enumerate(channels)
    ]
    proof_lines = brand.claims or [
        "No approved claims yet: ask the client for proof before using any figure."
    ]
    questions = [
        f"Can you confirm the {label.lower()}?"
        for key, label in (
            ("objective", "Objective"),
            ("deliverables", "Deliverables"),
            ("due_date", "Due date"),
            ("known_constraints", "Known constraints"),
        )
        if not brief.get(key)
    ]
    questions += ["Which approved claim should lead?", "Are there dates or offers this campaign must avoid?"]
    values = {
        "outlines": outlines,
        "angles": angles,
        "themes": themes,
        "key_messages": messages,
        "proof": proof_lines,
        "open_questions": questions,
    }
    return {key: "\n".join(v for v in values[key] if v) for key, _ in BRIEF_SECTIONS}


def offline_answer(
    *,
    kind: str,
    inputs: Mapping[str, Any],
    layer: Mapping[str, Any],
    today: date,
    rules: BrandRules | None = None,
) -> dict[str, Any]:
    """Drafts (or expanded-brief sections) for a job, from the inputs and this client's layer only.

    ``rules`` are the same client's rules; when given, lines the checks call an error are dropped."""
    brand = _Brand(layer, inputs, today)
    channel, goal = inputs.get("channel", ""), inputs.get("goal", "")
    count = max(1, min(int(inputs.get("count") or 1), 12))
    title = inputs.get("title") or inputs.get("brief", {}).get("campaign_name") or f"{brand.name} draft"
    if kind == "brief_expansion":
        return {"sections": _brief_sections(brand, inputs.get("brief") or {})}
    drafts: list[dict[str, str]] = []
    source = inputs.get("source") or {}
    if kind == "first_draft":
        spacing = int(inputs.get("spacing_days") or 3)
        for i in range(count):
            name = title if count == 1 else f"{title} — email {i + 1} of {count} (day {i * spacing})"
            drafts.append(_for_channel(brand, channel, title=name, i=i))
    elif kind == "repurpose":
        lines = _source_lines(source)
        for i in range(count):
            picked = lines[i % len(lines) : i % len(lines) + 2] if lines else []
            drafts.append(
                _for_channel(
                    brand,
                    channel,
                    title=f"{source.get('title', title)} — {channel} {i + 1}",
                    i=i,
                    source_lines=picked,
                )
            )
    elif kind == "variants":
        limit = int(inputs.get("limit") or SHORT_LIMITS.get(channel, 120))
        candidates = brand.short_candidates() + [
            f"{_cap(p)}. {brand.cta(j)}" for j, p in enumerate(brand.phrases)
        ]
        fitted = [c for c in dict.fromkeys(_fit(c, limit) for c in candidates) if c] or [
            _fit(brand.name, limit)
        ]
        for i in range(count):
            drafts.append(_draft(f"{source.get('title', title)} — variant {i + 1}", fitted[i % len(fitted)]))
    elif kind == "pre_edit":
        texts = _apply_findings(source, inputs.get("findings") or [])
        drafts.append(
            _draft(
                source.get("title", title),
                texts["body"],
                headline=texts["headline"],
                subject=texts["subject"],
                preheader=texts["preheader"],
            )
        )
    return {"drafts": [_checked(rules, d, channel, goal, today) for d in drafts]}
