"""Accounts, roles per workspace, API keys, sessions, client review links, audit log, limits."""
