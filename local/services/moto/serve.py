"""moto's server, one request at a time.

`moto_server` serves every request on its own thread, and moto's backends hold no lock: an
UpdateItem ADD (read, add, write back), the first write of a new item and a conditional put
can interleave, so concurrent increments get lost and two conditional puts can both win.
DynamoDB itself is linearizable per item. This launcher serves the same moto application
behind one lock: each request is read whole first (a slow client never holds the lock),
then handled and its response produced under the lock, so every request sees the effects
of all requests answered before it and none of any other in between.

With --state FILE, the DynamoDB and S3 state is written to FILE when the server is stopped
cleanly (SIGTERM or SIGINT), under the same lock, and read back when it starts: tables,
items and objects survive `services down` / `up`. A crash (SIGKILL) loses what changed since
the last clean stop, as moto itself keeps everything in memory.

moto backs up every table a TransactWriteItems touches, whole, once per item of the
transaction (copy.deepcopy), to roll back on failure: each transaction costs time and
garbage linear in the table's size, and a table of markers that grows with every counted
job (detect-login-abuse) took moto past 4 GiB within four minutes of the e2e test. This
launcher backs up only the items the transaction names instead, which is all a rollback
needs when no other request can run in between.

Every minute it logs what it holds (tables, items, buckets, objects, resident memory), and
with --max-memory-mib it cannot grow past that: a request that would fails with a
MemoryError instead of the machine swapping.

Usage: python serve.py --host 127.0.0.1 --port 5000 [--state .services/moto/state.pickle]
       [--max-memory-mib 4096]
"""

import argparse
import copy
import io
import os
import pickle
import resource
import signal
import threading
import time

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.table import Table
from moto.s3.models import s3_backends
from werkzeug.serving import run_simple

# The backends whose state is kept across clean restarts: what Sluice uses moto for.
KEPT = {"dynamodb": dynamodb_backends, "s3": s3_backends}


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


def back_up_items_not_tables() -> None:
    """TransactWriteItems rolls back the items it names, from copies of those items only.

    A rollback restores each named item (or its absence: no empty range-key bucket is left
    behind), for tables named by name or by ARN, and drops the stream records the cancelled
    writes added (moto would keep them; records already handed to a moto Lambda mapping,
    which Sluice does not use, cannot be recalled)."""
    transact = DynamoDBBackend.transact_write_items

    def transact_write_items(backend, transact_items):
        saved = []
        streams = {}
        for entry in transact_items:
            operation = next(iter(entry.values()), None)
            if not isinstance(operation, dict):
                continue
            try:
                table = backend.get_table(operation.get("TableName"))
            except Exception:  # moto answers ResourceNotFound itself
                continue
            key = operation.get("Key") or {
                name: operation.get("Item", {}).get(name)
                for name in (table.hash_key_attr, table.range_key_attr)
                if name is not None
            }
            try:
                hash_key, range_key = backend.get_keys_value(table, key)
            except Exception:  # moto rejects the malformed key itself, before writing
                continue
            saved.append((table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))))
            if table.stream_shard is not None:
                streams.setdefault(id(table), (table.stream_shard, len(table.stream_shard.items)))
        # moto's own whole-table backup becomes the table itself: its "rollback" is a no-op.
        Table.__deepcopy__ = lambda table, memo: table
        try:
            return transact(backend, transact_items)
        except Exception:
            # Newest first: an item named twice ends as it was before the transaction.
            for table, hash_key, range_key, item in reversed(saved):
                if range_key is None:
                    restore_item(table.items, hash_key, item)
                    continue
                bucket = table.items.get(hash_key)
                if bucket is None and item is None:
                    continue
                if bucket is None:
                    bucket = table.items[hash_key] = {}
                restore_item(bucket, range_key, item)
                if not bucket:
                    del table.items[hash_key]
            for shard, length in streams.values():
                del shard.items[length:]
            raise
        finally:
            del Table.__deepcopy__

    DynamoDBBackend.transact_write_items = transact_write_items


def restore_item(holder, slot, item) -> None:
    """Puts a saved item back in its slot, or empties the slot if there was none."""
    if item is None:
        holder.pop(slot, None)
    else:
        holder[slot] = item


def rss_mib() -> int:
    """This process's resident memory, from /proc (Linux)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return -1


def report_state(app: OneAtATime, every_seconds: int) -> None:
    """Every minute, one log line of what moto holds: evidence when its memory grows."""
    while True:
        time.sleep(every_seconds)
        try:
            with app.lock:
                tables = [t for b in dynamodb_backends.values() for r in b.values() for t in r.tables.values()]
                items = sum(len(t) for t in tables)
                buckets = [k for b in s3_backends.values() for r in b.values() for k in r.buckets.values()]
                objects = [o for k in buckets for o in k.keys.values() if hasattr(o, "size")]
            print(
                f"state: {len(tables)} tables, {items} items, {len(buckets)} buckets, "
                f"{len(objects)} objects ({sum(o.size for o in objects) // 1048576} MiB), "
                f"RSS {rss_mib()} MiB",
                flush=True,
            )
        except Exception as error:  # the report must never stop: it is the evidence
            print(f"state: not read ({error!r}), RSS {rss_mib()} MiB", flush=True)


def restore(path: str) -> None:
    """Puts the state saved at `path`, if any, into the (empty) backends."""
    if not os.path.exists(path):
        return
    with open(path, "rb") as file:
        saved = pickle.load(file)
    for name, backends in KEPT.items():
        backends.update(saved.get(name, {}))
    print(f"restored DynamoDB and S3 state from {path}", flush=True)


def save(path: str) -> None:
    """Writes the backends' state to `path` atomically (a crash mid-write keeps the old one)."""
    temporary = f"{path}.tmp"
    with open(temporary, "wb") as file:
        pickle.dump({name: dict(backends) for name, backends in KEPT.items()}, file)
    os.replace(temporary, path)
    print(f"saved DynamoDB and S3 state to {path}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--state", help="file that keeps the state across clean restarts")
    parser.add_argument(
        "--max-memory-mib",
        type=int,
        help="address-space ceiling: past it a request fails with MemoryError, the machine lives on",
    )
    args = parser.parse_args()
    if args.max_memory_mib:
        # Small thread stacks, so a burst of connections does not use the ceiling up.
        threading.stack_size(1024 * 1024)
        limit = args.max_memory_mib * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # moto builds some URLs (S3 presigning, SQS queue URLs) from this.
    os.environ.setdefault("MOTO_PORT", str(args.port))
    back_up_items_not_tables()
    app = OneAtATime(DomainDispatcherApplication(create_backend_app))

    def stop(*_):
        if args.state:
            # Under the lock: no request is half done, none starts before the process ends.
            app.lock.acquire()
            save(args.state)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.state:
        restore(args.state)
    threading.Thread(target=report_state, args=(app, 60), daemon=True).start()
    run_simple(
        args.host,
        args.port,
        app,
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
