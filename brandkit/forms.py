"""Forms of the brandkit pages. The brand layer form is one page a person gets through in twenty minutes:
lists are one entry per line, and repeatable rows are one row per line with their parts split by " | "
(so a spreadsheet or an old brand guide pastes straight in). Validation is the layer's own
(``brandkit.layer``); its field paths are turned back into the form field and row they came from."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from brandkit.governance.types import CHANNELS
from brandkit.layer import empty_layer
from brandkit.models import ConstraintMust, ContentState
from projects.models import CampaignGoal

SEP = " | "
ROW_FIELDS: dict[str, tuple[str, ...]] = {
    "voice": ("do", "rule", "good_example", "bad_example"),
    "pillars": ("name", "promise", "phrases"),
    "icps": ("role", "pains", "goals", "objections", "words"),
    "claims": ("text", "proof", "expires_on", "channels"),
    "avoid": ("phrase", "reason", "replacement", "kind"),
    "offers": ("name", "terms", "starts_on", "ends_on"),
}
LIST_PARTS = {"phrases", "words", "channels"}
LINE_LISTS = ("jargon", "competitors", "product_names", "ai_tells")
ROW_HELP = {
    "voice": "One rule per line: do or don't | the rule | a sentence that sounds right | one that does not.",
    "pillars": "One pillar per line: name | one-line promise | key phrases, separated by commas.",
    "icps": "One profile per line: role | pains | goals | objections | words they use, separated by commas.",
    "claims": "One claim per line: claim | proof (source or link) | expires YYYY-MM-DD (or empty) | "
    "channels it may be used on, separated by commas (empty: every channel).",
    "avoid": "One per line: phrase | reason | suggested replacement | phrase, angle or offer.",
    "offers": "One offer per line: name | terms | starts YYYY-MM-DD | ends YYYY-MM-DD.",
}
TRI_STATE = [("", "No preference"), ("yes", "Yes"), ("no", "No")]


def _row_text(section: str, row: dict[str, Any]) -> str:
    parts = []
    for name in ROW_FIELDS[section]:
        value = row.get(name)
        if name == "do":
            value = "do" if value else "don't"
        elif name in LIST_PARTS:
            value = ", ".join(value or [])
        parts.append(value or "")
    return SEP.join(parts).rstrip(" |")


def _row_parse(section: str, line: str) -> dict[str, Any]:
    names = ROW_FIELDS[section]
    parts = [p.strip() for p in line.split("|")]
    if len(parts) > len(names):  # a "|" inside the last part belongs to it
        parts = parts[: len(names) - 1] + [" | ".join(parts[len(names) - 1 :])]
    parts += [""] * (len(names) - len(parts))
    row: dict[str, Any] = {}
    for name, value in zip(names, parts, strict=False):
        if name == "do":
            row[name] = value.lower().replace("’", "'") not in ("don't", "dont", "do not", "no")
        elif name in LIST_PARTS:
            row[name] = [v.strip() for v in value.split(",") if v.strip()]
        elif name in ("expires_on", "starts_on", "ends_on"):
            row[name] = value or None
        elif name == "kind":
            row[name] = value.lower() or "phrase"
        else:
            row[name] = value
    return row


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class BrandLayerForm(forms.Form):
    """The whole brand layer on one page. ``document()`` gives the JSON document to save."""

    tagline = forms.CharField(required=False, max_length=300)
    positioning = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    competitors = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="One per line."
    )
    product_names = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="One per line."
    )
    speaks_as = forms.ChoiceField(
        choices=[("we", "As “we” (the company speaks)"), ("you", "To “you” (avoid we / our)")], initial="we"
    )
    voice = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text=ROW_HELP["voice"]
    )
    jargon = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Words this brand's readers do not use; one per line.",
    )
    pillars = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text=ROW_HELP["pillars"]
    )
    pillar_channels = forms.MultipleChoiceField(
        required=False,
        choices=CHANNELS,
        widget=forms.CheckboxSelectMultiple,
        label="Channels that must carry a pillar",
    )
    pillar_density_words = forms.IntegerField(
        min_value=10, max_value=1000, initial=60, label="At most one pillar phrase per … words"
    )
    icps = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=ROW_HELP["icps"],
        label="Ideal customer profiles",
    )
    claims = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=ROW_HELP["claims"],
        label="Approved claims",
    )
    keywords = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="Target keywords, one per line."
    )
    reading_grade_target = forms.IntegerField(
        required=False, min_value=1, max_value=20, label="Reading grade target"
    )
    spelling = forms.ChoiceField(choices=[("", "No preference"), ("US", "US"), ("UK", "UK")], required=False)
    oxford_comma = forms.ChoiceField(choices=TRI_STATE, required=False, label="Oxford comma")
    headline_case = forms.ChoiceField(
        choices=[("", "No preference"), ("title", "Title Case"), ("sentence", "Sentence case")],
        required=False,
    )
    examples = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Example assets that sound right",
        help_text="Paste examples; separate them with a line holding only ---. The first line is the title.",
    )
    avoid = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=ROW_HELP["avoid"],
        label="Avoid list",
    )
    offers = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text=ROW_HELP["offers"]
    )
    ai_tells = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="AI-style phrases to flag",
        help_text="Added to the built-in list; one per line.",
    )
    note = forms.CharField(required=False, max_length=300, label="What changed (optional)")

    def __init__(self, *args: Any, layer: dict[str, Any] | None = None, **kwargs: Any) -> None:
        self.layer = layer or empty_layer()
        super().__init__(*args, **kwargs)
        for value, label in CampaignGoal.choices:
            self.fields[f"cta_{value}"] = forms.CharField(
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                label=f"CTAs for {label.lower()}",
                help_text="One call to action per line.",
            )
        if not self.is_bound:
            self.initial = self.initial_from(self.layer)

    @property
    def cta_fields(self) -> list[forms.BoundField]:
        return [self[f"cta_{value}"] for value in CampaignGoal.values]

    @staticmethod
    def initial_from(layer: dict[str, Any]) -> dict[str, Any]:
        seo = layer.get("seo") or {}
        oxford = seo.get("oxford_comma")
        initial: dict[str, Any] = {
            "tagline": layer.get("tagline", ""),
            "positioning": layer.get("positioning", ""),
            "speaks_as": layer.get("speaks_as", "we"),
            "pillar_channels": layer.get("pillar_channels", []),
            "pillar_density_words": layer.get("pillar_density_words", 60),
            "keywords": "\n".join(seo.get("keywords", [])),
            "reading_grade_target": seo.get("reading_grade_target"),
            "spelling": seo.get("spelling", ""),
            "oxford_comma": "" if oxford is None else ("yes" if oxford else "no"),
            "headline_case": seo.get("headline_case", ""),
            "examples": "\n---\n".join(f"{e['title']}\n{e['text']}" for e in layer.get("examples", [])),
        }
        for name in LINE_LISTS:
            initial[name] = "\n".join(layer.get(name, []))
        for section in ROW_FIELDS:
            initial[section] = "\n".join(_row_text(section, row) for row in layer.get(section, []))
        for goal, ctas in (layer.get("ctas") or {}).items():
            initial[f"cta_{goal}"] = "\n".join(ctas)
        return initial

    def document(self) -> dict[str, Any]:
        """The brand layer document from the cleaned form; imported Vale styles are kept as they were."""
        data = self.cleaned_data
        oxford = {"yes": True, "no": False}.get(data.get("oxford_comma") or "")
        examples = []
        for block in re.split(r"^\s*---\s*$", data.get("examples") or "", flags=re.M):
            lines = block.strip().splitlines()
            if lines:
                title, text = (
                    (lines[0].strip(), "\n".join(lines[1:]).strip()) if len(lines) > 1 else ("", lines[0])
                )
                examples.append({"title": title, "text": text})
        document: dict[str, Any] = {
            "tagline": data.get("tagline", ""),
            "positioning": data.get("positioning", ""),
            "speaks_as": data.get("speaks_as") or "we",
            "pillar_channels": list(data.get("pillar_channels") or []),
            "pillar_density_words": data.get("pillar_density_words") or 60,
            "seo": {
                "keywords": _lines(data.get("keywords") or ""),
                "reading_grade_target": data.get("reading_grade_target"),
                "spelling": data.get("spelling") or "",
                "oxford_comma": oxford,
                "headline_case": data.get("headline_case") or "",
            },
            "examples": examples,
            "ctas": {
                goal: _lines(data.get(f"cta_{goal}") or "")
                for goal in CampaignGoal.values
                if _lines(data.get(f"cta_{goal}") or "")
            },
            "vale": self.layer.get("vale", []),
        }
        for name in LINE_LISTS:
            document[name] = _lines(data.get(name) or "")
        for section in ROW_FIELDS:
            document[section] = [_row_parse(section, line) for line in _lines(data.get(section) or "")]
        return document

    def add_layer_errors(self, errors: dict[str, list[str]]) -> None:
        """Show the layer's validation messages at the form field (and row) they came from."""
        for path, messages in errors.items():
            match = re.match(r"(?P<section>\w+)(?:\[(?P<row>\d+)\])?(?:\.(?P<rest>[\w.\[\]]+))?", path)
            section = match["section"] if match else path
            field = {"seo": (match["rest"] or "").split(".")[0] if match else ""}.get(section, section)
            if section == "ctas" and match and match["rest"]:
                field = f"cta_{match['rest'].split('[')[0]}"
            if field not in self.fields:
                field = None
            prefix = f"Line {int(match['row']) + 1}" if match and match["row"] is not None else ""
            part = (
                f" ({match['rest'].replace('_', ' ')})"
                if match and match["rest"] and section in ROW_FIELDS
                else ""
            )
            for message in messages:
                self.add_error(field, f"{prefix}{part}: {message}" if prefix else message)


class BrandImportForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("json", "Brand layer (JSON exported from AgencyOps)"), ("vale", "Vale style (zip)")],
        widget=forms.RadioSelect,
        initial="json",
    )
    file = forms.FileField()


class BrandSettingsForm(forms.Form):
    members_see_only_their_clients = forms.BooleanField(
        required=False, label="Members see only the brand layers of clients whose projects they are on"
    )
    share_with_client_contacts = forms.BooleanField(
        required=False, label="Client contacts can read their own brand layer in the portal"
    )


class ConstraintForm(forms.Form):
    entry = forms.TypedChoiceField(coerce=int, label="Decision")
    term = forms.CharField(max_length=200, label="Words")
    must = forms.ChoiceField(choices=ConstraintMust.choices, initial=ConstraintMust.ABSENT)

    def __init__(self, *args: Any, entries: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entries = {e.pk: e for e in entries}
        self.fields["entry"].choices = [
            (e.pk, f"{e.decided_on:%-d %b %Y}: {e.decision[:80]}") for e in entries
        ]


class ContentForm(forms.Form):
    title = forms.CharField(max_length=200)
    client = forms.TypedChoiceField(coerce=int)
    project = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    channel = forms.ChoiceField(choices=CHANNELS)
    goal = forms.ChoiceField(
        choices=[("", "—"), *CampaignGoal.choices], required=False, label="Campaign goal"
    )
    headline = forms.CharField(required=False, max_length=300)
    subject = forms.CharField(required=False, max_length=300, help_text="Email only.")
    preheader = forms.CharField(required=False, max_length=300, help_text="Email only.")
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}), max_length=100_000, label="Copy")

    def __init__(self, *args: Any, clients: list[Any], projects: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clients = {c.pk: c for c in clients}
        self.projects = {p.pk: p for p in projects}
        self.fields["client"].choices = [(c.pk, c.name) for c in clients]
        self.fields["project"].choices = [("", "—")] + [
            (p.pk, f"{p.client.name}: {p.name}") for p in projects
        ]


class ContentEditForm(forms.Form):
    headline = forms.CharField(required=False, max_length=300)
    subject = forms.CharField(required=False, max_length=300)
    preheader = forms.CharField(required=False, max_length=300)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}), max_length=100_000, label="Copy")
    note = forms.CharField(required=False, max_length=300, label="What changed (optional)")


class ContentFilterForm(forms.Form):
    client = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    state = forms.ChoiceField(choices=[("", "Any state"), *ContentState.choices], required=False)
    channel = forms.ChoiceField(choices=[("", "Any channel"), *CHANNELS], required=False)

    def __init__(self, *args: Any, clients: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = [("", "Every client")] + [(c.pk, c.name) for c in clients]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {"client_id": None, "state": "", "channel": ""}
        return {
            "client_id": self.cleaned_data.get("client"),
            "state": self.cleaned_data.get("state") or "",
            "channel": self.cleaned_data.get("channel") or "",
        }
