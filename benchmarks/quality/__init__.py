"""Quality benchmarks: flicker, fidelity, seams and halos, measured on lossless output."""
