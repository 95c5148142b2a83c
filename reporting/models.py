"""Models of this layer (see DESIGN.md)."""
