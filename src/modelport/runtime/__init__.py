"""Runtime: reading batch inputs, writing batch outputs, and running models on them."""
