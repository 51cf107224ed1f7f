#!/usr/bin/env python3
"""stress-markdown.py: time `portolan build` on markdown of hostile shapes
(issue 16, finding 4: deeply nested markdown rendered in time quadratic in
its size).

What it measures
    For each shape below and each size N and 4N (bytes of markdown), a
    catalog of one group and one component whose description (`$text`) and
    only docs page (`techdocs-ref: dir:docs`, docs/index.md) are that
    markdown. It runs
        BIN build --root CATALOG --out OUT --fail-on never -q
    once and prints a markdown table: seconds, peak RSS (MB) and the ratio
    of the 4N time to the N time. A build that renders in time linear in
    its input has a ratio near 4 (less while start-up dominates); a
    quadratic stage shows ~16.

    Shapes (N is the size in bytes; nesting grows with it):
        bq-line      `> > > … x`: nested blockquotes on one line
        bq-lines     one more `>` per line: `>`, `> >`, `> > >`, …
        list-line    `- - - … x`: nested lists on one line
        list-indent  one more level per line, `- ` indented by two spaces
        emphasis     `*_*_… x …_*_*`: nested emphasis
        brackets     `[[[[… x ](u)](u)…`: nested links and brackets
        html-block   `<div><div>… x …</div></div>`: nested raw HTML
        html-inline  `a <span>a <span>…`: nested inline HTML, never closed
        html-misnest `<span><div><i><i>…` then `</span>` over and over: end
                     tags that html5ever ignores (a `div` is in the way)
        backticks    runs of 1, 2, 3, … backticks, none closed
        headings     `# h1`, `# h2`, …: one heading per line (docs pages
                     look up each heading's anchor in the page)
        mix          all of the above, one after another, 1 MB at N

How to run
    cargo build --release -p portolan --bin portolan   # once
    scripts/stress-markdown.py                         # from anywhere

Environment
    STRESS_BIN=PATH       the binary (default target/release/portolan)
    STRESS_SIZE=BYTES     N (default 64000; 4N is also run)
    STRESS_SHAPES="a b"   only these shapes
    STRESS_TIMEOUT=SECS   a run is killed after this long (default 60)
"""

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

OWNER = """apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: stress
  description:
    $text: ./description.md
  annotations:
    backstage.io/techdocs-ref: dir:docs
spec:
  type: service
  lifecycle: production
  owner: team-a
"""


def grow(size, piece):
    """Lines from piece(i), i = 1, 2, ..., until `size` bytes."""
    out, total, i = [], 0, 1
    while total < size:
        line = piece(i)
        out.append(line)
        total += len(line)
        i += 1
    return "".join(out)


def nested(size, open_, middle, close):
    depth = max(1, (size - len(middle)) // (len(open_) + len(close)))
    return open_ * depth + middle + close * depth


SHAPES = {
    "bq-line": lambda n: nested(n, "> ", "x\n", ""),
    "bq-lines": lambda n: grow(n, lambda i: "> " * i + "x\n"),
    "list-line": lambda n: nested(n, "- ", "x\n", ""),
    "list-indent": lambda n: grow(n, lambda i: "  " * (i - 1) + "- x\n"),
    "emphasis": lambda n: nested(n, "*_", "x", "_*") + "\n",
    "brackets": lambda n: nested(n, "[", "x", "](http://a.example)") + "\n",
    "html-block": lambda n: nested(n, "<div>", "x", "</div>") + "\n",
    "html-inline": lambda n: nested(n, "a <span>", "x", "") + "\n",
    "html-misnest": lambda n: grow(n, lambda i: "<span><div>" + "<i>" * 60 if i == 1 else "</span>"),
    "backticks": lambda n: grow(n, lambda i: "a" + "`" * i),
    "headings": lambda n: grow(n, lambda i: f"# h{i}\n"),
}


def mix(n):
    shapes = [shape for name, shape in SHAPES.items() if name != "mix"]
    return "\n\n".join(shape(n // len(shapes)) for shape in shapes)


SHAPES["mix"] = lambda n: mix(n * 16)


def measure(argv):
    """Run argv in this (fresh) process's only child: its peak RSS is then
    this process's RUSAGE_CHILDREN maximum. Prints `seconds maxrss_kb rc`."""
    timeout = float(os.environ.get("STRESS_TIMEOUT", "60"))
    start = time.perf_counter()
    try:
        rc = subprocess.run(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout
        ).returncode
    except subprocess.TimeoutExpired:
        rc = "timeout"
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"{seconds:.3f} {rss} {rc}")


def run_build(binary, markdown):
    with tempfile.TemporaryDirectory(prefix="stress-markdown-") as tmp:
        root = os.path.join(tmp, "root")
        os.makedirs(os.path.join(root, "docs"))
        with open(os.path.join(root, "catalog-info.yaml"), "w") as f:
            f.write(OWNER)
        for path in ("description.md", "docs/index.md"):
            with open(os.path.join(root, path), "w") as f:
                f.write(markdown)
        argv = [binary, "build", "--root", root, "--out", os.path.join(tmp, "out"),
                "--fail-on", "never", "-q"]
        line = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--measure", *argv],
            capture_output=True, text=True, check=True,
        ).stdout.split()
        seconds, rss_kb, rc = float(line[0]), int(line[1]), line[2]
        return seconds, rss_kb / 1024, rc


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--measure":
        measure(sys.argv[2:])
        return
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    binary = os.environ.get("STRESS_BIN", os.path.join(repo, "target/release/portolan"))
    if not shutil.which(binary):
        sys.exit(f"stress-markdown: no binary at {binary}; "
                 "cargo build --release -p portolan --bin portolan")
    size = int(os.environ.get("STRESS_SIZE", "64000"))
    timeout = os.environ.get("STRESS_TIMEOUT", "60")
    names = os.environ.get("STRESS_SHAPES", " ".join(SHAPES)).split()
    print(f"| shape | N bytes | N s | N MB | 4N s | 4N MB | 4N/N |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in names:
        cells = []
        times = []
        for n in (size, 4 * size):
            markdown = SHAPES[name](n)
            seconds, mb, rc = run_build(binary, markdown)
            if rc == "timeout":
                cells += [f"> {timeout}", f"{mb:.0f}"]
                times.append(None)
            else:
                flag = "" if rc in ("0", "1") else f" (exit {rc})"
                cells += [f"{seconds:.2f}{flag}", f"{mb:.0f}"]
                times.append(seconds)
            actual = len(markdown.encode())
            if n == size:
                first = actual
        ratio = f"{times[1] / times[0]:.1f}" if None not in times and times[0] > 0 else "–"
        print(f"| {name} | {first:,} | " + " | ".join(cells) + f" | {ratio} |", flush=True)


if __name__ == "__main__":
    main()
