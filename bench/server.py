"""One uvicorn process: the app as `tenantry serve` builds it, plus the bare baselines.

python -m bench.server <database-url> <port>
"""

from __future__ import annotations

import faulthandler
import signal
import sys

import uvicorn
from starlette.types import Receive, Scope, Send

from bench.baselines import bare_app
from config import Config
from web.app import create_app


def main() -> None:
    # `kill -USR1 <pid>` prints every thread's stack: for a server that stops answering.
    faulthandler.register(signal.SIGUSR1)
    database_url, port = sys.argv[1], int(sys.argv[2])
    smtp_url = sys.argv[3] if len(sys.argv) > 3 else None
    config = Config(
        database_url=database_url,
        secret_key="bench-secret-key",
        rate_limits=False,
        smtp_url=smtp_url,
        outbox_poll_seconds=0.2,
    )
    app = create_app(config)
    bare = bare_app(database_url, app)

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/bare/"):
            await bare(scope, receive, send)
        else:
            await app(scope, receive, send)

    uvicorn.run(
        dispatch, host="127.0.0.1", port=port, log_level="warning", access_log=False,
        loop="uvloop", http="httptools", lifespan="on",
    )  # fmt: skip


if __name__ == "__main__":
    main()
