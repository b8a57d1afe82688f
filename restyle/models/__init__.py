"""restyle.models."""
