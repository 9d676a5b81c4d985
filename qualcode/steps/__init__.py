"""The steps of the workflow, one module per stage: each function reads what its stage needs
from the study folder, computes it with the pure functions of the core, and writes the stage's
outputs atomically. :func:`qualcode.pipeline.run` chains them; each command of the command
line calls one.
"""
