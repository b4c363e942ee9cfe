"""The library: imported posts and assets, analytics, search."""
