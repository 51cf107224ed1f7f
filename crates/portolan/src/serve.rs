//! `portolan serve`: check and render the site into memory, serve it over
//! HTTP, watch the catalog root, rebuild on change and tell open pages to
//! reload (or show what went wrong) over Server-Sent Events.
//!
//! Rebuilds are incremental ([`pipeline::Caches`]): only files a change
//! touched are read and parsed again, and only pages whose inputs changed
//! are rendered again. The search indexes are rebuilt after the new pages
//! are served (the page reloads first; search catches up a moment later).
//! The served site is an `Arc` behind a `RwLock`: a request clones the
//! `Arc` and lets go of the lock, a rebuild takes the lock only to swap the
//! pointer, so requests never see half a site and never hold up a rebuild.
//! A rebuild that fails keeps the last good site.

mod admission;
mod connections;
mod http;

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use hyper::body::Bytes;
use notify::{EventKind, RecursiveMode, Watcher};
use portolan_core::Severity;
use portolan_search::SearchIndex;
use portolan_site::Output;

use crate::ExitCode;
use crate::cli::{FailOn, GlobalArgs, ServeArgs};
use crate::pipeline::{self, Outcome, Report, SiteOptions};
use crate::workspace;

/// Quiet time after the last file event before rebuilding: editors that
/// save through a temporary file and a rename, and `git checkout`, change
/// many files within a few milliseconds.
const DEBOUNCE: Duration = Duration::from_millis(30);
/// A burst that never goes quiet still rebuilds this often.
const DEBOUNCE_MAX: Duration = Duration::from_secs(1);
/// How long a burst that leaves a changed file empty waits for more: a
/// file rewritten in place (Node's `writeFile`, a shell's `>`) is truncated
/// first and written after, and a busy machine can put more than
/// [`DEBOUNCE`] between the two. Rebuilding in between would show the
/// portal without that file's entities for one reload.
const EMPTY_FILE_GRACE: Duration = Duration::from_millis(300);

/// The thread that makes the data files after a rebuild (`None`: it could
/// not be started; they are made on the global pool).
static DATA_POOL: std::sync::LazyLock<Option<rayon::ThreadPool>> = std::sync::LazyLock::new(|| {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(|_| "portolan-data".into())
        .build()
        .ok()
});
/// Events an event stream may fall behind by before it is dropped.
const EVENT_QUEUE: usize = 16;

/// One good build, as served.
pub struct Site {
    output: Output,
    search: Option<Arc<SearchIndex>>,
    prepared: http::PreparedCache,
    /// Which rebuild made it (a late search index must not replace a newer
    /// build's site).
    generation: u64,
    /// The build as the `hello` and `reload` events name it, and as its
    /// pages name theirs (see [`http::reload_tag`]).
    build: String,
}

/// The open event streams, and what a new one is told first.
pub struct Events {
    streams: Mutex<Vec<tokio::sync::mpsc::Sender<Bytes>>>,
    /// `hello` (the build being served) and, while the last rebuild
    /// failed, its `error`.
    greeting: Mutex<(String, Option<String>)>,
}

impl Events {
    fn subscribe(&self, max: usize) -> Option<tokio::sync::mpsc::Receiver<Bytes>> {
        let mut streams = self.streams.lock().ok()?;
        // A stream whose connection closed has dropped its receiver.
        streams.retain(|s| !s.is_closed());
        if streams.len() >= max {
            return None;
        }
        let (sender, receiver) = tokio::sync::mpsc::channel(EVENT_QUEUE);
        let greeting = self.greeting.lock().ok()?;
        let _ = sender.try_send(http::event_frame("hello", &greeting.0).into());
        if let Some(error) = &greeting.1 {
            let _ = sender.try_send(http::event_frame("error", error).into());
        }
        streams.push(sender);
        Some(receiver)
    }

    fn broadcast(&self, frame: &str) {
        let frame = Bytes::from(frame.to_string());
        if let Ok(mut streams) = self.streams.lock() {
            // A stream too slow to take the event is dropped; the browser
            // reconnects and is greeted with the current state.
            streams.retain(|s| s.try_send(frame.clone()).is_ok());
        }
    }

