"""ClearView tools."""
