"""Speed benchmarks: timings, compared as ratios measured side by side in one run."""
