"""restyle.media."""
