#!/usr/bin/env python3
"""Scaling benchmark for catalog and YAML input shapes (issue 16).

Generates catalogs of one *shape* each at size N and 4N, runs the release
`portolan check` or `portolan build` on each and prints a markdown table of
wall time, peak RSS of the child process and the 4N/N time ratio, and the
user and system CPU time (on a busy machine the user-time ratio is the
steadier measure of the work portolan does). Linear work gives a ratio
near 4; quadratic work near 16. Rows whose shape is not
scaled (a fixed real file, a hostile input that must be refused) show one
size and no ratio.

Shapes:
  flow-map        an entity whose annotations are a flow map of N keys on
                  one line
  long-scalar     an entity whose description is one N-byte line
  aliases         N aliases to small anchors (benign: expanded, linear)
  alias-bomb      a 1 MB scalar referenced by N aliases: refused with Y002
                  at the place, nothing aborts
  docs-one-file   N entity documents in one file (check and build)
  files           N entities, one per file (check and build)
  synthetic       scripts/gen-synthetic-catalog.py with N entities (check
                  and build)
  fifo            a named pipe as a descriptor and as a `$text` target:
                  reported, never read (a hang would show as a timeout)
  minified-corpus the shared corpus's Stripe and Slack specs, pretty and
                  minified to one line of JSON (needs ../shared/corpus)
  kubernetes      build of Kubernetes' swagger.json, when
                  KUBERNETES_SWAGGER names the file (not in the corpus)

Only the standard library is used. Build first:
    cargo build --release -p portolan
Run:
    scripts/stress-catalog.py [--bin target/release/portolan] [--scale 1.0]
                              [--shapes flow-map,files] [--timeout 120]
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.environ.get("PORTOLAN_CORPUS", os.path.join(REPO, "..", "shared", "corpus"))

# Base sizes N (the table also runs 4N).
BASE_SIZES = {
    "flow-map": 10000,
    "long-scalar": 1_250_000,
    "aliases": 25000,
    "alias-bomb": 1250,
    "docs-one-file": 25000,
    "files": 25000,
    "synthetic": 25000,
}

OWNER = """apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: platform
spec:
  type: team
  children: []
"""


def component(name, extra="", description="A service"):
    return (
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n"
        f"  name: {name}\n  description: {description}\n{extra}"
        "spec:\n  type: service\n  lifecycle: production\n  owner: platform\n"
    )


def write(root, path, text):
    full = os.path.join(root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as f:
        f.write(text)
    return len(text.encode())


def make_flow_map(root, n):
    pairs = ", ".join(f"example.com/key-{i}: value-{i}" for i in range(n))
    write(root, "org.yaml", OWNER)
    return write(root, "catalog-info.yaml",
                 component("flow", extra=f"  annotations: {{{pairs}}}\n"))


def make_long_scalar(root, n):
    write(root, "org.yaml", OWNER)
    words = ("lorem ipsum dolor sit amet " * (n // 27 + 1))[:n]
    return write(root, "catalog-info.yaml", component("long", description=words.strip()))


def make_aliases(root, n):
    lines = [OWNER, "---\n", component("aliased", extra="  tags: [a]\n")]
    lines.append("  anchors:\n")
    for i in range(n):
        lines.append(f"    k{i}: &a{i} value-{i}\n")
    lines.append("  uses:\n")
    for i in range(n):
        lines.append(f"    u{i}: *a{i}\n")
    # `anchors` and `uses` sit under spec, which the schema allows to hold
    # extra keys.
    return write(root, "catalog-info.yaml", "".join(lines))


def make_alias_bomb(root, n):
    big = "x" * (1 << 20)
    body = [OWNER, "---\n", component("bomb")]
    body.append(f"  payload: &big {big}\n  copies:\n")
    body += [f"    - *big\n" for _ in range(n)]
    # A healthy entity after the bomb, to show the rest is still checked.
    body += ["---\n", component("healthy")]
    return write(root, "catalog-info.yaml", "".join(body))


def make_docs_one_file(root, n):
    docs = [OWNER] + [component(f"svc-{i}", description=f"Service {i}") for i in range(n - 1)]
    return write(root, "catalog-info.yaml", "---\n".join(docs))


def make_files(root, n):
    size = write(root, "org.yaml", OWNER)
    for i in range(n - 1):
        size += write(root, f"services/{i % 100:02d}/svc-{i}/catalog-info.yaml",
                      component(f"svc-{i}", description=f"Service {i}"))
    return size


def make_synthetic(root, n):
    subprocess.run(
        [sys.executable, os.path.join(REPO, "scripts", "gen-synthetic-catalog.py"),
         "--entities", str(n), "--seed", "1", "--out", root],
        check=True, stdout=subprocess.DEVNULL)
    return sum(os.path.getsize(os.path.join(d, f))
               for d, _, files in os.walk(root) for f in files)


SCALED = {
    "flow-map": (make_flow_map, ["check"]),
    "long-scalar": (make_long_scalar, ["check"]),
    "aliases": (make_aliases, ["check"]),
    "alias-bomb": (make_alias_bomb, ["check"]),
    "docs-one-file": (make_docs_one_file, ["check", "build"]),
    "files": (make_files, ["check", "build"]),
    "synthetic": (make_synthetic, ["check", "build"]),
}

FIXED = ["fifo", "minified-corpus", "kubernetes"]


def measure(argv):
    """Run argv as this (fresh) process's only child, so its peak RSS is
    this process's RUSAGE_CHILDREN maximum. Prints `seconds maxrss_kb rc`."""
    timeout = float(os.environ.get("STRESS_TIMEOUT", "120"))
    start = time.perf_counter()
    try:
        rc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, timeout=timeout).returncode
        rc = str(rc)
    except subprocess.TimeoutExpired:
        rc = "timeout"
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"{seconds:.3f} {usage.ru_maxrss} {rc} {usage.ru_utime:.3f} {usage.ru_stime:.3f}")


