"""``python -m qualcode``."""

from qualcode.cli import app

if __name__ == "__main__":  # not again in a worker process (qualcode.io.workers)
    app(prog_name="qualcode")
