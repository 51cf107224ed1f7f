#!/usr/bin/env python3
"""Generate a synthetic Backstage software catalog for benchmarks and tests.

The output is a directory tree shaped like a real monorepo catalog:

    DIR/catalog-info.yaml                       Location -> ./org/*.yaml
    DIR/org/<organization>.yaml                 the organization Group
    DIR/org/<department>.yaml                   a department Group, its team Groups
                                                and the Users whose main team is there
    DIR/<domain>/catalog-info.yaml              Domain
    DIR/<domain>/<system>/catalog-info.yaml     System (+ shared Resources, multi-document)
    DIR/<domain>/<system>/<component>/catalog-info.yaml
                                                Component (+ APIs it provides with an inline
                                                definition and Resources it owns, multi-document)
    DIR/<domain>/<system>/<api>/catalog-info.yaml + openapi.yaml
                                                API whose definition is {$text: ./openapi.yaml}
                                                (or a standalone API with an inline definition)
    DIR/.synthetic-catalog                      marker: generator hash and arguments

Every entity lives in the `default` namespace and every reference resolves
(owner, domain, system, parent/children, memberOf, providesApis, consumesApis,
dependsOn, subcomponentOf), written in a mix of `name`, `kind:name`,
`kind:default/name` and `default/name` forms, following Backstage's default
kind for each field. Component-to-component dependsOn edges only point at
earlier components, so the dependency graph is acyclic.

The output is byte-identical for the same arguments (and the same generator).
Python 3 standard library only.
"""

import argparse
import gc
import hashlib
import json
import math
import os
import re
import shutil
import sys
import tempfile
import time
from random import Random

API_VERSION = "backstage.io/v1alpha1"
NAMESPACE = "default"
ORG_NAME = "acme-corp"
EMAIL_DOMAIN = "acme.example"
GITHUB_ORG = "acme"
MARKER = ".synthetic-catalog"

# Share of the total entity count per kind. Components take what is left
# (about 50%) after one Location.
PROPORTIONS = [
    ("Group", 0.05),
    ("User", 0.10),
    ("Domain", 0.01),
    ("System", 0.04),
    ("API", 0.20),
    ("Resource", 0.10),
]
KIND_ORDER = ["Location", "Group", "User", "Domain", "System", "Component", "API", "Resource"]
MIN_ENTITIES = 50

NAME_RE = re.compile(r"^[a-z0-9A-Z]+([-_.][a-z0-9A-Z]+)*$")
TAG_RE = re.compile(r"^[a-z0-9:+#]+(\-[a-z0-9:+#]+)*$")

# --------------------------------------------------------------------------
# Word lists
# --------------------------------------------------------------------------

AREAS = """payments commerce identity logistics search media analytics marketing
billing inventory fulfillment messaging security platform data risk compliance
growth support pricing shipping checkout loyalty notifications content
recommendations ads partners finance people legal procurement observability
developer infrastructure mobile insurance lending travel booking maps telemetry
devices gaming streaming social trust fraud onboarding storefront merchandising
returns subscriptions rewards marketplace""".split()

DOMAIN_QUALIFIERS = """core emea apac americas latam nordics internal enterprise
consumer b2b retail ops labs edge global partner pro lite next classic mobile web
wholesale""".split()

DEPT_SUFFIXES = ["engineering", "eng", "org", "tribe"]

NOUNS = """ledger wallet invoice order cart account profile session token quote
rate shipment parcel route carrier warehouse stock sku product price promo
coupon review rating index query feed timeline message inbox email sms push
alert audit event report metric trace config feature flag experiment segment
cohort customer merchant vendor contract policy claim payout refund dispute
chargeback subscription plan entitlement license asset image video upload
document template workflow task job scheduler batch ingest export sync catalog
menu booking slot calendar ticket case chat bot geo address tax currency fx kyc
score model forecast label consent device firmware store basket receipt
settlement reconciliation fee bundle offer banner campaign lead survey""".split()

SYSTEM_SUFFIXES = ["platform", "hub", "engine", "core", "suite", "services"]

COMPONENT_ROLES = {
    "service": """service worker processor consumer scheduler gateway backend
    sync indexer adapter daemon router""".split(),
    "website": "web ui portal admin console dashboard frontend app".split(),
    "library": "lib sdk client common utils models proto schemas".split(),
}
COMPONENT_TYPE_WEIGHTS = [("service", 0.5), ("website", 0.15), ("library", 0.35)]

API_QUALIFIERS = ["events", "admin", "public", "internal", "query", "batch", "webhooks"]

RESOURCE_TYPES = [
    # (spec.type, name suffixes, tags)
    ("database", ["db", "postgres", "mysql", "store"], ["postgres", "mysql", "aws", "rds"]),
    ("s3-bucket", ["bucket", "archive", "blobs"], ["aws", "s3"]),
    ("message-queue", ["queue", "sqs"], ["aws", "sqs"]),
    ("kafka-topic", ["topic", "stream"], ["kafka", "streaming"]),
    ("cache", ["cache", "redis"], ["redis", "cache"]),
    ("search-index", ["search-index", "es"], ["elasticsearch"]),
]

