"""Forms of the platform layer: parse and validate input, then hand it to a service."""
