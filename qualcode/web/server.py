"""Start the browser workspace: the application served by uvicorn, with a personal link per
coder when the server is reachable from other machines."""

from __future__ import annotations

import secrets
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path

from qualcode.web.app import LOCAL_HOSTS, create_app
from qualcode.web.library import StudyFolder


def is_local(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only."""
    return host in LOCAL_HOSTS or host.startswith("127.")


def serve(root: Path, *, host: str = "127.0.0.1", port: int = 8765, open_browser: bool = True,
          say: Callable[[str], None] = print) -> None:
    """Serve the study in ``root`` until Ctrl-C. On another address than this machine's own
    (``--host 0.0.0.0``), each coder gets a personal link, printed here."""
    import uvicorn

    folder = StudyFolder(root)
    study = folder.loaded().study  # load (and segment) before the first page, or fail now
    tokens = None
    hosts: tuple[str, ...] = LOCAL_HOSTS
    shown = "127.0.0.1" if host in ("127.0.0.1", "localhost") else host
    if not is_local(host):
        tokens = {coder.id: secrets.token_urlsafe(18) for coder in study.coders}
        hosts = ("*",)
        shown = "<this computer's address>" if host in ("0.0.0.0", "::") else host
    app = create_app(root, tokens=tokens, hosts=hosts, folder=folder)
    base = f"http://{shown}:{port}"
    if tokens is None:
        say(f"Serving {study.title} at {base}/ (this computer only); Ctrl-C stops.")
    else:
        say(f"Serving {study.title} on the network, port {port}; Ctrl-C stops. Give each "
            "coder their own link (it opens their workspace only):")
        for coder, token in tokens.items():
            say(f"  {coder}: {base}/code/{coder}?token={token}")
    if open_browser and tokens is None:
        threading.Timer(1.0, webbrowser.open, (f"{base}/",)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning")