LIFECYCLES = [("production", 0.65), ("experimental", 0.22), ("deprecated", 0.13)]

LANG_TAGS = ["java", "kotlin", "go", "python", "typescript", "rust", "c++", "c#", "scala", "ruby"]
FRAMEWORK_TAGS = {
    "service": ["spring-boot", "grpc", "graphql", "rest", "kafka", "fastapi", "gin", "actix"],
    "website": ["react", "nextjs", "vue", "angular", "svelte"],
    "library": ["sdk", "shared", "codegen", "protobuf"],
}
MISC_TAGS = ["pci", "gdpr", "tier-1", "tier-2", "tier-3", "k8s", "aws", "gcp", "lang:go",
             "team:core", "on-call", "legacy", "public", "internal", "soc2", "v2"]
API_TAGS = ["rest", "public", "internal", "partner", "v1", "v2", "json", "webhooks", "b2b"]

FIRST_NAMES = """james mary robert patricia john jennifer michael linda david elizabeth
william barbara richard susan joseph jessica thomas sarah charles karen
christopher lisa daniel nancy matthew betty anthony margaret mark sandra
donald ashley steven kimberly paul emily andrew donna joshua michelle kenneth
carol kevin amanda brian melissa george deborah timothy stephanie ronald
rebecca jason sharon edward laura jeffrey cynthia ryan amy jacob angela
aisha wei yuki priya arjun mateo sofia lucas chloe omar fatima""".split()

LAST_NAMES = """smith johnson williams brown jones garcia miller davis rodriguez
martinez hernandez lopez gonzalez wilson anderson thomas taylor moore jackson
martin lee perez thompson white harris sanchez clark ramirez lewis robinson
walker young allen king wright scott torres nguyen hill flores green adams
nelson baker hall rivera campbell mitchell carter roberts gomez phillips evans
turner diaz parker cruz edwards collins reyes stewart morris morales murphy
cook rogers gutierrez ortiz morgan cooper peterson bailey reed kelly howard
ramos kim cox ward richardson watson brooks chavez wood james bennett gray
mendoza ruiz hughes price alvarez castillo sanders patel tanaka chen singh""".split()

TEAM_ADJECTIVES = """brave calm clever bold bright swift quiet happy lucky mighty noble
rapid sharp silent sunny wild wise zesty agile cosmic crimson golden iron
jade lunar polar royal rustic silver solar stellar velvet vivid amber azure
coral frosty misty""".split()

TEAM_ANIMALS = """otter falcon badger lynx heron panda koala tiger wolf fox owl eagle
hawk raven bison moose yak orca dolphin seal walrus penguin puffin gecko
iguana cobra viper mantis beetle hornet marten ferret beaver lemur gibbon
jaguar cheetah puma ocelot ibex gazelle okapi tapir narwhal manatee pelican
stork crane kestrel condor osprey""".split()

WHAT = ["data", "requests", "records", "workflows", "events", "lookups"]
VERBS = ["Manages", "Handles", "Owns", "Provides", "Serves", "Processes", "Tracks", "Exposes"]

# --------------------------------------------------------------------------
# Minimal deterministic YAML emitter (block style, safe quoting)
# --------------------------------------------------------------------------


class Literal:
    """A string emitted as a YAML literal block scalar (`key: |`)."""

    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text


_PLAIN_RE = re.compile(r"^[A-Za-z_./$][A-Za-z0-9 _./:+#@=,()$'-]*$")
_FLOATISH_RE = re.compile(r"^\.(inf|nan|[0-9].*)$", re.IGNORECASE)
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


_SCALAR_CACHE = {}


def scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    s = str(v)
    cached = _SCALAR_CACHE.get(s)
    if cached is not None:
        return cached
    out = _scalar(s)
    if len(_SCALAR_CACHE) < 1_000_000:
        _SCALAR_CACHE[s] = out
    return out


def _scalar(s):
    if (
        _PLAIN_RE.match(s)
        and not s.endswith((" ", ":"))
        and ": " not in s
        and " #" not in s
        and s.lower() not in _RESERVED
        and not _FLOATISH_RE.match(s)
    ):
        return s
    return json.dumps(s)  # a JSON string is a valid YAML double-quoted scalar


