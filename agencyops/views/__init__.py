"""HTML views of the platform layer, one module per area."""