    /// End every stream (serve is stopping).
    fn close(&self) {
        if let Ok(mut streams) = self.streams.lock() {
            streams.clear();
        }
    }
}

pub struct State {
    site: RwLock<Option<Arc<Site>>>,
    events: Events,
}

impl State {
    fn current(&self) -> Option<Arc<Site>> {
        self.site.read().ok()?.clone()
    }
}

enum Signal {
    Files(notify::Result<notify::Event>),
    Stop,
}

/// Catalog options that stay fixed for the whole session.
struct Session<'a> {
    global: &'a GlobalArgs,
    args: &'a ServeArgs,
    color: bool,
    /// Distinguishes this process's builds from a previous server's, so a
    /// page that reconnects to a restarted server reloads.
    started: u128,
    generation: u64,
    /// The last findings printed, so an unchanged warning list is not
    /// printed again on every rebuild.
    last_report: Option<Report>,
    /// Git history, read once at start (a commit made while serving shows
    /// up after a restart).
    history: Option<portolan_core::history::History>,
    /// What the last build keeps for the next.
    caches: pipeline::Caches,
}

impl Session<'_> {
    /// Build once; swap the site in when it built, else keep the last good
    /// one. `changed`: the catalog-relative paths changed since the last
    /// build (`None`: unknown, rebuild everything).
    fn rebuild(&mut self, state: &Arc<State>, changed: Option<&BTreeSet<String>>) {
        let started = Instant::now();
        match changed {
            Some(changed) => self.caches.invalidate(changed),
            None => {
                // Changelog comparisons are keyed by blob ids: still valid.
                let changelog = std::mem::take(&mut self.caches.changelog);
                self.caches = pipeline::Caches::default();
                self.caches.changelog = changelog;
            }
        }
        let first = state.current().is_none();
        let outcome = workspace::open(self.global).and_then(|workspace| {
            let options = SiteOptions {
                audience: self.args.audience.as_deref(),
                threshold: match self.args.fail_on {
                    FailOn::Error => Some(Severity::Error),
                    FailOn::Warning => Some(Severity::Warning),
                    FailOn::Never => None,
                },
                base_url: "/",
                color: self.color,
                history: self.history.clone(),
                // The first site is served complete; later ones get their
                // search index right after they are served.
                data: first,
            };
            pipeline::check_and_render(&workspace, &options, Some(&mut self.caches))
        });
        match outcome {
            Ok(Outcome::Rendered(rendered)) => {
                let rendered = *rendered;
                let mut output = rendered.output;
                let previous = state.current();
                if !first && let Some(previous) = &previous {
                    // Until the new index is ready, search answers from the
                    // last one.
                    for (path, bytes) in data_files(&previous.output) {
                        output.insert_shared(path.clone(), bytes.clone());
                    }
                }
                self.generation += 1;
                let search = match &previous {
                    Some(previous) if !first => previous.search.clone(),
                    _ => search_index(&output),
                };
                let build = format!("{}-{}", self.started, self.generation);
                let site = Site {
                    output,
                    search,
                    prepared: http::PreparedCache::default(),
                    generation: self.generation,
                    build: build.clone(),
                };
                if let Ok(mut current) = state.site.write() {
                    *current = Some(Arc::new(site));
                }
                if let Ok(mut greeting) = state.events.greeting.lock() {
                    *greeting = (build.clone(), None);
                }
                state.events.broadcast(&http::event_frame("reload", &build));
                let elapsed = started.elapsed();
                if !first {
                    refresh_search(state, self.generation, rendered.checked, rendered.build);
                }
                if self.last_report.as_ref() != Some(&rendered.report) {
                    eprint!("{}", rendered.report.human);
                }
                self.last_report = Some(rendered.report);
                if !self.global.quiet {
                    let pages = match &rendered.stats {
                        Some(stats) if !first => format!(
                            "{} file{} rendered, {} kept; ",
                            stats.rendered.len(),
                            pipeline::plural(stats.rendered.len()),
                            stats.reused
                        ),
                        _ => String::new(),
                    };
                    eprintln!(
                        "built {} entities in {} ms ({} error{}, {} warning{}; {pages}checked in {} ms, rendered in {} ms)",
                        rendered.entities,
                        elapsed.as_millis(),
                        rendered.summary.errors,
                        pipeline::plural(rendered.summary.errors),
                        rendered.summary.warnings,
                        pipeline::plural(rendered.summary.warnings),
                        rendered.checked_in.as_millis(),
                        rendered.rendered_in.as_millis(),
                    );
                }
            }
            Ok(Outcome::Failed { report, reason }) => {
                eprint!("{}", report.human);
                eprintln!("error: {reason}; still serving the last good site");
                let mut text = report.concise.clone();
                text.push_str(&reason);
                text.push('\n');
                self.fail(state, text);
                self.last_report = Some(report);
            }
            Err(err) => {
                let mut text = format!("{err}\n");
                for cause in err.chain().skip(1) {
                    text.push_str(&format!("  caused by: {cause}\n"));
                }
                eprint!("error: {text}");
                eprintln!("still serving the last good site");
                self.fail(state, text);
                self.last_report = None;
            }
        }
    }

    fn fail(&self, state: &State, text: String) {
        state.events.broadcast(&http::event_frame("error", &text));
        if let Ok(mut greeting) = state.events.greeting.lock() {
            greeting.1 = Some(text);
        }
    }
}

