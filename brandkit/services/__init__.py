"""Every write of the brandkit layer.

- ``brand``: saving a client's brand layer (a new version each time), JSON and Vale imports, the agency's
  sharing settings, constraints on decision-log entries.
- ``content``: content pieces: create, edit, accept a suggestion, dismiss a finding, transitions, sending
  for approval; and ``content_check`` to check text without saving.
"""

from brandkit.services.brand import (
    brand_files_set,
    brand_layer_import_json,
    brand_layer_import_vale,
    brand_layer_save,
    brand_settings_update,
    decision_constraint_add,
)
from brandkit.services.content import (
    content_check,
    content_finding_accept,
    content_finding_dismiss,
    content_piece_create,
    content_piece_edit,
    content_piece_recheck,
    content_piece_send_for_approval,
    content_piece_transition,
)

__all__ = [
    "brand_files_set",
    "brand_layer_import_json",
    "brand_layer_import_vale",
    "brand_layer_save",
    "brand_settings_update",
    "content_check",
    "content_finding_accept",
    "content_finding_dismiss",
    "content_piece_create",
    "content_piece_edit",
    "content_piece_recheck",
    "content_piece_send_for_approval",
    "content_piece_transition",
    "decision_constraint_add",
]
