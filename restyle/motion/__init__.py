"""Global camera motion: frames registered to an anchor frame (nothing else in restyle)."""