/// Make the data files (`catalog.json`, search indexes) of build
/// `generation` on another thread and put them into the served site,
/// unless a newer build is served by then.
fn refresh_search(
    state: &Arc<State>,
    generation: u64,
    checked: portolan_check::Checked,
    build: portolan_site::BuildOptions,
) {
    let state = state.clone();
    let superseded =
        move |state: &State| state.current().is_none_or(|s| s.generation != generation);
    let spawned = std::thread::Builder::new()
        .name("portolan-search".into())
        .spawn(move || {
            if superseded(&state) {
                return;
            }
            // On a pool of its own, one thread: the next rebuild (on the
            // global pool) must not queue behind the search index.
            let made = match DATA_POOL.as_ref() {
                Some(pool) => pool.install(|| portolan_site::render_data(&checked, &build)),
                None => portolan_site::render_data(&checked, &build),
            };
            let files = match made {
                Ok(files) => files,
                Err(err) => {
                    eprintln!(
                        "warning: the search index could not be rebuilt ({err}); search answers from the last one"
                    );
                    return;
                }
            };
            drop(checked);
            let Some(site) = state.current().filter(|s| s.generation == generation) else {
                return;
            };
            let mut output = site.output.clone();
            output.files.retain(|path, _| !is_data_file(path));
            for (path, bytes) in files {
                output.insert(path, bytes);
            }
            let search = search_index(&output);
            let site = Arc::new(Site {
                output,
                search,
                prepared: http::PreparedCache::default(),
                generation,
                build: site.build.clone(),
            });
            if let Ok(mut current) = state.site.write()
                && current.as_ref().is_some_and(|s| s.generation == generation)
            {
                *current = Some(site);
            }
        });
    if let Err(err) = spawned {
        eprintln!("warning: cannot start the search index thread: {err}");
    }
}

