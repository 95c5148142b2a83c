"""Vale styles in and out: YAML fixtures written here, the rules run without the Vale binary."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest

from brandkit.governance import AvoidTerm, BrandRules, ContentInput, DecisionConstraint, ValeRule
from brandkit.governance.vale_rules import ValeRulesCheck
from brandkit.vale import ValeStyleError, export_style, read_style_folder, read_style_zip

TODAY = date(2026, 12, 5)

STYLE = {
    "Acme/Hedging.yml": """\
extends: existence
message: "Cut the hedge '%s'."
level: warning
ignorecase: true
tokens:
  - sort of
  - kind of
  - '(?:pretty|fairly) much'
""",
    "Acme/Terms.yml": """\
extends: substitution
message: "Use '%s' instead of '%s'."
level: error
ignorecase: true
swap:
  e-mail: email
  log-in: log in|login
  '(?:web site|web-site)': website
""",
    "Acme/Commas.yml": """\
extends: occurrence
message: "More than 3 commas (%s) in one sentence."
scope: sentence
level: suggestion
max: 3
token: ','
""",
    "Acme/Wordy.yml": """\
extends: metric
message: "Average sentence length is %s words; keep it under 20."
formula: words / sentences
condition: "> 20"
""",
    "Acme/Headings.yml": """\
extends: capitalization
message: "'%s' should be in sentence case."
match: $sentence
""",
    "Acme/Repeat.yml": """\
