"""Batch jobs: persisted per-item progress, resume after a crash, cancel, idempotency keys."""
