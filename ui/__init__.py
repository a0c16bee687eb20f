"""ClearView ui."""
