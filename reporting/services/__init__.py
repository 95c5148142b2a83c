"""Every write of the reporting layer: campaigns and their changes, imports, targets (see each module)."""
