"""ClearView ingest."""