def emit_map(d, ind, out):
    for k, v in d.items():
        key = scalar(k)
        if isinstance(v, dict):
            if v:
                out.append(f"{ind}{key}:")
                emit_map(v, ind + "  ", out)
            else:
                out.append(f"{ind}{key}: {{}}")
        elif isinstance(v, list):
            if v:
                out.append(f"{ind}{key}:")
                emit_seq(v, ind + "  ", out)
            else:
                out.append(f"{ind}{key}: []")
        elif isinstance(v, Literal):
            out.append(f"{ind}{key}: |")
            for line in v.text.rstrip("\n").split("\n"):
                out.append(f"{ind}  {line}" if line else "")
        else:
            out.append(f"{ind}{key}: {scalar(v)}")


def emit_seq(items, ind, out):
    for item in items:
        if isinstance(item, dict):
            sub = []
            emit_map(item, ind + "  ", sub)
            sub[0] = ind + "- " + sub[0][len(ind) + 2:]
            out.extend(sub)
        else:
            out.append(f"{ind}- {scalar(item)}")


def to_yaml(doc):
    out = []
    emit_map(doc, "", out)
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


class Names:
    """Globally unique entity names (also keeps directory names collision-free)."""

    def __init__(self):
        self.used = {"org"}  # reserved: the org/ directory
        self.next_suffix = {}

    def pick(self, make_base, tries=6):
        """Call make_base() up to `tries` times and keep the first unused name;
        fall back to a numeric suffix on the first candidate."""
        first = None
        for _ in range(tries):
            base = make_base()[:56].strip("-_.")
            if first is None:
                first = base
            if base not in self.used:
                self.used.add(base)
                return base
        return self.take(first)

    def take(self, base):
        base = base[:56].strip("-_.")
        if base not in self.used:
            self.used.add(base)
            return base
        i = self.next_suffix.get(base, 2)
        while f"{base}-{i}" in self.used:
            i += 1
        self.next_suffix[base] = i + 1
        name = f"{base}-{i}"
        self.used.add(name)
        return name


def weighted(rng, pairs):
    r = rng.random()
    acc = 0.0
    for value, w in pairs:
        acc += w
        if r < acc:
            return value
    return pairs[-1][0]


def ref(rng, kind, name, default_kind=None):
    """An entity reference in one of the forms Backstage accepts for the field."""
    k = kind.lower()
    r = rng.random()
    if default_kind == kind:
        if r < 0.55:
            return name
        if r < 0.60:
            return f"{NAMESPACE}/{name}"
        if r < 0.85:
            return f"{k}:{name}"
        return f"{k}:{NAMESPACE}/{name}"
    if r < 0.75:
        return f"{k}:{name}"
    return f"{k}:{NAMESPACE}/{name}"


ACRONYMS = {"api": "API", "ui": "UI", "sdk": "SDK", "db": "DB", "fx": "FX", "kyc": "KYC",
            "sms": "SMS", "sku": "SKU", "b2b": "B2B", "es": "ES", "sqs": "SQS"}


def title_of(name):
    return " ".join(ACRONYMS.get(p, p.capitalize()) for p in re.split(r"[-_.]", name) if p)


def stem_of(name):
    """'ledger-sync-worker-3' -> 'ledger-sync'; 'ledger' -> 'ledger'."""
    parts = name.split("-")
    if len(parts) > 1 and parts[-1].isdigit():
        parts.pop()
    if len(parts) > 1:
        parts.pop()
    return "-".join(parts)


