"""Models of this layer (see DESIGN.md)."""

from brandkit.library.models import ExtractionState, ItemKind, LibraryItem, LibraryVersion  # noqa: F401
