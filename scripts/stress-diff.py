#!/usr/bin/env python3
"""`portolan diff` at N and 4N for the shapes that could make it quadratic.

Each shape is a git repository with two commits of one API definition
(JSON, generated here), compared with `portolan diff --base HEAD~1 --head
HEAD`; the table gives wall time and peak RSS of the whole process, and the
4N/N time ratio (near 4 is linear, near 16 quadratic). Shapes:

  chain-one-change   N schemas, each `$ref`ing the next, each the response
                     of its own operation; the last loses a required
                     property: one change that N operations reach
  chain-all-changed  the same chain, every schema losing a required
                     property: N changes, reached by 1..N operations (the
                     output itself is quadratic: each change lists the
                     operations it affects)
  paths-removed      N operations, all removed: N changes
  schemas-renamed    N schemas, every one moved to a new name with its
                     `$ref`s: a refactor, no change

Usage: scripts/stress-diff.py [--bin target/release/portolan] [--scale 1]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

BASE_SIZES = {
    "chain-one-change": 2000,
    "chain-all-changed": 1000,
    "paths-removed": 5000,
    "schemas-renamed": 5000,
}

CATALOG = """apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: stress}
spec: {type: openapi, lifecycle: production, owner: team, definition: {$text: ./openapi.json}}
"""


def response(schema):
    return {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}


def chain(n, changed):
    """Schemas S0..S(n-1), each the response of /p{i}; `changed(i)` drops
    `a` from S{i}'s required properties."""
    schemas = {}
    for i in range(n):
        nxt = {"$ref": f"#/components/schemas/S{i + 1}"} if i + 1 < n else {"type": "string"}
        schemas[f"S{i}"] = {
            "type": "object",
            "required": ["next"] if changed(i) else ["a", "next"],
            "properties": {"a": {"type": "integer"}, "next": nxt},
        }
    paths = {f"/p{i}": {"get": {"operationId": f"op{i}", "responses": response(
        {"$ref": f"#/components/schemas/S{i}"})}} for i in range(n)}
    return doc(paths, schemas)


def paths(n, count):
    return doc({f"/p{i}": {"get": {"operationId": f"op{i}", "responses": response(
        {"type": "string"})}} for i in range(count)}, {})


def renamed(n, prefix):
    schemas = {f"{prefix}{i}": {"type": "object", "properties": {"a": {"type": "integer"}}}
               for i in range(n)}
    p = {f"/p{i}": {"get": {"operationId": f"op{i}", "responses": response(
        {"$ref": f"#/components/schemas/{prefix}{i}"})}} for i in range(n)}
    return doc(p, schemas)


def doc(p, schemas):
    return {"openapi": "3.0.3", "info": {"title": "stress", "version": "1"},
            "paths": p, "components": {"schemas": schemas}}


SHAPES = {
    "chain-one-change": lambda n: (chain(n, lambda i: False), chain(n, lambda i: i == n - 1)),
    "chain-all-changed": lambda n: (chain(n, lambda i: False), chain(n, lambda i: True)),
    "paths-removed": lambda n: (paths(n, n), paths(n, 0)),
    "schemas-renamed": lambda n: (renamed(n, "Old"), renamed(n, "New")),
}


def git(root, *args):
    subprocess.run(["git", "-C", root, "-c", "user.name=stress", "-c",
                    "user.email=stress@example.com", *args],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def write_repo(root, shape, n):
    base, head = SHAPES[shape](n)
    os.makedirs(root)
    git(root, "init", "-q")
    with open(os.path.join(root, "catalog-info.yaml"), "w") as f:
        f.write(CATALOG)
    size = 0
    for message, spec in (("base", base), ("head", head)):
        text = json.dumps(spec)
        size = max(size, len(text))
        with open(os.path.join(root, "openapi.json"), "w") as f:
            f.write(text)
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", message)
    return size


def run_diff(binary, root, timeout):
    """(seconds, peak RSS in MB, exit status or 'timeout')."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [binary, "--root", root, "diff", "--base", "HEAD~1", "--head", "HEAD",
         "--format", "json", "--fail-on", "never"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            child.kill()
            pid, status, usage = os.wait4(child.pid, 0)
            return None, usage.ru_maxrss / 1024, "timeout"
        time.sleep(0.005)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, str(os.waitstatus_to_exitcode(status))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", default="target/release/portolan")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)
    if not os.access(binary, os.X_OK):
        sys.exit(f"{binary} not found: cargo build --release -p portolan")
    print("| shape | N | spec size | seconds | peak RSS | exit | ratio 4N/N |")
    print("|---|---:|---:|---:|---:|---|---:|")
    tmp = tempfile.mkdtemp(prefix="portolan-stress-diff-")
    try:
        for shape in [s for s in args.shapes.split(",") if s]:
            base = max(1, int(BASE_SIZES[shape] * args.scale))
            first = None
            for n in (base, 4 * base):
                root = os.path.join(tmp, f"{shape}-{n}")
                size = write_repo(root, shape, n)
                seconds, rss, status = run_diff(binary, root, args.timeout)
                shutil.rmtree(root)
                if seconds is None:
                    shown, ratio = f"> {args.timeout:.0f}", ""
                else:
                    shown, ratio = f"{seconds:.2f}", ""
                    if first is None:
                        first = seconds
                    elif first > 0:
                        ratio = f"{seconds / first:.1f}"
                print(f"| {shape} | {n:,} | {size / 1e6:.2f} MB | {shown} | "
                      f"{rss:.0f} MB | {status} | {ratio} |", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
