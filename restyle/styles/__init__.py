"""restyle.styles."""
