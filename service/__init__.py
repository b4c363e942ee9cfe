"""Gjenbruk: reuse what already works on social media."""

__version__ = "0.1.0"
