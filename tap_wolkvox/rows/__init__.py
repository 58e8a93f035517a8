"""Rows into records: every reply's rows typed, repaired and completed the same way."""