def run(binary, command, root, out, timeout):
    """(seconds, peak RSS in MB, exit status or 'timeout', user CPU seconds,
    system CPU seconds)."""
    argv = [binary, command, "--root", root]
    if command == "build":
        argv += ["--out", out, "--fail-on", "never", "-q"]
    else:
        argv += ["--format", "concise", "-q"]
    env = dict(os.environ, STRESS_TIMEOUT=str(timeout))
    line = subprocess.run([sys.executable, os.path.abspath(__file__), "--measure", *argv],
                          capture_output=True, text=True, check=True, env=env).stdout.split()
    return float(line[0]), int(line[1]) / 1024, line[2], float(line[3]), float(line[4])


def cell(seconds, rc, timeout):
    if rc == "timeout":
        return f"> {timeout:.0f}"
    flag = "" if rc in ("0", "1") else f" (exit {rc})"
    return f"{seconds:.2f}{flag}"


def scaled_rows(binary, shape, base, tmp, timeout):
    make, commands = SCALED[shape]
    results = {c: [] for c in commands}
    sizes = []
    for n in (base, 4 * base):
        root = os.path.join(tmp, f"{shape}-{n}")
        os.makedirs(root)
        sizes.append(make(root, n))
        for command in commands:
            out = os.path.join(tmp, "site")
            results[command].append(run(binary, command, root, out, timeout))
            shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(root)
    for command in commands:
        (s1, m1, r1, u1, y1), (s4, m4, r4, u4, y4) = results[command]
        done = "timeout" not in (r1, r4)
        ratio = f"{s4 / s1:.1f}" if done and s1 > 0 else "–"
        user_ratio = f"{u4 / u1:.1f}" if done and u1 > 0 else "–"
        print(f"| {shape} | {command} | {base:,} / {4 * base:,} | "
              f"{sizes[0] / 1e6:.1f} / {sizes[1] / 1e6:.1f} MB | "
              f"{cell(s1, r1, timeout)} | {m1:.0f} | {cell(s4, r4, timeout)} | {m4:.0f} | "
              f"{ratio} | {u1:.2f} / {u4:.2f} | {user_ratio} | {y1:.2f} / {y4:.2f} |",
              flush=True)


def fixed_row(shape, label, command, size, result, timeout):
    seconds, mb, rc, user, system = result
    print(f"| {shape} | {command} | {label} | {size / 1e6:.1f} MB | "
          f"{cell(seconds, rc, timeout)} | {mb:.0f} | | | | {user:.2f} | | {system:.2f} |",
          flush=True)


def fifo_rows(binary, tmp, timeout):
    root = os.path.join(tmp, "fifo")
    os.makedirs(root)
    write(root, "org.yaml", OWNER)
    write(root, "api.yaml", "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n"
          "  name: piped\nspec:\n  type: openapi\n  lifecycle: production\n"
          "  owner: platform\n  definition:\n    $text: ./pipe.json\n")
    os.mkfifo(os.path.join(root, "pipe.json"))
    os.mkfifo(os.path.join(root, "catalog-info.yaml"))
    result = run(binary, "check", root, None, timeout)
    fixed_row("fifo", "2 named pipes", "check", 0, result, timeout)
    shutil.rmtree(root)


