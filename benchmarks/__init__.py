"""restyle's benchmarks: ``python -m benchmarks NAME [args...]``; with no name, the list.

``speed/`` times things (compared as ratios measured side by side in one run); ``quality/``
measures the output (on lossless video or PNG frames). Results go to benchmarks/results/.
"""
