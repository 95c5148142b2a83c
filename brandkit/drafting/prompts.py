"""The prompt of a drafting job, and the shape of the answer: plain values in and out, no ORM.

``assemble_messages`` is the only place a prompt is built. It reads the job's inputs (what the person
asked for, with the source texts copied at request time) and ONE client's brand-layer document, and
nothing else, so no other client's name, claims or examples can reach a model.
``parse_answer`` turns the model's text back into drafts or expanded-brief sections.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

KINDS = ("brief_expansion", "first_draft", "repurpose", "variants", "pre_edit", "report_prose")
DRAFT_FIELDS = ("title", "headline", "subject", "preheader", "body")
# The expanded brief's sections, in order (issue 13, job 1).
BRIEF_SECTIONS: tuple[tuple[str, str], ...] = (
    ("outlines", "Working outlines"),
    ("angles", "Content angles"),
    ("themes", "Email themes or page-section recommendations"),
    ("key_messages", "Key messages per channel"),
    ("proof", "Proof to use"),
    ("open_questions", "Open questions for the client"),
)
VARIANT_OF = {
    "headline": "headlines",
    "cta": "calls to action",
    "hook": "opening hooks",
    "subject_line": "email subject lines",
    "ad_angle": "ad angles",
}
# Characters per token for the estimate before a call: no tokenizer that downloads encoding files.
CHARS_PER_TOKEN = 4
MAX_DRAFTS = 12
MAX_EXAMPLES = 3
_FIELD_CAPS = {"title": 200, "headline": 300, "subject": 300, "preheader": 300, "body": 100_000}


def valid_claims(layer: Mapping[str, Any], *, channel: str, today: date) -> list[dict[str, Any]]:
    """The approved claims usable today on this channel (not expired, channel allowed)."""
    usable = []
    for claim in layer.get("claims") or []:
        expires = claim.get("expires_on")
        if expires and date.fromisoformat(expires) < today:
            continue
        if claim.get("channels") and channel and channel not in claim["channels"]:
            continue
        usable.append(claim)
    return usable


def chosen_examples(layer: Mapping[str, Any], picks: Sequence[int] | None) -> list[dict[str, Any]]:
    """The example assets the person chose (by position), or the first few."""
    examples = list(layer.get("examples") or [])
    if picks:
        return [examples[i] for i in picks if isinstance(i, int) and 0 <= i < len(examples)][:MAX_EXAMPLES]
    return examples[:MAX_EXAMPLES]


def ctas_for(layer: Mapping[str, Any], goal: str) -> list[str]:
    ctas = layer.get("ctas") or {}
    if goal and ctas.get(goal):
        return list(ctas[goal])
    return [cta for phrases in ctas.values() for cta in phrases]


def _lines(title: str, items: Sequence[str]) -> str:
    items = [i for i in items if i]
    if not items:
        return ""
    return f"{title}:\n" + "\n".join(f"- {item}" for item in items)


def brand_block(layer: Mapping[str, Any], *, client_name: str, inputs: Mapping[str, Any], today: date) -> str:
    """The brand layer as the model reads it: voice, pillars, proof, words to avoid, CTAs, examples."""
    channel, goal = inputs.get("channel", ""), inputs.get("goal", "")
    seo = layer.get("seo") or {}
    voice = [
        f"{'Do' if v['do'] else 'Do not'}: {v['rule']}"
        + (f" (sounds right: “{v['good_example']}”)" if v.get("good_example") else "")
        + (f" (sounds wrong: “{v['bad_example']}”)" if v.get("bad_example") else "")
        for v in layer.get("voice") or []
    ]
    speaks = (
        "Address the reader as “you”; avoid “we” and “our”."
        if layer.get("speaks_as") == "you"
        else "Speak as “we” on behalf of the brand."
    )
    pillars = [
        f"{p['name']}: {p.get('promise', '')} Key phrases: {', '.join(p.get('phrases') or [])}"
        for p in layer.get("pillars") or []
    ]
    claims = [
        c["text"] + (f" (proof: {c['proof']})" if c.get("proof") else "")
        for c in valid_claims(layer, channel=channel, today=today)
    ]
    avoid = [
        f"“{a['phrase']}”" + (f" — say “{a['replacement']}” instead" if a.get("replacement") else "")
        for a in layer.get("avoid") or []
    ]
    icps = [
        f"{i['role']}"
        + (f"; pains: {i['pains']}" if i.get("pains") else "")
        + (f"; goals: {i['goals']}" if i.get("goals") else "")
        for i in layer.get("icps") or []
    ]
    examples = [
        f"{e.get('title') or 'Example'}: {e['text']}" for e in chosen_examples(layer, inputs.get("examples"))
    ]
    preferences = []
    if seo.get("spelling"):
        preferences.append(f"{seo['spelling']} spelling")
    if seo.get("reading_grade_target"):
        preferences.append(f"reading grade about {seo['reading_grade_target']}")
    if seo.get("oxford_comma") is not None:
        preferences.append("Oxford comma" if seo["oxford_comma"] else "no Oxford comma")
    if seo.get("headline_case"):
        preferences.append(f"{seo['headline_case']} case headlines")
    if seo.get("keywords"):
        preferences.append("keywords: " + ", ".join(seo["keywords"]))
    parts = [
        f"Brand: {client_name}",
        f"Positioning: {layer['positioning']}" if layer.get("positioning") else "",
        f"Tagline: {layer['tagline']}" if layer.get("tagline") else "",
        _lines("Product names", layer.get("product_names") or []),
        speaks,
        _lines("Voice rules", voice),
        _lines("Ideal customers", icps),
        _lines("Messaging pillars", pillars),
        _lines("Approved claims (the only figures, superlatives and promises allowed)", claims),
        _lines("Never use", avoid + [f"“{j}”" for j in layer.get("jargon") or []]),
        _lines("Never mention these competitors", layer.get("competitors") or []),
        _lines("Calls to action for this goal", ctas_for(layer, goal)),
        _lines("Must include", inputs.get("must_include") or []),
        _lines("Must not use", inputs.get("must_avoid") or []),
        _lines("Preferences", preferences),
        _lines("Examples of the brand's own writing", examples),
    ]
    return "\n\n".join(p for p in parts if p)


def _brief_block(brief: Mapping[str, Any]) -> str:
    labels = (
        ("project", "Project"),
        ("campaign_name", "Campaign name"),
        ("objective", "Objective"),
        ("deliverables", "Deliverables"),
        ("channels", "Channel or placement"),
        ("campaign_goal", "Campaign goal"),
        ("due_date", "Due date"),
        ("review_milestones", "Review milestones"),
        ("known_constraints", "Known constraints"),
        ("inputs", "Required inputs"),
    )
    return "\n".join(f"{label}: {brief[key]}" for key, label in labels if brief.get(key))


def _source_block(source: Mapping[str, Any]) -> str:
    parts = [f"Title: {source.get('title', '')}", f"Channel: {source.get('channel', '')}"]
    for field in ("headline", "subject", "preheader"):
        if source.get(field):
            parts.append(f"{field.capitalize()}: {source[field]}")
    parts.append(f"Text:\n{source.get('body', '')}")
    return "\n".join(parts)


def _answer_format(kind: str, count: int) -> str:
    if kind == "brief_expansion":
        keys = ", ".join(f"“{key}” ({label.lower()})" for key, label in BRIEF_SECTIONS)
        return (
            'Answer with one JSON object only: {"sections": {...}} with the keys '
            f"{keys}; each value is plain text, one point per line."
        )
    return (
        'Answer with one JSON object only: {"drafts": [{"title": ..., "headline": ..., "subject": ..., '
        f'"preheader": ..., "body": ...}}]}} with exactly {count} draft(s); leave a field empty when the '
        "channel has no use for it."
    )


def task_text(kind: str, inputs: Mapping[str, Any]) -> str:
    """What this job asks for, in words."""
    channel = inputs.get("channel_label") or inputs.get("channel", "")
    count = int(inputs.get("count") or 1)
    goal = inputs.get("goal", "")
    lines: list[str] = []
    if kind == "brief_expansion":
        lines.append(
            "Expand this project brief into working outlines, content angles, email themes or page-section "
            "recommendations, key messages per channel, the proof to use (approved claims only) and open "
            "questions for the client."
        )
    elif kind == "first_draft":
        if count > 1:
            lines.append(
                f"Write a sequence of {count} linked {channel} pieces, sent "
                f"{inputs.get('spacing_days', 3)} day(s) apart, each building on the one before."
            )
        else:
            lines.append(f"Write a first draft of a {channel} piece titled “{inputs.get('title', '')}”.")
    elif kind == "repurpose":
        lines.append(
            f"Repurpose the source piece below into {count} {channel} piece(s), keeping its substance."
        )
    elif kind == "variants":
        what = VARIANT_OF.get(inputs.get("variant_of", ""), "headlines")
        limit = inputs.get("limit")
        lines.append(
            f"Write {count} different {what} for {channel} testing"
            + (f", each at most {limit} characters" if limit else "")
            + "; put each in the draft's body."
        )
    elif kind == "pre_edit":
        lines.append(
            "Revise the draft below so it fixes every finding listed, changing as little else as possible."
        )
    if goal:
        lines.append(f"Campaign goal: {goal.replace('_', ' ')}.")
    if inputs.get("instructions"):
        lines.append(f"Notes from the team: {inputs['instructions']}")
    if inputs.get("brief"):
        lines.append("Brief:\n" + _brief_block(inputs["brief"]))
    if inputs.get("source"):
        lines.append("Source piece:\n" + _source_block(inputs["source"]))
    if inputs.get("findings"):
        lines.append(
            _lines(
                "Findings to fix",
                [
                    f"{f.get('excerpt', '')!r}: {f.get('message', '')}"
                    + (f" Suggestion: {f['suggestion']}" if f.get("suggestion") else "")
                    for f in inputs["findings"]
                ],
            )
        )
    lines.append(_answer_format(kind, 1 if kind in ("brief_expansion", "pre_edit") else count))
    return "\n\n".join(lines)


def assemble_messages(
    *, kind: str, inputs: Mapping[str, Any], layer: Mapping[str, Any], today: date
) -> list[dict[str, str]]:
    """The chat messages of a job: the client's brand layer as the system message, the task as the user's.

    Reads only ``inputs`` and this client's ``layer``; the client's name comes from the inputs."""
    client_name = inputs.get("client_name", "")
    system = (
        f"You are a copywriter at a creative agency, writing for {client_name} in {client_name}'s voice. "
        "Use only the brand information below; never invent figures, rankings or guarantees beyond the "
        "approved claims, and never mention any other company's products or customers.\n\n"
        + brand_block(layer, client_name=client_name, inputs=inputs, today=today)
    )
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": task_text(kind, inputs)},
    ]


def report_prose_messages(inputs: Mapping[str, Any]) -> list[dict[str, str]]:
    """A report section's prose: the computed facts are the whole prompt (no brand layer, no other data), and
    the answer may use no number that is not in them."""
    client_name = inputs.get("client_name", "")
    system = (
        f"You write the “what changed, why it likely happened, what we recommend next” section of {client_name}'s "
        "performance report for the agency's client. Use only the facts you are given: do not add any number, "
        "percentage, date or amount that is not in them, and write every number exactly as it appears there. "
        "Cite each cause with its date. Keep the three headings “What changed”, “Why it likely happened” and "
        "“What we recommend next”, each followed by short lines starting with “- ”. "
        'Answer with one JSON object only: {"text": "..."}.'
    )
    user = (
        "The facts (JSON):\n"
        + json.dumps(inputs.get("facts", {}), ensure_ascii=False, sort_keys=True)
        + "\n\nThe same facts as plain sentences:\n"
        + str(inputs.get("writer_text", ""))
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def estimate_tokens(messages: Sequence[Mapping[str, str]], *, max_output_tokens: int) -> int:
    """Tokens a call may use, before it is made: the prompt's characters / 4 plus the answer's cap."""
    chars = sum(len(m.get("content", "")) for m in messages)
    return math.ceil(chars / CHARS_PER_TOKEN) + max_output_tokens


_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$")


def _json_object(text: str) -> Any:
    stripped = _FENCE.sub("", text.strip())
    try:
        return json.loads(stripped)
    except ValueError:
        start, end = stripped.find("{"), stripped.rfind("}")
        if 0 <= start < end:
            try:
                return json.loads(stripped[start : end + 1])
            except ValueError:
                return None
        return None


def _text(value: Any, cap: int) -> str:
    if isinstance(value, list):
        value = "\n".join(str(v) for v in value)
    if not isinstance(value, str):
        value = "" if value is None else str(value)
    return value.strip()[:cap]


def parse_answer(kind: str, text: str, *, count: int = 1) -> dict[str, Any]:
    """The model's text as {"drafts": [...]} or {"sections": {...}}; text that is not the asked JSON is
    kept whole as one draft's body (or the outlines section), never thrown away."""
    data = _json_object(text)
    if kind == "report_prose":
        prose = data.get("text") if isinstance(data, dict) else None
        return {"text": _text(prose if prose is not None else text, 20_000)}
    if kind == "brief_expansion":
        sections = data.get("sections") if isinstance(data, dict) else None
        if not isinstance(sections, dict):
            sections = {"outlines": text}
        return {
            "sections": {
                key: _text(sections.get(key), 20_000) for key, _ in BRIEF_SECTIONS if sections.get(key)
            }
        }
    drafts = data.get("drafts") if isinstance(data, dict) else None
    if not isinstance(drafts, list):
        drafts = [{"body": text}]
    wanted = 1 if kind == "pre_edit" else max(1, min(count, MAX_DRAFTS))
    cleaned = []
    for draft in drafts[:wanted]:
        if not isinstance(draft, dict):
            draft = {"body": draft}
        cleaned.append({field: _text(draft.get(field), _FIELD_CAPS[field]) for field in DRAFT_FIELDS})
    return {"drafts": cleaned}
