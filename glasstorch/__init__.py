"""glasstorch: PyTorch made of glass."""
