"""ClearView core."""
