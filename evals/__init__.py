"""Quality evaluation: cases, deterministic metrics, a runner and committed baseline reports."""
