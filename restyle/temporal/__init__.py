"""restyle.temporal."""
