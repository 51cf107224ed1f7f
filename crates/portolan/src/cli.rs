//! The command line: clap types live here and are converted into the plain
//! option structs the libraries take.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// portolan compiles a Backstage-format catalog (catalog-info.yaml files,
/// API definitions, docs) into a checked, static developer portal.
///
/// Start with `portolan check` in a repository that holds catalog-info.yaml
/// files: it finds every descriptor, follows Location entities, and reports
/// every problem with file:line:col.
#[derive(Debug, Parser)]
#[command(
    name = "portolan",
    version = crate::VERSION,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Catalog root. Default: the nearest directory upwards holding
    /// portolan.toml, else the git work tree's top level, else `.`.
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// Configuration file. Default: portolan.toml in the catalog root (every
    /// key is optional; no file at all is fine).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Read the catalog as of this git revision (branch, tag, commit) straight
    /// from the repository's object database: no checkout, works in bare
    /// repositories.
    #[arg(long, global = true, value_name = "REV")]
    pub rev: Option<String>,

    /// When to use colour in output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Print only diagnostics: no summary line.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print what portolan is doing (files discovered, timings).
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// Clone or update every repository `[[sources]]` maps (those the
    /// catalog's Location URLs name) into the fetch cache, and read them
    /// from there. Runs `git`, with the credentials it is configured with,
    /// several repositories at once; a repository that cannot be fetched is
    /// a diagnostic, the rest of the catalog is still read.
    #[arg(long, global = true, help_heading = "Repositories ([[sources]])")]
    pub fetch: bool,

    /// Where --fetch keeps its clones, and where a `[[sources]]` entry
    /// without `path` reads them. Default: .portolan/cache in the catalog
    /// root.
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        help_heading = "Repositories ([[sources]])"
    )]
    pub cache_dir: Option<PathBuf>,

    /// A directory outside the catalog root that `[[sources]]` paths (and
    /// file:// clone URLs) may read from, e.g. `--allow-read ../repos`.
    /// What a catalog's portolan.toml says never makes portolan read
    /// outside its root on its own. Repeatable.
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        help_heading = "Repositories ([[sources]])"
    )]
    pub allow_read: Vec<PathBuf>,

    /// How many repositories --fetch clones or updates at once.
    #[arg(long, global = true, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64), help_heading = "Repositories ([[sources]])")]
    pub fetch_jobs: u16,

    /// Make --fetch's clones shallow, N commits deep. History-based facts
    /// (last change, API changelogs) then see only those commits. Default:
    /// the whole history.
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..), help_heading = "Repositories ([[sources]])")]
    pub fetch_depth: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint catalog descriptors: schemas, Backstage's format rules, references
    /// across the catalog, and your policies; the API definitions they
    /// name: their validity (`A` codes) and design (`L` codes, set by
    /// `[lint]` in portolan.toml); and the scorecards' files, gates
    /// (`[[scorecards.gates]]`) and expired waivers.
    ///
    /// With FILES (what a pre-commit hook passes), the whole catalog is still
    /// loaded, since references need it, but only findings in those files
    /// are reported, and those files are read as descriptors whatever their
    /// names.
    ///
    /// Exit status: 0 when nothing is at or above --fail-on, 1 when something
    /// is, 2 on a usage or fatal error.
    #[command(
        after_help = "Examples:\n  portolan check                          # the whole catalog\n  portolan check services/payments/catalog-info.yaml\n  portolan check --format github          # annotations in a GitHub Actions job\n  portolan check --format sarif > portolan.sarif\n  portolan check --rev origin/main        # the catalog as committed, no checkout\n  portolan check --explain R001           # what a code means\n  portolan check --explain operation-operationId  # a lint rule, by Spectral's name too"
    )]
    Check(CheckArgs),

    /// Check the catalog and write the portal into a directory.
    ///
    /// Writes plain HTML pages (home, catalog explorer, one page per entity,
    /// checks, 404; readable without JavaScript), `catalog.json` (every
    /// entity with its relations, source location, API summary and
    /// findings) and each API's bundled definition
    /// (`apis/<namespace>/<name>.json` and `.yaml`: one self-contained file,
    /// every `$ref`'d file pulled in). The directory is replaced atomically:
    /// it holds either the previous build or the new one, never half of
    /// each. When findings reach --fail-on, nothing is written and the exit
    /// status is 1.
    ///
    /// portolan replaces only a directory it made (each site carries a
    /// `.portolan-site` marker): DIR must be missing, empty or marked, and
    /// may not be the catalog root, a directory above it or one holding
    /// catalog files; `out_dir` in portolan.toml must stay inside the root.
    /// Otherwise nothing is touched and the exit status is 2.
    #[command(
        after_help = "Examples:\n  portolan build --out site\n  portolan build --rev origin/main --out /srv/portal\n  portolan build --fail-on never   # publish even with errors"
    )]
    Build(BuildArgs),

    /// Search the portal's index: entities, API operations, schemas,
    /// AsyncAPI channels and messages, and docs sections.
    ///
    /// The words of QUERY rank results (names and titles count most, then
    /// tags, then summaries, then the rest; the last word also matches as a
    /// prefix, words of five letters or more also with one typo), and
    /// `facet:value` words filter them: kind (component, api, group, ...,
    /// operation, schema, channel, message, docs), owner, lifecycle, api,
    /// type, tag, system. An owner, api or system is named by its name or
    /// its ref. Reads the index `portolan build` writes into `_search` of
    /// the site. A query holds at most 1,024 bytes and 32 words, each word
    /// at most 64 bytes (no longer word is indexed); serve's `/_search`
    /// takes the same.
    ///
    /// Exit status: 0 when something matched, 1 when nothing did, 2 on a
    /// usage or fatal error (e.g. no index, a query past the limits).
    #[command(
        after_help = "Examples:\n  portolan search refund\n  portolan search listRefunds             # an operationId\n  portolan search 'GET /payments'\n  portolan search kind:api owner:payments-team\n  portolan search kind:docs rollback --limit 3\n  portolan search --format json refund | jq '.[0].url'\n  portolan search --index /srv/portal/_search refund"
    )]
    Search(SearchArgs),

    /// Preview the portal locally: check and render it into memory, serve
    /// it over HTTP, and rebuild it when a file of the catalog changes.
    ///
    /// Open pages reload on their own after a rebuild (the reload script is
    /// added by serve only, never written by build). A change that does not
    /// build shows its findings in the terminal and over the page, while
    /// the last good site stays served. The site is served at the root
    /// (`/`): `base_url` under [site] is for build. A rebuild redoes only
    /// what the change reaches. Also: `GET /_search?q=...&limit=N` answers
    /// with the search hits as JSON.
    ///
    /// serve is for this machine, and any web page open in its browser can
    /// send it requests, so it answers only requests for `localhost`,
    /// `*.localhost` or an IP address it listens on (any port): any other
    /// `Host` gets 421 (a page whose name was made to resolve to 127.0.0.1
    /// cannot read the portal). Only GET and HEAD without a body; a request
    /// target over 8 KiB is 414, header fields over 16 KiB 431. Connections
    /// idle for 5 s are closed (event streams stay), and at most as many
    /// are kept as the limit of open files allows (`ulimit -n`, at most
    /// 1,024): past that, the longest idle ones are closed for new ones.
    /// Every response carries a Content-Security-Policy and
    /// `X-Content-Type-Options: nosniff`.
    #[command(
        after_help = "Examples:\n  portolan serve                          # http://127.0.0.1:8000/\n  portolan serve --port 0 --open          # any free port, open a browser\n  portolan serve --bind 0.0.0.0           # reachable from other machines"
    )]
    Serve(ServeArgs),

    /// Report the contract changes between two revisions of the catalog's
    /// APIs, from their clients' point of view: what breaks them, what may,
    /// and what is only news.
    ///
    /// Both revisions are read through git with no checkout (bare
    /// repositories work; `$ref`'d files are read from the same revision);
    /// without --head the head is the working tree as it is on disk. APIs
    /// are matched by entity ref. Each API's definition (OpenAPI 2.0, 3.0,
    /// 3.1 or AsyncAPI 2.x, 3.0) is compared whole: operations, parameters,
    /// request and response bodies (requests may not narrow, responses may
    /// not widen), security, servers, channels and messages; refactors
    /// (`$ref` ↔ inline, renamed path variables, moved keys, split files,
    /// documentation) are no change. The catalog's own changes count too:
    /// an API added or removed, deprecated, given another owner, or no
    /// longer provided by a component. Every change names the entities that
    /// consume the API and their owners.
    ///
    /// Levels: breaking (an error: existing clients fail), warning (some
    /// may), info. `[rules]` in portolan.toml sets a code's level for every
    /// API; `[[diff.rules]]` entries set it per API and operation, with a
    /// reason and an expiry date (the head revision's portolan.toml, or
    /// --config). `portolan check --explain C001` explains a code.
    ///
    /// Exit status: 0 when no change is at or above --fail-on, 1 when one
    /// is, 2 on a usage or fatal error (a revision that does not resolve).
    #[command(
        after_help = "Examples:\n  portolan diff --base origin/main                 # a pull request's changes\n  portolan diff --base v1.4.0 --head v2.0.0 payments\n  portolan diff --base origin/main --format github  # annotations on the PR\n  portolan diff --base origin/main --format markdown > comment.md\n  portolan diff --base HEAD~1 --fail-on warning"
    )]
    Diff(DiffArgs),

    /// Print the levels entities reach on the catalog's scorecards.
    ///
    /// Scorecards are YAML files under `scorecards/` (`dir` under
    /// `[scorecards]` in portolan.toml): ordered levels, and rules that
    /// compare a built-in fact with a value (--list-facts lists them), apply
    /// a JSON Schema to `{entity, facts}`, or name a `[[policies]]` entry.
    /// Each rule is pass, fail, not-applicable, exempt (a waiver in the
    /// file, until its expiry date), pending (before its `enforceFrom`
    /// date: shown, not counted) or unknown (its fact cannot be computed,
    /// e.g. git facts outside git); an entity's level is the highest whose
    /// rules and all lower levels' rules are pass, exempt, not-applicable
    /// or pending. Git facts are relative to the HEAD commit (or --rev), not
    /// the clock. `check` enforces `[[scorecards.gates]]` (S002) and warns
    /// about expired waivers (S003).
    ///
    /// Exit status: 0 when every scorecard file is valid, 1 when one has
    /// errors (printed on stderr), 2 on a usage or fatal error (NAME names
    /// no scorecard).
    #[command(
        after_help = "Examples:\n  portolan scorecard                              # every scorecard\n  portolan scorecard production-readiness --group payments-team\n  portolan scorecard --format markdown > levels.md\n  portolan scorecard --format csv > levels.csv\n  portolan scorecard --list-facts"
    )]
    Scorecard(ScorecardArgs),
}