def api_catalog(root, spec_name, text):
    write(root, spec_name, text)
    return write(root, "catalog-info.yaml",
                 "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: spec\n"
                 "spec:\n  type: openapi\n  lifecycle: production\n  owner: platform\n"
                 f"  definition:\n    $text: ./{spec_name}\n") + len(text.encode())


def spec_as_json(binary, path, tmp):
    """The spec at `path` as a JSON value. YAML specs are read through
    portolan's own bundler (the standard library has no YAML reader): a
    build writes each API's bundled definition as `apis/<ns>/<name>.json`."""
    if path.endswith(".json"):
        with open(path) as f:
            return json.load(f)
    root = os.path.join(tmp, "convert")
    os.makedirs(root)
    with open(path) as f:
        api_catalog(root, "spec.yaml", f.read())
    out = os.path.join(tmp, "convert-site")
    subprocess.run([binary, "build", "--root", root, "--out", out, "--fail-on", "never", "-q"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(os.path.join(out, "apis", "default", "spec.json")) as f:
        doc = json.load(f)
    shutil.rmtree(root)
    shutil.rmtree(out)
    return doc


def minified_rows(binary, tmp, timeout):
    specs = [("stripe", "openapi/stripe/openapi/spec3.yaml"),
             ("slack", "openapi/slack/web-api/slack_web_openapi_v2.json")]
    for name, rel in specs:
        path = os.path.join(CORPUS, rel)
        if not os.path.isfile(path):
            print(f"| minified-corpus | check | {name} | – | skipped: {rel} not in the corpus | | | | | | | |",
                  flush=True)
            continue
        doc = spec_as_json(binary, path, tmp)
        for label, text in (("pretty", json.dumps(doc, indent=2)),
                            ("one line", json.dumps(doc, separators=(",", ":")))):
            root = os.path.join(tmp, f"{name}-{label.replace(' ', '-')}")
            os.makedirs(root)
            size = api_catalog(root, "spec.json", text)
            result = run(binary, "check", root, None, timeout)
            fixed_row("minified-corpus", f"{name}, {label}", "check", size, result, timeout)
            shutil.rmtree(root)


def kubernetes_rows(binary, tmp, timeout):
    path = os.environ.get("KUBERNETES_SWAGGER")
    if not path or not os.path.isfile(path):
        print("| kubernetes | build | swagger.json | – | skipped: set KUBERNETES_SWAGGER "
              "| | | | | | | |", flush=True)
        return
    root = os.path.join(tmp, "kubernetes")
    os.makedirs(root)
    with open(path) as f:
        size = api_catalog(root, "swagger.json", f.read())
    write(root, "org.yaml", OWNER)
    for command in ("check", "build"):
        out = os.path.join(tmp, "site")
        result = run(binary, command, root, out, timeout)
        fixed_row("kubernetes", "swagger.json", command, size, result, timeout)
    # A second build over the first site: the usual case in CI caches and
    # local rebuilds.
    result = run(binary, "build", root, os.path.join(tmp, "site"), timeout)
    fixed_row("kubernetes", "swagger.json, rebuild", "build", size, result, timeout)
    shutil.rmtree(os.path.join(tmp, "site"), ignore_errors=True)
    shutil.rmtree(root)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--measure":
        measure(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", default=os.path.join(REPO, "target/release/portolan"))
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every base size N")
    parser.add_argument("--shapes", default=",".join(list(SCALED) + FIXED))
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds per run before it is killed")
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)
    if not os.access(binary, os.X_OK):
        sys.exit(f"{binary} not found: cargo build --release -p portolan")
    shapes = [s for s in args.shapes.split(",") if s]
    for shape in shapes:
        if shape not in SCALED and shape not in FIXED:
            sys.exit(f"unknown shape {shape!r} (known: {', '.join(list(SCALED) + FIXED)})")

    print("| shape | command | N / 4N | input | N s | N MB | 4N s | 4N MB | ratio 4N/N "
          "| user CPU s N / 4N | user ratio | system CPU s N / 4N |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    tmp = tempfile.mkdtemp(prefix="portolan-stress-")
    try:
        for shape in shapes:
            if shape in SCALED:
                base = max(1, int(BASE_SIZES[shape] * args.scale))
                scaled_rows(binary, shape, base, tmp, args.timeout)
            elif shape == "fifo":
                fifo_rows(binary, tmp, args.timeout)
            elif shape == "minified-corpus":
                minified_rows(binary, tmp, args.timeout)
            elif shape == "kubernetes":
                kubernetes_rows(binary, tmp, args.timeout)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
