"""Learning from editors and results: edits become checked style rules, reuse is measured."""