#[derive(Debug, Args)]
pub struct ScorecardArgs {
    /// The scorecard to show: its id (file name without extension) or its
    /// name. Default: every scorecard.
    #[arg(value_name = "NAME")]
    pub name: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ScorecardFormat::Human)]
    pub format: ScorecardFormat,

    /// Only the entities this group owns (`payments-team` or
    /// `group:default/payments-team`).
    #[arg(long, value_name = "TEAM")]
    pub group: Option<String>,

    /// The day waivers and `enforceFrom` dates are compared with
    /// (YYYY-MM-DD). Default: today (UTC), or the day of
    /// `SOURCE_DATE_EPOCH` when that is set.
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,

    /// List the built-in facts rules can use (name, type, description),
    /// as text or, with `--format json`, JSON; and exit.
    #[arg(long)]
    pub list_facts: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScorecardFormat {
    /// Levels per entity, with the rules not passed and why.
    Human,
    /// Every scorecard, entity and rule state, with fact values.
    Json,
    /// A table per scorecard (for a pull request comment or a wiki).
    Markdown,
    /// One row per entity and rule.
    Csv,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The revision to compare from (branch, tag, commit): what clients use
    /// today.
    #[arg(long, value_name = "REV")]
    pub base: String,

    /// The revision to compare to. Default: the working tree, as it is on
    /// disk.
    #[arg(long, value_name = "REV")]
    pub head: Option<String>,

    /// APIs to compare, by entity ref (`payments`, `api:shop/payments`).
    /// Default: every API entity of either revision.
    #[arg(value_name = "ENTITY_REF")]
    pub apis: Vec<String>,

    /// Output format. `markdown` is for a pull-request comment (a summary
    /// table and the changes per API); `json` groups the changes by API
    /// with owners and consumers.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,

    /// Lowest level that makes the exit status 1.
    #[arg(long, value_enum, default_value_t = DiffFailOn::Breaking, value_name = "LEVEL")]
    pub fail_on: DiffFailOn,

    /// The date `x-sunset` dates and the expiry of `[[diff.rules]]` entries
    /// are compared with (YYYY-MM-DD). Default: today (UTC), or the day of
    /// `SOURCE_DATE_EPOCH` when that is set.
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Code frames at the change in the head, and where it was in the base.
    Human,
    /// One line per change: `path:line:col: severity[CODE] message`.
    Concise,
    /// Every API compared, with its owner, consumers and changes.
    Json,
    /// SARIF 2.1.0; the base location is a related location, and every
    /// change has a stable fingerprint.
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
    /// A pull-request comment: a summary table, then the changes per API.
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFailOn {
    Breaking,
    Warning,
    Never,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on; 0 picks a free one (the URL is printed).
    #[arg(long, default_value_t = 8000, value_name = "N")]
    pub port: u16,

    /// Address to listen on. The default keeps the portal on this machine.
    /// Requests must name this address (or localhost) in their Host; bound
    /// to all addresses (0.0.0.0, ::), any IP address, but no other name.
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub bind: String,

    /// Open the portal in a browser once it is served.
    #[arg(long)]
    pub open: bool,

    /// Serve one audience's portal (as `build --audience`).
    #[arg(long, value_name = "NAME")]
    pub audience: Option<String>,

    /// Lowest severity that keeps a rebuild from replacing the served site.
    #[arg(long, value_enum, default_value_t = FailOn::Error, value_name = "SEVERITY")]
    pub fail_on: FailOn,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to look for: words, and `facet:value` filters.
    #[arg(value_name = "QUERY", required = true, num_args = 1..)]
    pub query: Vec<String>,

    /// The index directory. Default: `_search` in the site directory
    /// (`out_dir` under [site] in portolan.toml, else `site` in the
    /// catalog root).
    #[arg(long, value_name = "DIR")]
    pub index: Option<PathBuf>,

    /// Most results to show.
    #[arg(long, default_value_t = 10, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub limit: u16,

    /// Output format.
    #[arg(long, value_enum, default_value_t = SearchFormat::Human)]
    pub format: SearchFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SearchFormat {
    /// One line per result: kind, title, subtitle and site path (and, in
    /// colour, the matching text under it).
    Human,
    /// A JSON array of results, best first, with scores and snippets.
    Json,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Output directory (relative to the current directory). Default:
    /// `out_dir` under [site] in portolan.toml, else `site` in the catalog
    /// root.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// URL path the site is served under, when not the host's root: e.g.
    /// `/portal/` for GitHub Pages project sites. Every link starts with it.
    /// A path (not `//host/`) or an http(s) URL. Default: `base_url` under [site] in
    /// portolan.toml, else `/`.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,

    /// Build for one audience: only entities annotated
    /// `portolan.dev/audience: NAME` are published, and nothing about the
    /// others (pages, relations, names in references, findings, specs)
    /// reaches any output file.
    #[arg(long, value_name = "NAME")]
    pub audience: Option<String>,

    /// Lowest severity that stops the build (nothing is written; exit 1).
    #[arg(long, value_enum, default_value_t = FailOn::Error, value_name = "SEVERITY")]
    pub fail_on: FailOn,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Descriptor files to report on (paths relative to the current
    /// directory). Default: every descriptor of the catalog.
    #[arg(value_name = "FILES")]
    pub files: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,

    /// Lowest severity that makes the exit status 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error, value_name = "SEVERITY")]
    pub fail_on: FailOn,

    /// Explain a diagnostic code (e.g. `R001` or `dangling-reference`), or
    /// `all` to list every code, and exit.
    #[arg(long, value_name = "CODE", exclusive = true)]
    pub explain: Option<String>,

    /// Write every current design-lint finding (`L` codes) to the lint
    /// baseline, so that later checks report only new ones: to the file
    /// `baseline` under `[lint]` names, else `lint-baseline.json` in the
    /// catalog root (then add `baseline = "lint-baseline.json"` there).
    /// Other findings are reported as usual and never baselined.
    #[arg(long, conflicts_with = "files")]
    pub write_baseline: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Code frames with the offending line highlighted (for people).
    Human,
    /// One line per finding: `path:line:col: severity[CODE] message`.
    Concise,
    /// A JSON document with every finding and a summary.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning and other CI dashboards).
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Never,
}
