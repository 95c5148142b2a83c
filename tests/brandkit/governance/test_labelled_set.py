"""Precision and recall of the governance checks on the labelled drafts (pinned)."""

from __future__ import annotations

from collections import Counter

from brandkit.governance import check_content
from tests.brandkit.governance.labelled_set import KINDS, TODAY, load_brands, load_drafts, score

# Pinned from the last measurement; the goal is recall >= 0.95 and precision >= 0.90 on both held-out sets.
# "tuned": the drafts the checker was developed against (58 drafts, 89 labels). "holdout": 16 drafts
# (27 labels) written and labelled after the first tuning, never used to tune the checker. "holdout2":
# 36 drafts (53 labels, 28 of them claims, many in words) written and labelled before the claims check
# learnt number words, multipliers, fractions and rankings; its misses were then visible, so its
# figures after that change flatter the checker more than the first held-out set's do.
#                 before the words change       after it
#   tuned         recall 0.978 precision 0.947  recall 1.000 precision 0.948
#   holdout       recall 0.926 precision 0.929  recall 1.000 precision 0.933
#   holdout2      recall 0.642 precision 0.897  recall 1.000 precision 0.947
# "holdout3": 40 drafts (100 labels, 12 clean drafts) written blind, from the brand layers and the issue's
# spec only, by a writer who never read the checker, its unit tests or its history; measured once, its
# misses not fed back: recall 0.880 precision 0.978 (pinned rounded down). It is the honest figure for
# "drafts the checker has never seen", below the recall goal of 0.95.
# The classes holdout3 missed were then handled generally (tenure and track-record durations, before-and-
# after figures, savings in money, measured comparisons, same-day promises, the "in today's ... landscape"
# family, "Let's" for a "you" brand, claims in adjacent sentences, superlatives about the story). Three
# older labels were made consistent with the blind set's reading (staff tenure "for 11 years" in tuned and
# "spent six years" in holdout2, and "Same-day whitening" in tuned, are claims too): tuned 91 labels,
# holdout2 54. Since holdout3's misses were visible, its figures now flatter the checker; the next blind set
# is the honest measure.
#                 before                         after
#   tuned         recall 1.000 precision 0.948   recall 1.000 precision 0.949
#   holdout       recall 1.000 precision 0.933   recall 1.000 precision 0.933
#   holdout2      recall 1.000 precision 0.947   recall 1.000 precision 0.948
#   holdout3      recall 0.880 precision 0.978   recall 0.980 precision 1.000
# "holdout4": 48 drafts (89 labels, 15 clean drafts) written blind the same way by another writer who saw
# neither the checker nor the other sets' drafts, while the classes above were being handled elsewhere;
# first measured on the checker before them: recall 0.888 precision 0.966. Measured on this checker, no
# label changed after: recall 0.910 precision 0.956. Its misses then handled as classes, no label changed:
# durations as fractions, results "by day five", trial lengths, bare benefit comparatives ("makes setup
# faster"), rankings past third, a bad example's sentence pattern, the offer a piece contrasts itself with
# ("Unlike same-day whitening ..."), a CTA phrase as a step in a list, datelines/names/links in the grade:
# holdout4 recall 0.966 precision 0.989 (now flattering too). Older false alarms handled as classes with
# them: the reader's own figures ("your team matched 4,812 transactions", "points worth $24.50"), a route's
# length ("the traverse is 18 miles"), "after ten minutes of climbing", a group defined by a duration ("the
# teams that closed in under five days"): tuned precision 0.979, holdout 0.966, holdout2 0.965.
# "holdout5": 53 drafts (84 labels, 19 clean drafts) written blind the same way by a fifth writer who saw
# neither the checker, its unit tests, its history nor the other sets' drafts, while the classes above were
# being handled elsewhere; committed before it was first scored. On the checker before those classes: recall
# 0.952 precision 0.977. Measured on this checker, no label changed after: see the pin.
# Raise these when the checker improves; never lower them to make a change pass.
PINNED = {  # (recall, precision)
    "tuned": (1.00, 0.97),
    "holdout": (1.00, 0.96),
    "holdout2": (1.00, 0.96),
    "holdout3": (0.98, 1.00),
    "holdout4": (0.96, 0.98),
    "holdout5": (0.95, 0.97),
}


