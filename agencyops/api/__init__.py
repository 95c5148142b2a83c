"""The REST API of the platform layer (DRF), under /api/v1/."""
