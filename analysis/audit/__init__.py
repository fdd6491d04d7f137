"""The audit of the study's original code: its choices as switches of the book's pipeline.

``switches`` defines the seven switches as data and how each changes the
inputs, the model, the training or the measurement; ``models`` adds the
code's model choices as options of the pipeline's models; ``runs`` trains and
measures every configuration; ``tables`` and ``figures`` show the results.
"""
