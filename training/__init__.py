"""Training the painting networks again (PyTorch: ``pip install -e ".[training]"``).

Rebuilds of the shipped style transformers in PyTorch (:mod:`training.networks`), tested
equal to the ONNX graphs restyle runs, with the anti-aliased variants the fine-tuning
starts from. Nothing in ``restyle`` imports this package.
"""
