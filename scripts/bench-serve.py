#!/usr/bin/env python3
"""bench-serve.py: time from saving an edited descriptor to `portolan serve`'s
reload event (issue #6), and the memory serve holds.

What it measures
  For each catalog: copies it to a scratch folder, starts
      portolan serve --root COPY --port 0 -q
  subscribes to the reload events (GET /_portolan/events, Server-Sent
  Events), then EDITS times: rewrites one descriptor's description (as an
  editor saving in place does) and waits for the `reload` event. The time
  from the write to the event is one sample. Then the resident memory of the
  serve process (VmRSS, and its peak VmHWM, from /proc) after those edits.
  Prints a markdown table to stdout.

How to run
  cargo build --release -p portolan
  python3 scripts/gen-synthetic-catalog.py --out target/synthetic-10k   # once
  python3 scripts/bench-serve.py                     # acme and synthetic-10k
  python3 scripts/bench-serve.py --edits 30 CATALOG:FILE ...

  CATALOG:FILE names a catalog folder and the descriptor (relative to it) to
  edit; the default is examples/acme:services/cart-service/catalog-info.yaml
  and target/synthetic-10k:booking-core/catalog-info.yaml.
"""

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULTS = [
    "examples/acme:services/cart-service/catalog-info.yaml",
    "target/synthetic-10k:booking-core/catalog-info.yaml",
]


class Events(threading.Thread):
    """Reads the event stream; records when each `reload` arrives."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall(
            b"GET /_portolan/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
        )
        self.reloads = []
        self.hello = threading.Event()
        self.cond = threading.Condition()

    def run(self):
        buffer = b""
        while True:
            data = self.sock.recv(65536)
            if not data:
                return
            buffer += data
            while b"\n\n" in buffer:
                frame, buffer = buffer.split(b"\n\n", 1)
                if b"event: hello" in frame:
                    self.hello.set()
                if b"event: reload" in frame:
                    with self.cond:
                        self.reloads.append(time.monotonic())
                        self.cond.notify_all()

    def wait_reload(self, count, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.reloads) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)
            return self.reloads[count - 1]


def memory(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) * 1024
    return fields


def bench(binary, catalog, descriptor, edits, settle):
    scratch = tempfile.mkdtemp(prefix="bench-serve-")
    root = os.path.join(scratch, "catalog")
    shutil.copytree(os.path.join(REPO, catalog), root, symlinks=True)
    path = os.path.join(root, descriptor)
    original = open(path).read()
    if not re.search(r"^  description: .*$", original, re.M):
        sys.exit(f"{descriptor} has no `  description:` line to edit")
    server = subprocess.Popen(
        [binary, "serve", "--root", root, "--port", "0", "-q", "--color", "never"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = server.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not match:
            sys.exit(f"serve printed {line!r}")
        port = int(match.group(1))
        events = Events(port)
        events.start()
        if not events.hello.wait(60):
            sys.exit("no hello event")
        # Let the first build's data files and the watcher settle.
        time.sleep(settle)
        samples = []
        for n in range(edits):
            text = re.sub(
                r"^  description: .*$",
                f"  description: Edited for the benchmark, take {n}.",
                original,
                count=1,
                flags=re.M,
            )
            before = len(events.reloads)
            # In place, as most editors save.
            with open(path, "w") as f:
                f.write(text)
                f.flush()
                written = time.monotonic()
            arrived = events.wait_reload(before + 1, 30)
            if arrived is None:
                sys.exit(f"no reload event after edit {n}")
            samples.append((arrived - written) * 1000)
            # The data files (search, catalog.json) are made after the
            # reload; let them finish so edits do not pile up.
            time.sleep(settle)
        mem = memory(server.pid)
        return samples, mem
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(scratch, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("catalogs", nargs="*", default=DEFAULTS)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--settle", type=float, default=2.0, help="seconds between edits")
    parser.add_argument("--binary", default=os.path.join(REPO, "target/release/portolan"))
    args = parser.parse_args()
    rows = []
    for spec in args.catalogs:
        catalog, _, descriptor = spec.partition(":")
        if not os.path.isdir(os.path.join(REPO, catalog)):
            print(f"bench-serve: skipping {catalog}: not found", file=sys.stderr)
            continue
        print(f"bench-serve: {catalog} ({args.edits} edits)", file=sys.stderr)
        samples, mem = bench(args.binary, catalog, descriptor, args.edits, args.settle)
        samples.sort()
        p90 = samples[max(0, int(len(samples) * 0.9) - 1)]
        rows.append(
            f"| {catalog} | {statistics.median(samples):.0f} ms | {p90:.0f} ms | "
            f"{samples[0]:.0f}–{samples[-1]:.0f} ms | {mem['VmRSS'] / 2**20:.0f} MiB | "
            f"{mem['VmHWM'] / 2**20:.0f} MiB |"
        )
    print("| catalog | save → reload, median | p90 | range | serve RSS after | peak RSS |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
