"""HTML views of the project layer, one module per area."""
