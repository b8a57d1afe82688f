"""Engine settings for tests that compare two paintings of the same frame.

OpenVINO's int8 and bf16 graphs (the default where the ``[openvino]`` extra is installed)
round their bf16 reductions in an order that depends on the thread count, so the same frame
painted with 1 and 2 threads differs by up to ~40 levels. Tests that check scheduling,
batching or tiling compare against ONNX Runtime's float graph, which is exact across
threads; the precisions themselves are measured in ``test_precision.py``.
"""

EXACT = {"backend": "onnxruntime", "precision": "float"}