extends: repetition
message: "'%s' is repeated!"
tokens: ['[^\\s]+']
""",
    "config/vocabularies/Acme/accept.txt": "Brightsmile\nInvisalign\n",
    "config/vocabularies/Acme/reject.txt": "# words we never use\nsynergy\n",
}


def write_style(root: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_style_folder_imports_the_four_kinds_and_vocabularies_and_lists_the_rest(tmp_path):
    style = read_style_folder(write_style(tmp_path / "styles", STYLE))
    assert style.name == "Acme"
    assert sorted((r.name, r.kind) for r in style.rules) == [
        ("Acme.Accept", "vocab_accept"),
        ("Acme.Commas", "occurrence"),
        ("Acme.Hedging", "existence"),
        ("Acme.Reject", "vocab_reject"),
        ("Acme.Terms", "substitution"),
        ("Acme.Wordy", "metric"),
    ]
    assert sorted((u.name, u.kind) for u in style.unsupported) == [
        ("Acme.Headings", "capitalization"),
        ("Acme.Repeat", "repetition"),
    ]
    reject = next(r for r in style.rules if r.kind == "vocab_reject")
    assert reject.tokens == ("synergy",)


def test_imported_rules_run_on_a_draft():
    style = read_style_zip(zipped(STYLE))
    check = ValeRulesCheck(BrandRules(client_name="Acme", vale_rules=style.rules), today=TODAY)
    text = (
        "Send an e-mail from the web site, it is pretty much done. We kind of like synergy. "
        "One, two, three, four, five commas here."
    )
    findings = check.run(ContentInput(channel="blog", body=text))
    found = [(f.check, text[f.start : f.end], f.suggestion) for f in findings]
    assert ("vale", "e-mail", "email") in found
    assert ("vale", "web site", "website") in found
    assert ("vale", "pretty much", "") in found
    assert ("vale", "kind of", "") in found
    assert ("vale", "synergy", "") in found
    assert ("vale", "One, two, three, four, five commas here.", "") in found
    messages = {f.message for f in findings}
    assert "Use 'email' instead of 'e-mail'. (Acme.Terms)" in messages


def test_a_metric_rule_compares_its_formula_with_its_condition():
    style = read_style_zip(zipped({"Acme/Wordy.yml": STYLE["Acme/Wordy.yml"]}))
    check = ValeRulesCheck(BrandRules(client_name="Acme", vale_rules=style.rules), today=TODAY)
    long_sentence = " ".join(["word"] * 30) + "."
    assert len(check.run(ContentInput(channel="blog", body=long_sentence))) == 1
    assert check.run(ContentInput(channel="blog", body="Short one. Another short one.")) == []


@pytest.mark.parametrize(
    ("files", "file", "line", "problem"),
    [
        (
            {"Acme/Bad.yml": "extends: existence\ntokens:\n  - fine\n  - [unclosed\n"},
            "Acme/Bad.yml",
            5,
            "YAML",
        ),
        (
            {"Acme/Bad.yml": "extends: existence\nmessage: x\ntokens:\n  - ok\n  - '(unclosed'\n"},
            "Acme/Bad.yml",
            5,
            "not a valid regular expression",
        ),
        (
            {"Acme/Bad.yml": "extends: substitution\nswap:\n  fine: ok\n  '[oops': x\n"},
            "Acme/Bad.yml",
            4,
            "not a valid regular expression",
        ),
        ({"Acme/Bad.yml": "message: no kind\n"}, "Acme/Bad.yml", 1, "extends"),
        ({"Acme/Bad.yml": "extends: existence\nlevel: fatal\ntokens: [a]\n"}, "Acme/Bad.yml", 2, "level"),
        ({"Acme/Bad.yml": "extends: frobnicate\n"}, "Acme/Bad.yml", 1, "unknown rule kind"),
        (
            {"Acme/Bad.yml": "extends: metric\nformula: words / __import__\ncondition: '> 3'\n"},
            "Acme/Bad.yml",
            2,
            "unsupported",
        ),
    ],
)
def test_a_malformed_style_is_refused_with_the_file_and_line_and_nothing_is_imported(
    files, file, line, problem
):
    good = {"Acme/Good.yml": STYLE["Acme/Hedging.yml"]}
    with pytest.raises(ValeStyleError) as refused:
        read_style_zip(zipped(good | files))
    assert (refused.value.file, refused.value.line) == (file, line)
    assert problem in refused.value.problem


def test_an_upload_that_is_not_a_zip_or_has_no_rules_is_refused():
    with pytest.raises(ValeStyleError, match="not a zip"):
        read_style_zip(b"hello")
    with pytest.raises(ValeStyleError, match="no Vale rules"):
        read_style_zip(zipped({"README.md": "hi"}))


def test_a_catastrophic_pattern_runs_within_its_time_budget():
    rule = ValeRule(name="Evil.Backtrack", kind="existence", tokens=("(a|aa)+b",), nonword=True)
    check = ValeRulesCheck(BrandRules(client_name="Acme", vale_rules=(rule,)), today=TODAY)
    started = time.perf_counter()
    check.run(ContentInput(channel="blog", body="a" * 5000 + "c"))
    assert time.perf_counter() - started < 2.0


def test_a_brands_rules_export_as_a_style_that_imports_back_to_the_same_rules(tmp_path):
    imported = read_style_zip(zipped(STYLE))
    brand = BrandRules(
        client_name="Brightsmile Dental",
        avoid=(AvoidTerm("free consultation", replacement="complimentary check-up"), AvoidTerm("painless")),
        jargon=("periodontal",),
        ai_tells_extra=("smile journey",),
        decision_constraints=(DecisionConstraint("same-day whitening", "absent", date(2026, 3, 12)),),
        vale_rules=imported.rules,
    )
    data = export_style(brand)
    names = sorted(zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert "BrightsmileDental/AvoidReplace.yml" in names
    assert "config/vocabularies/Acme/accept.txt" in names
    again = read_style_zip(data)
    by_name = {r.name: r for r in again.rules}
    for rule in imported.rules:
        assert by_name[rule.name].kind == rule.kind
        assert by_name[rule.name].tokens == rule.tokens
        assert by_name[rule.name].swap == rule.swap
    assert by_name["BrightsmileDental.AvoidReplace"].swap == (
        (r"free\s+consultation", "complimentary check-up"),
    )
    assert by_name["BrightsmileDental.Avoid"].tokens == ("painless",)
    # the exported brand rules find the same terms the brand's own avoid list finds
    check = ValeRulesCheck(BrandRules(client_name="x", vale_rules=again.rules), today=TODAY)
    text = "A free\nconsultation, painless and periodontal, with same-day whitening on your smile journey."
    found = {text[f.start : f.end] for f in check.run(ContentInput(channel="blog", body=text))}
    assert {"free\nconsultation", "painless", "periodontal", "same-day whitening", "smile journey"} <= found


def test_a_metric_formula_with_a_power_is_refused_so_an_import_cannot_tie_up_a_worker():
    files = {"Acme/Power.yml": "extends: metric\nformula: 9 ** 9 ** 9\ncondition: '> 3'\n"}
    with pytest.raises(ValeStyleError) as refused:
        read_style_zip(zipped(files))
    assert (refused.value.file, refused.value.line) == ("Acme/Power.yml", 2)
