"""restyle.stylizers."""
