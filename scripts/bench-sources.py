#!/usr/bin/env python3
"""An org-wide catalog (`[[sources]]`) at scale: a central catalog whose one
Location names R repositories by URL, each a bare repository on disk holding
10 entities (8 components, an API whose OpenAPI definition is `$text`, a
resource), read through git at the URL's ref.

For each R in --repos (default "250 1000"), generates the repositories (git
fast-import; outside the central catalog, read with --allow-read) and times
whole-process runs of

    portolan check --allow-read ../repos -q
    portolan build --allow-read ../repos --out OUT -q    (cold: OUT removed)

printing the median wall time, user CPU and peak RSS of --runs runs (GNU
time), and the ratio between the largest and smallest R (near R ratio is
linear). Targets (issue 15): 1,000 repositories, check < 3 s, build < 15 s.

Usage: scripts/bench-sources.py [--bin target/release/portolan]
         [--repos "250 1000"] [--runs 3] [--work /tmp/portolan-bench-sources]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

TIME = "/usr/bin/time"


def descriptor(i, repos):
    team = f"team-{i % 50:02d}"
    docs = []
    for c in range(8):
        docs.append(
            f"""apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: svc-{i:04d}-c{c}
  description: Component {c} of repository {i}
  tags: [bench, r{i % 7}]
spec:
  type: service
  lifecycle: production
  owner: group:default/{team}
  system: sys-{i:04d}
  dependsOn: [resource:default/db-{i:04d}]
  {"providesApis: [api-" + f"{i:04d}" + "]" if c == 0 else "consumesApis: [api-" + f"{(i + 1) % repos:04d}" + "]"}
"""
        )
    docs.append(
        f"""apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: api-{i:04d}
spec:
  type: openapi
  lifecycle: production
  owner: group:default/{team}
  system: sys-{i:04d}
  definition:
    $text: ./openapi.yaml
"""
    )
    docs.append(
        f"""apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: db-{i:04d}
spec:
  type: database
  owner: group:default/{team}
  system: sys-{i:04d}
"""
    )
    return "---\n".join(docs)


def openapi(i):
    return f"""openapi: 3.0.3
info:
  title: API {i}
  version: "1.0"
paths:
  /items:
    get:
      operationId: listItems{i}
      responses:
        "200":
          description: the items
          content:
            application/json:
              schema:
                type: array
                items:
                  $ref: "#/components/schemas/Item"
components:
  schemas:
    Item:
      type: object
      required: [id]
      properties:
        id: {{type: string}}
        name: {{type: string}}
"""


def blob(text):
    data = text.encode()
    return b"data %d\n" % len(data) + data + b"\n"


def make_repo(path, i, repos):
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", path], check=True)
    stream = (
        b"commit refs/heads/main\n"
        b"committer Bench <bench@example.com> 1767225600 +0000\n"
        + blob("first")
        + b"M 100644 inline catalog-info.yaml\n"
        + blob(descriptor(i, repos))
        + b"M 100644 inline openapi.yaml\n"
        + blob(openapi(i))
    )
    subprocess.run(
        ["git", "--git-dir", path, "fast-import", "--quiet"], input=stream, check=True
    )


def make_org(work, repos):
    root = os.path.join(work, f"org-{repos}")
    if os.path.isdir(root):
        return root
    tmp = root + ".partial"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.join(tmp, "repos"))
    os.makedirs(os.path.join(tmp, "central"))
    for i in range(repos):
        make_repo(os.path.join(tmp, "repos", f"svc-{i:04d}.git"), i, repos)
    targets = "".join(
        f"    - https://github.com/acme/svc-{i:04d}/blob/main/catalog-info.yaml\n"
        for i in range(repos)
    )
    groups = "".join(
        f"---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-{t:02d}\nspec:\n  type: team\n  children: []\n"
        for t in range(50)
    )
    systems = "".join(
        f"---\napiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: sys-{i:04d}\nspec:\n  owner: group:default/team-{i % 50:02d}\n"
        for i in range(repos)
    )
    with open(os.path.join(tmp, "central", "catalog-info.yaml"), "w") as f:
        f.write(
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: org\nspec:\n  targets:\n"
            + targets
            + groups
            + systems
        )
    with open(os.path.join(tmp, "central", "portolan.toml"), "w") as f:
        f.write(
            '[[sources]]\nurl = "https://github.com/acme/"\npath = "../repos/{repo}.git"\n\n[changelog]\nmax_commits = 0\n'
        )
    os.rename(tmp, root)
    return root


def timed(cmd, cwd):
    with tempfile.NamedTemporaryFile("r") as out:
        proc = subprocess.run(
            [TIME, "-f", "%e %U %M", "-o", out.name] + cmd,
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        wall, user, rss = out.read().split()[-3:]
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode()[-2000:]}")
    return float(wall), float(user), int(rss) / 1024


def measure(cmd, cwd, runs, before=None):
    results = []
    for _ in range(runs):
        if before:
            before()
        results.append(timed(cmd, cwd))
    return tuple(statistics.median(r[k] for r in results) for k in range(3))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", default="target/release/portolan")
    parser.add_argument("--repos", default="250 1000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", default="/tmp/portolan-bench-sources")
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)
    os.makedirs(args.work, exist_ok=True)
    rows = []
    for repos in [int(r) for r in args.repos.split()]:
        root = make_org(args.work, repos)
        central = os.path.join(root, "central")
        out = os.path.join(root, "site")
        check = measure(
            [binary, "check", "--allow-read", "../repos", "-q"], central, args.runs
        )
        build = measure(
            [binary, "build", "--allow-read", "../repos", "--out", out, "-q"],
            central,
            args.runs,
            before=lambda: shutil.rmtree(out, ignore_errors=True),
        )
        pages = sum(len(files) for _, _, files in os.walk(out))
        rows.append((repos, check, build, pages))
        print(
            f"{repos:>5} repositories, {repos * 10 + 50 + repos + 1} entities: "
            f"check {check[0]:.2f} s (user {check[1]:.2f} s, {check[2]:.0f} MB)  "
            f"build {build[0]:.2f} s (user {build[1]:.2f} s, {build[2]:.0f} MB, {pages} files)",
            flush=True,
        )
    if len(rows) > 1:
        (r0, c0, b0, _), (r1, c1, b1, _) = rows[0], rows[-1]
        print(
            f"ratio {r1 // r0}x repositories: check {c1[0] / c0[0]:.1f}x, build {b1[0] / b0[0]:.1f}x"
        )


if __name__ == "__main__":
    main()
