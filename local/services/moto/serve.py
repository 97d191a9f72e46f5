"""moto's server, one request at a time.

`moto_server` serves every request on its own thread, and moto's backends hold no lock: an
UpdateItem ADD (read, add, write back), the first write of a new item and a conditional put
can interleave, so concurrent increments get lost and two conditional puts can both win.
DynamoDB itself is linearizable per item. This launcher serves the same moto application
behind one lock: each request is read whole first (a slow client never holds the lock),
then handled and its response produced under the lock, so every request sees the effects
of all requests answered before it and none of any other in between.

Usage: python serve.py --host 127.0.0.1 --port 5000
"""

import argparse
import io
import os
import signal
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


class OneAtATime:
    """A WSGI middleware that runs the wrapped application for one request at a time."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        # Read the request body before taking the lock: only work happens under it.
        length = environ.get("CONTENT_LENGTH")
        if length:
            body = environ["wsgi.input"].read(int(length))
        elif environ.get("wsgi.input_terminated"):
            body = environ["wsgi.input"].read()
        else:
            body = b""
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        with self.lock:
            response = self.app(environ, start_response)
            try:
                # The response is produced under the lock too: moto may build it lazily.
                return [b"".join(response)]
            finally:
                close = getattr(response, "close", None)
                if close is not None:
                    close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args()
    # moto builds some URLs (S3 presigning, SQS queue URLs) from this.
    os.environ.setdefault("MOTO_PORT", str(args.port))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(
        args.host,
        args.port,
        OneAtATime(app),
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
