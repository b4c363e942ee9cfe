"""HTTP API: one router per feature; no provider SDK is imported here."""