/// Whether a site file is one of the data files made after the pages
/// (`catalog.json`, the search indexes under `_search/`).
fn is_data_file(path: &str) -> bool {
    path == "catalog.json"
        || path
            .strip_prefix(portolan_site::search::INDEX_DIR)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The data files of a site.
fn data_files(output: &Output) -> impl Iterator<Item = (&String, &Arc<[u8]>)> {
    output.files.iter().filter(|(path, _)| is_data_file(path))
}

/// The tantivy index from the site's `_search/` files (what `portolan
/// search` reads from disk).
fn search_index(output: &Output) -> Option<Arc<SearchIndex>> {
    let prefix = format!("{}/", crate::search::INDEX_DIR);
    let files = output
        .files
        .iter()
        .filter_map(|(path, bytes)| {
            let name = path.strip_prefix(&prefix)?;
            (!name.contains('/')).then(|| (name.to_string(), bytes.to_vec()))
        })
        .collect();
    match SearchIndex::from_files(&files) {
        Ok(index) => Some(Arc::new(index)),
        Err(err) => {
            eprintln!("warning: the search index could not be opened: {err}");
            None
        }
    }
}

/// Whether a file event can change the site: not the output directory, not
/// `.git/`, `target/` or `node_modules/`, not editor swap files, and not
/// reads (the rebuild itself reads every file).
fn relevant(event: &notify::Event, root: &Path, ignored: &[PathBuf]) -> bool {
    if matches!(event.kind, EventKind::Access(_)) {
        return false;
    }
    event.paths.iter().any(|path| {
        if ignored.iter().any(|dir| path.starts_with(dir)) {
            return false;
        }
        let relative = path.strip_prefix(root).unwrap_or(path);
        let in_ignored_dir = relative.components().any(|c| {
            matches!(c, Component::Normal(name)
                if name == ".git" || name == "target" || name == "node_modules")
        });
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        let editor_temp = name.ends_with('~')
            || name.ends_with(".swp")
            || name.ends_with(".swx")
            || name.starts_with(".#")
            || name == "4913";
        !in_ignored_dir && !editor_temp
    })
}

/// Whether `path` is a regular file of zero bytes (see [`EMPTY_FILE_GRACE`]).
fn is_empty_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == 0)
}

/// Changed paths as catalog-relative `/`-separated paths; `None` when one
/// cannot be (outside the root), or when it changes what files the catalog
/// lists (`.gitignore`): then everything is rebuilt.
fn catalog_paths(root: &Path, changed: &BTreeSet<PathBuf>) -> Option<BTreeSet<String>> {
    let mut paths = BTreeSet::new();
    for path in changed {
        let relative = path.strip_prefix(root).ok()?;
        let mut parts = Vec::new();
        for component in relative.components() {
            match component {
                Component::Normal(name) => parts.push(name.to_str()?.to_string()),
                _ => return None,
            }
        }
        if parts
            .last()
            .is_some_and(|name| name == ".gitignore" || name == ".ignore")
        {
            return None;
        }
        paths.insert(parts.join("/"));
    }
    Some(paths)
}

fn open_browser(url: &str) {
    let (program, args): (&str, &[&str]) = if cfg!(target_os = "macos") {
        ("open", &[])
    } else if cfg!(windows) {
        ("cmd", &["/C", "start", ""])
    } else {
        ("xdg-open", &[])
    };
    let spawned = std::process::Command::new(program)
        .args(args)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(err) = spawned {
        eprintln!("warning: cannot open a browser ({program}: {err}); open {url} yourself");
    }
}

