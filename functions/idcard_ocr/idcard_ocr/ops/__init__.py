"""The operator's tools: the command line, backfill, report (and the offline engine's server)."""
