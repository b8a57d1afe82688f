"""restyle.metrics."""
