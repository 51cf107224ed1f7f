#!/usr/bin/env python3
"""Scaling benchmark for API definitions (issue 16, finding 2).

Generates API definitions of one *shape* each at size N and 4N, each in its
own catalog (one API entity whose `definition` is `$text` to the spec), runs
the release `portolan check` on it and prints a table of wall time, peak RSS
of the child process and the 4N/N time ratio. Linear work gives a ratio near
4; a quadratic one near 16.

Shapes:
  schemas      `components/schemas` with N trivial schemas
  schema-refs  N trivial schemas, each referenced once from one operation
  ref-chain    a chain of N `$ref`s (S0 -> S1 -> ... -> S(N-1) -> a value)
  example      an `example` object with N keys
  paths        N trivial paths
  minified     N paths as one line of minified JSON (4N is about 5 MB)

Only the standard library is used. Build first:
    cargo build --release -p portolan
Run:
    scripts/stress-apis.py [--bin target/release/portolan] [--scale 1.0]
                           [--shapes schemas,ref-chain] [--timeout 120]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HEADER = "openapi: 3.0.3\ninfo:\n  title: Stress\n  version: 1.0.0\n"

# Base sizes N (the table also runs 4N), chosen so N takes well under a
# second once the work is linear.
BASE_SIZES = {
    "schemas": 2000,
    "schema-refs": 2000,
    "ref-chain": 2000,
    "example": 10000,
    "paths": 5000,
    "minified": 10500,
}


def ok_response(indent, schema_lines):
    pad = " " * indent
    lines = [
        f"{pad}responses:",
        f"{pad}  '200':",
        f"{pad}    description: OK",
    ]
    if schema_lines:
        lines += [
            f"{pad}    content:",
            f"{pad}      application/json:",
        ]
        lines += [f"{pad}        {line}" for line in schema_lines]
    return lines


def spec_schemas(n):
    out = [HEADER, "paths: {}\ncomponents:\n  schemas:\n"]
    for i in range(n):
        out.append(f"    S{i}:\n      type: object\n      properties:\n")
        out.append("        id:\n          type: string\n")
    return "".join(out)


def spec_schema_refs(n):
    lines = ["paths:", "  /x:", "    get:"]
    schema = ["schema:", "  oneOf:"]
    schema += [f"    - $ref: '#/components/schemas/S{i}'" for i in range(n)]
    lines += ok_response(6, schema)
    lines += ["components:", "  schemas:"]
    for i in range(n):
        lines += [f"    S{i}:", "      type: object", "      properties:",
                  "        id:", "          type: string"]
    return HEADER + "\n".join(lines) + "\n"


def spec_ref_chain(n):
    lines = ["paths:", "  /x:", "    get:"]
    lines += ok_response(6, ["schema:", "  $ref: '#/components/schemas/S0'"])
    lines += ["components:", "  schemas:"]
    for i in range(n - 1):
        lines += [f"    S{i}:", f"      $ref: '#/components/schemas/S{i + 1}'"]
    lines += [f"    S{n - 1}:", "      type: string"]
    return HEADER + "\n".join(lines) + "\n"


def spec_example(n):
    lines = ["paths:", "  /x:", "    get:"]
    schema = ["schema:", "  type: object", "example:"]
    schema += [f"  key{i}: {i}" for i in range(n)]
    lines += ok_response(6, schema)
    return HEADER + "\n".join(lines) + "\n"


def spec_paths(n):
    lines = ["paths:"]
    for i in range(n):
        lines += [f"  /p{i}:", "    get:", f"      operationId: op{i}"]
        lines += ok_response(6, [])
    return HEADER + "\n".join(lines) + "\n"


def spec_minified(n):
    paths = {
        f"/resource{i}/{{id}}": {
            "get": {
                "operationId": f"getResource{i}",
                "parameters": [
                    {"name": "id", "in": "path", "required": True,
                     "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "OK"}},
            }
        }
        for i in range(n)
    }
    doc = {"openapi": "3.0.3", "info": {"title": "Stress", "version": "1.0.0"},
           "paths": paths}
    return json.dumps(doc, separators=(",", ":"))


SHAPES = {
    "schemas": (spec_schemas, "openapi.yaml"),
    "schema-refs": (spec_schema_refs, "openapi.yaml"),
    "ref-chain": (spec_ref_chain, "openapi.yaml"),
    "example": (spec_example, "openapi.yaml"),
    "paths": (spec_paths, "openapi.yaml"),
    "minified": (spec_minified, "openapi.json"),
}

CATALOG = """apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: stress
spec:
  type: openapi
  lifecycle: production
  owner: group:default/platform
  definition:
    $text: ./{spec}
"""


def write_catalog(root, shape, n):
    make, spec_name = SHAPES[shape]
    os.makedirs(root)
    text = make(n)
    with open(os.path.join(root, spec_name), "w") as f:
        f.write(text)
    with open(os.path.join(root, "catalog-info.yaml"), "w") as f:
        f.write(CATALOG.format(spec=spec_name))
    return len(text.encode())


def run_check(binary, root, timeout):
    """(seconds, peak RSS in MB, exit status or 'timeout')."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [binary, "check", "--root", root, "--format", "concise", "-q"],
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
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss / 1024, str(child.returncode)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", default="target/release/portolan")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiply every base size N")
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds per run before it is killed")
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)
    if not os.access(binary, os.X_OK):
        sys.exit(f"{binary} not found: cargo build --release -p portolan")
    shapes = [s for s in args.shapes.split(",") if s]
    for shape in shapes:
        if shape not in SHAPES:
            sys.exit(f"unknown shape {shape!r} (known: {', '.join(SHAPES)})")

    print("| shape | N | spec size | seconds | peak RSS | exit | ratio 4N/N |")
    print("|---|---:|---:|---:|---:|---|---:|")
    tmp = tempfile.mkdtemp(prefix="portolan-stress-")
    try:
        for shape in shapes:
            base = max(1, int(BASE_SIZES[shape] * args.scale))
            first = None
            for n in (base, 4 * base):
                root = os.path.join(tmp, f"{shape}-{n}")
                size = write_catalog(root, shape, n)
                seconds, rss, status = run_check(binary, root, args.timeout)
                shutil.rmtree(root)
                if seconds is None:
                    shown, ratio = f"> {args.timeout:.0f}", ""
                else:
                    shown = f"{seconds:.2f}"
                    ratio = ""
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