def test_the_labelled_set_is_large_varied_and_covers_every_kind():
    drafts = load_drafts()
    labels = [label for draft in drafts for label in draft.labels]
    assert len(drafts) >= 40
    assert len({draft.brand for draft in drafts}) >= 3
    assert len(labels) >= 60
    assert set(Counter(label.kind for label in labels)) == set(KINDS)
    assert sum(1 for draft in drafts if not draft.labels) >= 5
    second = [draft for draft in drafts if draft.group == "holdout2"]
    second_labels = [label for draft in second for label in draft.labels]
    assert len(second) >= 24 and len({draft.brand for draft in second}) == 3
    assert len(second_labels) >= 30
    assert set(Counter(label.kind for label in second_labels)) == set(KINDS)
    assert all(draft.holdout for draft in second)
    third = [draft for draft in drafts if draft.group == "holdout3"]
    third_labels = [label for draft in third for label in draft.labels]
    assert len(third) >= 30 and len({draft.brand for draft in third}) == 3
    assert len(third_labels) >= 45
    assert set(Counter(label.kind for label in third_labels)) == set(KINDS)
    assert sum(1 for draft in third if not draft.labels) >= 8
    assert all(draft.holdout for draft in third)
    fourth = [draft for draft in drafts if draft.group == "holdout4"]
    fourth_labels = [label for draft in fourth for label in draft.labels]
    assert len(fourth) >= 36 and len({draft.brand for draft in fourth}) == 3
    assert len(fourth_labels) >= 60
    assert set(Counter(label.kind for label in fourth_labels)) == set(KINDS)
    assert sum(1 for draft in fourth if not draft.labels) >= 10
    assert all(draft.holdout for draft in fourth)
    fifth = [draft for draft in drafts if draft.group == "holdout5"]
    fifth_labels = [label for draft in fifth for label in draft.labels]
    assert len(fifth) >= 40 and len({draft.brand for draft in fifth}) == 3
    assert len(fifth_labels) >= 70
    assert set(Counter(label.kind for label in fifth_labels)) == set(KINDS)
    assert sum(1 for draft in fifth if not draft.labels) >= 10
    assert all(draft.holdout for draft in fifth)


def _report(name: str, total, by_kind, notes) -> str:
    return "\n".join(
        [f"{name}: precision {total.precision:.3f}  recall {total.recall:.3f}  ({total.labels} labels)"]
        + [
            f"  {kind:14} labels {s.labels:3}  found {s.found_labels:3}  flagged {s.true_positives + s.false_positives:3}"
            f"  false {s.false_positives:3}"
            for kind, s in by_kind.items()
        ]
        + notes
    )


def test_precision_and_recall_on_the_labelled_set_stay_at_their_pinned_values():
    brands = load_brands()
    drafts = load_drafts()
    results = [(draft, check_content(draft.content, brands[draft.brand], today=TODAY)) for draft in drafts]
    reports = []
    scores = {}
    for name in ("tuned", "holdout", "holdout2", "holdout3", "holdout4", "holdout5"):
        total, by_kind, notes = score([r for r in results if r[0].group == name])
        scores[name] = total
        reports.append(_report(name, total, by_kind, notes))
    total, by_kind, notes = score(results)
    reports.append(_report("all", total, by_kind, []))
    report = "\n".join(reports)
    print("\n" + report)
    for name, (recall, precision) in PINNED.items():
        assert scores[name].recall >= recall, report
        assert scores[name].precision >= precision, report
