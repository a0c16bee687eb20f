"""ClearView agents."""
