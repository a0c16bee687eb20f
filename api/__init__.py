"""ClearView api."""
