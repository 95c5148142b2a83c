"""Precision and recall of the governance checks on the labelled drafts (pinned)."""

from __future__ import annotations

from collections import Counter

from brandkit.governance import check_content
from tests.brandkit.governance.labelled_set import KINDS, TODAY, load_brands, load_drafts, score

# Pinned from the last measurement (recall 0.978, precision 0.947 on 58 drafts, 89 labels);
# the goal is recall >= 0.95 and precision >= 0.90. Raise these when the checker improves.
PINNED_RECALL = 0.97
PINNED_PRECISION = 0.94


def test_the_labelled_set_is_large_varied_and_covers_every_kind():
    drafts = load_drafts()
    labels = [label for draft in drafts for label in draft.labels]
    assert len(drafts) >= 40
    assert len({draft.brand for draft in drafts}) >= 3
    assert len(labels) >= 60
    assert set(Counter(label.kind for label in labels)) == set(KINDS)
    assert sum(1 for draft in drafts if not draft.labels) >= 5


def test_precision_and_recall_on_the_labelled_set_stay_at_their_pinned_values():
    brands = load_brands()
    results = [
        (draft, check_content(draft.content, brands[draft.brand], today=TODAY)) for draft in load_drafts()
    ]
    total, by_kind, notes = score(results)
    report = "\n".join(
        [f"precision {total.precision:.3f}  recall {total.recall:.3f}"]
        + [
            f"  {kind:14} labels {s.labels:3}  found {s.found_labels:3}  flagged {s.true_positives + s.false_positives:3}"
            f"  false {s.false_positives:3}"
            for kind, s in by_kind.items()
        ]
        + notes
    )
    print("\n" + report)
    assert total.recall >= PINNED_RECALL, report
    assert total.precision >= PINNED_PRECISION, report
