"""Reads that pages and endpoints show, designed so the query count does not grow with the data."""