def distribute(rng, n_items, buckets, min_each=1, spread=(0.3, 3.0)):
    """Assign n_items to buckets (indices); every bucket gets min_each if possible."""
    nb = len(buckets)
    out = []
    if n_items >= nb * min_each:
        for b in range(nb):
            out.extend([b] * min_each)
    weights = [rng.uniform(*spread) for _ in range(nb)]
    cum = []
    acc = 0.0
    for w in weights:
        acc += w
        cum.append(acc)
    while len(out) < n_items:
        x = rng.random() * acc
        lo, hi = 0, nb - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if cum[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        out.append(lo)
    rng.shuffle(out)
    return out


def plan_counts(n):
    counts = {"Location": 1}
    for kind, share in PROPORTIONS:
        counts[kind] = max(1, round(n * share))
    counts["Group"] = max(3, counts["Group"])  # organization + department + team
    counts["Component"] = n - sum(counts.values())
    if counts["Component"] < counts["System"]:
        raise SystemExit(f"--entities {n} is too small (need at least {MIN_ENTITIES})")
    return counts


# --------------------------------------------------------------------------
# OpenAPI documents
# --------------------------------------------------------------------------


def openapi_text(rng, api_name, title, version, resource_nouns, full):
    lines = [
        "openapi: 3.0.3",
        "info:",
        f"  title: {scalar(title)}",
        f"  version: {json.dumps(version)}",
    ]
    if full:
        lines += [
            f"  description: {scalar('Synthetic OpenAPI description for ' + api_name + '.')}",
            "servers:",
            f"  - url: https://{api_name}.internal.{EMAIL_DOMAIN}/v1",
        ]
    lines.append("paths:")
    for noun in resource_nouns:
        plural = noun + "s"
        schema = noun.capitalize()
        lines += [
            f"  /{plural}:",
            "    get:",
            f"      operationId: list{schema}s",
            f"      summary: List {plural}",
            "      responses:",
            "        \"200\":",
            "          description: OK",
        ]
        if full:
            lines += [
                "          content:",
                "            application/json:",
                "              schema:",
                "                type: array",
                "                items:",
                f"                  $ref: \"#/components/schemas/{schema}\"",
                "    post:",
                f"      operationId: create{schema}",
                f"      summary: Create a {noun}",
                "      requestBody:",
                "        required: true",
                "        content:",
                "          application/json:",
                "            schema:",
                f"              $ref: \"#/components/schemas/{schema}\"",
                "      responses:",
                "        \"201\":",
                "          description: Created",
                f"  /{plural}/{{id}}:",
                "    get:",
                f"      operationId: get{schema}",
                f"      summary: Get a {noun}",
                "      parameters:",
                "        - name: id",
                "          in: path",
                "          required: true",
                "          schema:",
                "            type: string",
                "      responses:",
                "        \"200\":",
                "          description: OK",
                "        \"404\":",
                "          description: Not found",
            ]
    if full:
        lines += ["components:", "  schemas:"]
        for noun in resource_nouns:
            fields = rng.sample(["name", "status", "amount", "currency", "createdAt",
                                 "updatedAt", "ownerId", "region", "priority", "version"], 3)
            lines += [
                f"    {noun.capitalize()}:",
                "      type: object",
                "      required: [id]",
                "      properties:",
                "        id:",
                "          type: string",
            ]
            for f in fields:
                lines += [f"        {f}:", "          type: string"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------


def generate(n, seed):
    """Return (files, counts): files maps relative path -> str content."""
    rng = Random(f"portolan-synthetic-catalog:{seed}")
    counts = plan_counts(n)
    names = Names()

    # ---------------- org tree ----------------
    n_groups = counts["Group"]
    n_depts = min(max(1, round(math.sqrt(n_groups - 1))), n_groups - 2)
    n_teams = n_groups - 1 - n_depts

    org = names.take(ORG_NAME)
    depts = []
    for _ in range(n_depts):
        depts.append(names.pick(lambda: f"{rng.choice(AREAS)}-{rng.choice(DEPT_SUFFIXES)}"))
    team_dept = distribute(rng, n_teams, depts)
    teams = []
    def team_base():
        if rng.random() < 0.75:
            return f"team-{rng.choice(TEAM_ADJECTIVES)}-{rng.choice(TEAM_ANIMALS)}"
        return f"{rng.choice(NOUNS)}-squad"

    for _ in range(n_teams):
        teams.append(names.pick(team_base))
    teams_of_dept = {d: [] for d in depts}
    dept_of_team = {}
    for t, di in zip(teams, team_dept):
        teams_of_dept[depts[di]].append(t)
        dept_of_team[t] = depts[di]

    users = []
    user_teams = {}
    members_of_team = {t: [] for t in teams}
    user_team_idx = distribute(rng, counts["User"], teams, min_each=0)
    def user_base():
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        style = rng.random()
        if style < 0.8:
            return f"{first}.{last}"
        if style < 0.9:
            return f"{first}_{last}"
        return f"{first[0]}{last}"

    for ti in user_team_idx:
        u = names.pick(user_base, tries=3)
        users.append(u)
        ts = [teams[ti]]
        if rng.random() < 0.15:
            other = rng.choice(teams)
            if other != ts[0]:
                ts.append(other)
        user_teams[u] = ts
        for t in ts:
            members_of_team[t].append(u)

    # ---------------- domains & systems ----------------
    domains = []
    domain_owner = {}
    for _ in range(counts["Domain"]):
        area = rng.choice(AREAS)
        d = names.pick(lambda: area if rng.random() < 0.4
                       else f"{area}-{rng.choice(DOMAIN_QUALIFIERS)}")
        domains.append(d)
        domain_owner[d] = rng.choice(depts)

    systems = []
    system_domain = {}
    system_owner = {}
    for di in distribute(rng, counts["System"], domains):
        d = domains[di]
        def system_base():
            noun = rng.choice(NOUNS)
            r = rng.random()
            if r < 0.3:
                return noun
            if r < 0.7:
                return f"{noun}-{rng.choice(SYSTEM_SUFFIXES)}"
            return f"{noun}-{rng.choice(NOUNS)}"

        s = names.pick(system_base)
        systems.append(s)
        system_domain[s] = d
        dept_teams = teams_of_dept[domain_owner[d]]
        if dept_teams and rng.random() < 0.85:
            system_owner[s] = rng.choice(dept_teams)
        else:
            system_owner[s] = rng.choice(teams)

    # ---------------- components ----------------
    comps = []  # dicts, index = generation order
    comps_of_system = {s: [] for s in systems}
    for si in distribute(rng, counts["Component"], systems):
        s = systems[si]
        ctype = weighted(rng, COMPONENT_TYPE_WEIGHTS)
        def component_base():
            role = rng.choice(COMPONENT_ROLES[ctype])
            r = rng.random()
            if r < 0.45:
                return f"{s.split('-')[0]}-{rng.choice(NOUNS)}-{role}"
            if r < 0.85:
                return f"{rng.choice(NOUNS)}-{role}"
            return f"{rng.choice(NOUNS)}-{rng.choice(NOUNS)}-{role}"

        name = names.pick(component_base)
        owner_team = system_owner[s]
        r = rng.random()
        if r < 0.80:
            owner = ("Group", owner_team)
        elif r < 0.92:
            owner = ("Group", rng.choice(teams_of_dept[dept_of_team[owner_team]]))
        elif r < 0.97:
            owner = ("Group", rng.choice(teams))
        else:
            pool = members_of_team[owner_team] or users
            owner = ("User", rng.choice(pool))
        c = {
            "idx": len(comps),
            "name": name,
            "type": ctype,
            "system": s,
            "owner": owner,
            "lifecycle": weighted(rng, LIFECYCLES),
            "provides": [],
            "consumes": [],
            "depends": [],
            "inline_apis": [],
            "resources": [],
        }
        comps.append(c)
        comps_of_system[s].append(c)

    # ---------------- APIs ----------------
    apis = []
    apis_of_domain = {d: [] for d in domains}
    standalone_apis = []  # APIs with their own folder
    for si in distribute(rng, counts["API"], systems, min_each=0):
        s = systems[si]
        pool = comps_of_system[s]
        services = [c for c in pool if c["type"] == "service"]
        provider = rng.choice(services) if services and rng.random() < 0.9 else rng.choice(pool)
        stem = stem_of(provider["name"])

        def api_base():
            r = rng.random()
            if r < 0.45:
                base = f"{stem}-api"
            elif r < 0.75:
                base = f"{stem}-{rng.choice(API_QUALIFIERS)}-api"
            else:
                base = f"{rng.choice(NOUNS)}-{rng.choice(NOUNS)}-api"
            if rng.random() < 0.1:
                base += f"-v{rng.randint(2, 4)}"
            return base

        name = names.pick(api_base)
        text_ref = rng.random() < 0.25
        a = {
            "name": name,
            "system": s,
            "provider": provider,
            "owner": provider["owner"] if provider["owner"][0] == "Group" else ("Group", system_owner[s]),
            "lifecycle": provider["lifecycle"] if rng.random() < 0.8 else weighted(rng, LIFECYCLES),
            "text": text_ref,
            "nouns": [rng.choice(NOUNS) for _ in range(rng.randint(1, 3))],
            "version": f"{rng.randint(1, 4)}.{rng.randint(0, 12)}.{rng.randint(0, 9)}",
        }
        # de-duplicate path nouns, keeping order
        a["nouns"] = list(dict.fromkeys(a["nouns"]))
        apis.append(a)
        apis_of_domain[system_domain[s]].append(a)
        provider["provides"].append(a)
        if not text_ref and rng.random() < 0.7:
            provider["inline_apis"].append(a)
        else:
            standalone_apis.append(a)

    # ---------------- resources ----------------
    resources = []
    resources_of_system = {s: [] for s in systems}
    system_resources = {s: [] for s in systems}  # placed in the system file
    for si in distribute(rng, counts["Resource"], systems, min_each=0):
        s = systems[si]
        rtype, suffixes, rtags = rng.choice(RESOURCE_TYPES)
        attached = rng.choice(comps_of_system[s]) if rng.random() < 0.6 else None
        stem = stem_of(attached["name"]) if attached else s.split("-")[0]
        name = names.pick(lambda: f"{stem}-{rng.choice(suffixes)}" if rng.random() < 0.5
                          else f"{stem}-{rng.choice(NOUNS)}-{rng.choice(suffixes)}")
        owner = attached["owner"] if attached and attached["owner"][0] == "Group" \
            else ("Group", system_owner[s])
        res = {
            "name": name,
            "type": rtype,
            "system": s,
            "owner": owner,
            "tags": rng.sample(rtags, rng.randint(0, min(2, len(rtags)))),
            "depends": [],
        }
        earlier = resources_of_system[s]
        if earlier and rng.random() < 0.15:
            res["depends"].append(rng.choice(earlier))
        resources.append(res)
        resources_of_system[s].append(res)
        if attached:
            attached["resources"].append(res)
            attached["depends"].append(("Resource", name))
        else:
            system_resources[s].append(res)
            if rng.random() < 0.7:
                rng.choice(comps_of_system[s])["depends"].append(("Resource", name))

    # ---------------- component relations ----------------
    for c in comps:
        s = c["system"]
        d = system_domain[s]
        if c["type"] in ("service", "website"):
            k = rng.choice([0, 0, 1, 1, 2, 2, 3, 4, 5])
            own = {a["name"] for a in c["provides"]}
            chosen = []
            for _ in range(k):
                pool = apis_of_domain[d] if apis_of_domain[d] and rng.random() < 0.6 else apis
                a = rng.choice(pool)
                if a["name"] not in own and a["name"] not in chosen:
                    chosen.append(a["name"])
            c["consumes"] = chosen
        # dependsOn other components: only earlier ones, so the graph is a DAG
        if c["idx"] > 0:
            k = rng.choice([0, 0, 1, 1, 1, 2, 3])
            same = [o for o in comps_of_system[s] if o["idx"] < c["idx"]]
            for _ in range(k):
                if same and rng.random() < 0.7:
                    o = rng.choice(same)
                else:
                    o = comps[rng.randrange(c["idx"])]
                dep = ("Component", o["name"])
                if dep not in c["depends"]:
                    c["depends"].append(dep)
        c["subcomponent_of"] = None
        if rng.random() < 0.03:
            parents = [o for o in comps_of_system[s] if o["idx"] < c["idx"] and o["type"] == "service"]
            if parents:
                c["subcomponent_of"] = rng.choice(parents)["name"]

    # ---------------- documents ----------------
    files = {}  # relpath -> list of document strings (or raw text for non-catalog files)
    raw = {}
    counts_out = {k: 0 for k in KIND_ORDER}

    def add(path, doc):
        files.setdefault(path, []).append(to_yaml(doc))
        counts_out[doc["kind"]] += 1

    def metadata(name, description=None, title=None, tags=None, extra=None):
        m = {"name": name}
        if rng.random() < 0.1:
            m["namespace"] = NAMESPACE
        if title:
            m["title"] = title
        if description:
            m["description"] = description
        if extra:
            m.update(extra)
        if tags:
            m["tags"] = tags
        return m

    def owner_ref(owner):
        kind, name = owner
        return ref(rng, kind, name, "Group")

    def group_doc(name, gtype, parent, children, description):
        spec = {"type": gtype}
        spec["profile"] = {"displayName": title_of(name), "email": f"{name}@{EMAIL_DOMAIN}"}
        if parent:
            spec["parent"] = ref(rng, "Group", parent, "Group")
        spec["children"] = [ref(rng, "Group", ch, "Group") for ch in children]
        return {
            "apiVersion": API_VERSION,
            "kind": "Group",
            "metadata": metadata(name, description),
            "spec": spec,
        }

    # root Location -> org files
    org_files = [f"org/{org}.yaml"] + [f"org/{d}.yaml" for d in depts]
    add("catalog-info.yaml", {
        "apiVersion": API_VERSION,
        "kind": "Location",
        "metadata": metadata(f"{org}-org", "Organization structure: groups and users"),
        "spec": {"type": "file", "targets": [f"./{p}" for p in org_files]},
    })
    add(f"org/{org}.yaml", group_doc(org, "organization", None, depts, "Acme Corporation"))
    users_of_dept = {d: [] for d in depts}
    for u in users:
        users_of_dept[dept_of_team[user_teams[u][0]]].append(u)
    for d in depts:
        path = f"org/{d}.yaml"
        add(path, group_doc(d, "department", org, teams_of_dept[d],
                            f"The {title_of(d)} department"))
        for t in teams_of_dept[d]:
            add(path, group_doc(t, "team", d, [], f"{title_of(t)} team"
                                if rng.random() < 0.85 else None))
        for u in users_of_dept[d]:
            parts = re.split(r"[._]", u.rsplit("-", 1)[0] if u[-1].isdigit() else u)
            add(path, {
                "apiVersion": API_VERSION,
                "kind": "User",
                "metadata": metadata(u),
                "spec": {
                    "profile": {
                        "displayName": " ".join(p.capitalize() for p in parts),
                        "email": f"{u}@{EMAIL_DOMAIN}",
                    },
                    "memberOf": [ref(rng, "Group", t, "Group") for t in user_teams[u]],
                },
            })

    for d in domains:
        add(f"{d}/catalog-info.yaml", {
            "apiVersion": API_VERSION,
            "kind": "Domain",
            "metadata": metadata(d, f"Everything related to {title_of(d).lower()}",
                                 title=title_of(d) if rng.random() < 0.5 else None),
            "spec": {"owner": ref(rng, "Group", domain_owner[d], "Group")},
        })

    def resource_doc(res):
        spec = {
            "type": res["type"],
            "owner": owner_ref(res["owner"]),
            "system": ref(rng, "System", res["system"], "System"),
        }
        if res["depends"]:
            spec["dependsOn"] = [ref(rng, "Resource", o["name"]) for o in res["depends"]]
        return {
            "apiVersion": API_VERSION,
            "kind": "Resource",
            "metadata": metadata(res["name"], f"{title_of(res['type'])} for {res['system']}"
                                 if rng.random() < 0.8 else None, tags=res["tags"]),
            "spec": spec,
        }

    for s in systems:
        d = system_domain[s]
        path = f"{d}/{s}/catalog-info.yaml"
        tags = rng.sample(MISC_TAGS, rng.randint(0, 2))
        add(path, {
            "apiVersion": API_VERSION,
            "kind": "System",
            "metadata": metadata(s, f"The {title_of(s)} system" if rng.random() < 0.9 else None,
                                 tags=tags),
            "spec": {
                "owner": ref(rng, "Group", system_owner[s], "Group"),
                "domain": ref(rng, "Domain", d, "Domain"),
            },
        })
        for res in system_resources[s]:
            add(path, resource_doc(res))

    def api_doc(a, definition):
        tags = rng.sample(API_TAGS, rng.randint(0, 3))
        return {
            "apiVersion": API_VERSION,
            "kind": "API",
            "metadata": metadata(a["name"], f"{title_of(a['name'])} (OpenAPI)"
                                 if rng.random() < 0.85 else None, tags=tags),
            "spec": {
                "type": "openapi",
                "lifecycle": a["lifecycle"],
                "owner": owner_ref(a["owner"]),
                "system": ref(rng, "System", a["system"], "System"),
                "definition": definition,
            },
        }

    for c in comps:
        s = c["system"]
        d = system_domain[s]
        name = c["name"]
        repo = f"https://github.com/{GITHUB_ORG}/{d}"
        links = []
        if c["type"] == "service" and rng.random() < 0.85:
            links.append({"url": f"https://runbooks.{EMAIL_DOMAIN}/{s}/{name}",
                          "title": "Runbook", "icon": "help", "type": "runbook"})
        if c["type"] != "library" and rng.random() < 0.5:
            links.append({"url": f"https://grafana.{EMAIL_DOMAIN}/d/{name}",
                          "title": "Dashboard", "icon": "dashboard", "type": "dashboard"})
        if rng.random() < 0.3:
            links.append({"url": f"{repo}/tree/main/{s}/{name}", "title": "Source",
                          "icon": "github"})
        ann = {"github.com/project-slug": f"{GITHUB_ORG}/{d}"}
        if rng.random() < 0.6:
            ann["backstage.io/techdocs-ref"] = "dir:."
        if c["type"] == "service":
            if rng.random() < 0.6:
                ann["pagerduty.com/service-id"] = "P" + "".join(
                    rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(6))
            if rng.random() < 0.5:
                ann["backstage.io/kubernetes-id"] = name
        if rng.random() < 0.2:
            ann["sonarqube.org/project-key"] = f"{GITHUB_ORG}_{name}"
        labels = {}
        if rng.random() < 0.3:
            labels["tier"] = str(rng.randint(1, 3))
        if rng.random() < 0.15:
            labels["cost-center"] = f"cc-{rng.randint(1000, 9999)}"
        tags = []
        if rng.random() < 0.85:
            tags.append(rng.choice(LANG_TAGS))
        if rng.random() < 0.6:
            tags.append(rng.choice(FRAMEWORK_TAGS[c["type"]]))
        for t in rng.sample(MISC_TAGS, rng.choice([0, 0, 1, 1, 2])):
            if t not in tags:
                tags.append(t)
        extra = {}
        if labels:
            extra["labels"] = labels
        extra["annotations"] = ann
        meta = metadata(
            name,
            f"{rng.choice(VERBS)} {rng.choice(NOUNS)} {rng.choice(WHAT)} for the {title_of(s)} system"
            if rng.random() < 0.85 else None,
            title=title_of(name) if rng.random() < 0.2 else None,
            tags=tags,
            extra=extra,
        )
        if links:
            meta["links"] = links
        spec = {
            "type": c["type"],
            "lifecycle": c["lifecycle"],
            "owner": owner_ref(c["owner"]),
            "system": ref(rng, "System", s, "System"),
        }
        if c["subcomponent_of"]:
            spec["subcomponentOf"] = ref(rng, "Component", c["subcomponent_of"], "Component")
        if c["provides"]:
            spec["providesApis"] = [ref(rng, "API", a["name"], "API") for a in c["provides"]]
        if c["consumes"]:
            spec["consumesApis"] = [ref(rng, "API", a, "API") for a in c["consumes"]]
        if c["depends"]:
            spec["dependsOn"] = [ref(rng, kind, nm) for kind, nm in c["depends"]]
        path = f"{d}/{s}/{name}/catalog-info.yaml"
        add(path, {"apiVersion": API_VERSION, "kind": "Component", "metadata": meta, "spec": spec})
        for a in c["inline_apis"]:
            title = f"{title_of(a['name'])}"
            add(path, api_doc(a, Literal(openapi_text(rng, a["name"], title, a["version"],
                                                     a["nouns"][:2], full=False))))
        for res in c["resources"]:
            add(path, resource_doc(res))

    for a in standalone_apis:
        d = system_domain[a["system"]]
        base = f"{d}/{a['system']}/{a['name']}"
        title = title_of(a["name"])
        if a["text"]:
            add(f"{base}/catalog-info.yaml", api_doc(a, {"$text": "./openapi.yaml"}))
            raw[f"{base}/openapi.yaml"] = openapi_text(rng, a["name"], title, a["version"],
                                                       a["nouns"], full=True)
        else:
            add(f"{base}/catalog-info.yaml", api_doc(a, Literal(openapi_text(
                rng, a["name"], title, a["version"], a["nouns"][:2], full=False))))

    # ---------------- assemble file text ----------------
    style = Random(f"portolan-synthetic-catalog-style:{seed}")
    out = {}
    for path in sorted(files):
        docs = files[path]
        head = ""
        r = style.random()
        if r < 0.15:
            head = f"# Catalog descriptor: {path}\n"
        elif r < 0.25:
            head = "---\n"
        sep = "---\n" if style.random() < 0.9 else "\n---\n"
        out[path] = head + sep.join(docs)
    for path in sorted(raw):
        out[path] = raw[path]
    for kind in KIND_ORDER:
        if counts_out[kind] != counts[kind]:
            raise AssertionError(f"internal: {kind} {counts_out[kind]} != {counts[kind]}")
    for nm in names.used:
        if not NAME_RE.match(nm) or len(nm) > 63:
            raise AssertionError(f"internal: bad name {nm!r}")
    return out, counts_out


def generator_digest():
    with open(os.path.abspath(__file__), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def marker_text(n, seed):
    return f"gen-synthetic-catalog entities={n} seed={seed} generator-sha256={generator_digest()}\n"


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="gen-synthetic-catalog.py",
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--entities", type=int, required=True, metavar="N",
                    help="total number of entities (Location included), e.g. 10000 or 100000; "
                         "about 5%% groups, 10%% users, 1%% domains, 4%% systems, "
                         "50%% components, 20%% APIs, 10%% resources")
    ap.add_argument("--out", required=True, metavar="DIR",
                    help="output directory; must not exist or be empty "
                         "(see --force)")
    ap.add_argument("--seed", type=int, default=1, metavar="S",
                    help="random seed (default 1); same arguments give byte-identical output")
    ap.add_argument("--force", action="store_true",
                    help=f"replace DIR if it is a catalog made by this script "
                         f"(it contains {MARKER}); never deletes anything else")
    ap.add_argument("--print-marker", action="store_true",
                    help=f"print the {MARKER} content these arguments would produce and exit "
                         "(used by scripts/bench-check.sh to decide whether to regenerate)")
    args = ap.parse_args(argv)
    if args.entities < MIN_ENTITIES:
        ap.error(f"--entities must be at least {MIN_ENTITIES}")

    if args.print_marker:
        sys.stdout.write(marker_text(args.entities, args.seed))
        return 0

    out_dir = os.path.abspath(args.out)
    if os.path.exists(out_dir):
        if not os.path.isdir(out_dir):
            ap.error(f"{args.out} exists and is not a directory")
        if os.listdir(out_dir):
            if not args.force:
                ap.error(f"{args.out} is not empty (use --force to replace a generated catalog)")
            if not os.path.isfile(os.path.join(out_dir, MARKER)):
                ap.error(f"{args.out} has no {MARKER} marker; refusing to delete it")

    t0 = time.monotonic()
    gc.disable()  # many small long-lived objects; the cyclic GC only costs time here
    files, counts = generate(args.entities, args.seed)
    gc.enable()

    parent = os.path.dirname(out_dir)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".gen-synthetic-catalog-", dir=parent)
    total_bytes = 0
    try:
        made = set()
        for path, text in files.items():
            full = os.path.join(tmp, path)
            d = os.path.dirname(full)
            if d not in made:
                os.makedirs(d, exist_ok=True)
                made.add(d)
            data = text.encode("utf-8")
            total_bytes += len(data)
            with open(full, "wb") as f:
                f.write(data)
        with open(os.path.join(tmp, MARKER), "w", encoding="utf-8") as f:
            f.write(marker_text(args.entities, args.seed))
        if os.path.exists(out_dir):
            shutil.rmtree(out_dir)  # empty, or a marked generated catalog (checked above)
        os.rename(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise

    per_kind = ", ".join(f"{k} {counts[k]}" for k in KIND_ORDER)
    print(f"wrote {len(files)} files, {total_bytes} bytes ({total_bytes / 1048576:.1f} MiB), "
          f"{sum(counts.values())} entities ({per_kind}) to {args.out} "
          f"[seed {args.seed}, {time.monotonic() - t0:.1f}s]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
