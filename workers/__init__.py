"""ClearView workers."""
