"""``python -m qualcode``."""

from qualcode.cli import app

app(prog_name="qualcode")