pub fn run(global: &GlobalArgs, args: &ServeArgs, color: bool) -> Result<ExitCode> {
    if global.rev.is_some() {
        bail!("serve watches the files of the work tree; --rev is for check and build");
    }
    let workspace = workspace::open(global)?;
    let root = workspace
        .root
        .canonicalize()
        .with_context(|| format!("cannot read {}", workspace.root.display()))?;
    let out_dir = root.join(workspace.config.site.out_dir.as_deref().unwrap_or("site"));
    drop(workspace);

    let state = Arc::new(State {
        site: RwLock::new(None),
        events: Events {
            streams: Mutex::new(Vec::new()),
            greeting: Mutex::new((String::new(), None)),
        },
    });
    let mut session = Session {
        global,
        args,
        color,
        started: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default(),
        generation: 0,
        last_report: None,
        history: portolan_core::history::recent_history(&root, "HEAD", pipeline::HISTORY_COMMITS),
        caches: pipeline::Caches::default(),
    };
    // Watch before the URL is printed: a change saved the moment the page
    // opens must not be missed.
    let (signals, incoming) = mpsc::channel();
    let stop = signals.clone();
    let mut interrupted = false;
    ctrlc::set_handler(move || {
        if interrupted {
            // A second Ctrl-C while a rebuild runs: do not wait for it.
            std::process::exit(130);
        }
        interrupted = true;
        let _ = stop.send(Signal::Stop);
    })
    .context("cannot install the Ctrl-C handler")?;

    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = signals.send(Signal::Files(event));
    })
    .context("cannot watch files")?;
    let watching = watcher.watch(&root, RecursiveMode::Recursive);
    if let Err(err) = &watching {
        eprintln!(
            "warning: cannot watch {} ({err}): the site will not rebuild on change",
            root.display()
        );
    }
    session.rebuild(&state, None);

    let bind: IpAddr = args
        .bind
        .parse()
        .with_context(|| format!("--bind {}: not an IP address", args.bind))?;
    let server = http::Server::start(SocketAddr::new(bind, args.port), state.clone())
        .map_err(|e| anyhow::anyhow!("cannot listen on {}:{}: {e}", args.bind, args.port))?;
    let url = format!("http://{}/", server.address());
    println!("serving {} at {url}", root.display());
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    if !bind.is_loopback() {
        eprintln!(
            "warning: listening on {bind}: anyone who can reach this machine can read the portal"
        );
    }

    if args.open {
        open_browser(&url);
    }
    if !global.quiet {
        eprintln!("watching {} for changes; Ctrl-C stops", root.display());
    }

    let ignored = vec![out_dir];
    loop {
        // Wait for the first change that matters...
        // An event the watcher could not deliver in full (an error, or a
        // queue that overflowed) means the caches cannot be trusted.
        let mut lost = false;
        let first = match incoming.recv() {
            Ok(Signal::Stop) | Err(_) => break,
            Ok(Signal::Files(Ok(event))) if relevant(&event, &root, &ignored) => event,
            Ok(Signal::Files(Ok(event))) if event.need_rescan() => {
                lost = true;
                event
            }
            Ok(Signal::Files(Err(err))) => {
                eprintln!("warning: watching files: {err}; rebuilding everything");
                lost = true;
                notify::Event::new(EventKind::Any)
            }
            Ok(Signal::Files(Ok(_))) => continue,
        };
        // ...then until the burst goes quiet.
        let burst_started = Instant::now();
        let mut last = burst_started;
        lost |= first.need_rescan();
        let mut changed: BTreeSet<PathBuf> = first.paths.into_iter().collect();
        let mut stop = false;
        loop {
            let mut quiet = DEBOUNCE.saturating_sub(last.elapsed());
            if quiet.is_zero()
                && last.elapsed() < EMPTY_FILE_GRACE
                && changed.iter().any(|p| is_empty_file(p))
            {
                quiet = EMPTY_FILE_GRACE.saturating_sub(last.elapsed());
            }
            if quiet.is_zero() || burst_started.elapsed() >= DEBOUNCE_MAX {
                break;
            }
            match incoming.recv_timeout(quiet) {
                Ok(Signal::Stop) | Err(RecvTimeoutError::Disconnected) => {
                    stop = true;
                    break;
                }
                Ok(Signal::Files(Ok(event))) if relevant(&event, &root, &ignored) => {
                    lost |= event.need_rescan();
                    changed.extend(event.paths);
                    last = Instant::now();
                }
                Ok(Signal::Files(Ok(event))) => lost |= event.need_rescan(),
                Ok(Signal::Files(Err(err))) => {
                    eprintln!("warning: watching files: {err}; rebuilding everything");
                    lost = true;
                }
                // Quiet: the loop's head decides whether that is the end.
                Err(RecvTimeoutError::Timeout) => {}
            }
        }
        if stop {
            break;
        }
        if global.verbose {
            for path in &changed {
                let shown = path.strip_prefix(&root).unwrap_or(path);
                eprintln!(
                    "portolan: changed {}",
                    portolan_core::printable::escape(&shown.to_string_lossy())
                );
            }
        }
        if !global.quiet {
            eprintln!(
                "{} file{} changed, rebuilding",
                changed.len(),
                pipeline::plural(changed.len())
            );
        }
        let relative = if lost {
            None
        } else {
            catalog_paths(&root, &changed)
        };
        session.rebuild(&state, relative.as_ref());
        if global.verbose {
            eprintln!(
                "portolan: {} ms from the first change to the reload event",
                burst_started.elapsed().as_millis()
            );
        }
    }
    drop(watcher);
    // Open pages' event streams end; responses under way get a moment.
    drop(server);
    if !global.quiet {
        eprintln!("stopped");
    }
    Ok(ExitCode::Clean)
}
