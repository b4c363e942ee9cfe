"""Pluggable providers, each chosen by settings in its own make_*() with one `match`."""
