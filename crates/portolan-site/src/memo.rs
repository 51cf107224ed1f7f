//! Re-rendering only what changed, for `serve`.
//!
//! A page is a pure function of its template and its context, so a
//! [`RenderCache`] keeps, for every page of the last render, a hash of the
//! context it was rendered from and its bytes. The next render builds each
//! page's context again (cheap) and renders the template (not cheap) only
//! when the hash differs. What is made from a whole API definition or docs
//! folder (reference pages, bundles, docs pages) is kept by the identity of
//! the shared definition the check stage handed over: `check_cached` hands
//! over the same `Arc` while none of its files changed.
//!
//! Without a cache (`build`), nothing is hashed and everything renders.

use std::collections::{BTreeSet, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use minijinja::Value;
use portolan_catalog::EntityKey;

use crate::output::{Output, WriteError};
use crate::spill::Spill;

/// What one render keeps for the next.
#[derive(Default)]
pub struct RenderCache {
    /// What every page shares (title, base URL, theme...): when it changes,
    /// nothing is kept.
    options: Option<u64>,
    pages: HashMap<String, (u64, Arc<[u8]>)>,
    /// Files made from one shared input, by what they belong to (an
    /// entity's URL plus what they are).
    derived: HashMap<String, Derived>,
    /// Each entity's page and what it was made from, by entity.
    pub(crate) entities: HashMap<EntityKey, Arc<EntityRecord>>,
    /// The last catalog's shape (which pages a change reaches).
    pub(crate) structure: Option<crate::dirty::Structure>,
    /// The theme's templates, parsed.
    pub(crate) environment: Option<Arc<minijinja::Environment<'static>>>,
    /// Descriptor files parsed again since the last render (set by the
    /// caller); `None`: unknown, every entity page is made again.
    reparsed: Option<BTreeSet<String>>,
    /// What the last render did.
    pub stats: RenderStats,
}

/// What an entity's page was made from, beyond the catalog's shape, and
/// what it made.
pub(crate) struct EntityRecord {
    /// Its API definition and docs (held, so the addresses compared stay
    /// theirs).
    pub api: Option<Arc<dyn std::any::Any + Send + Sync>>,
    pub docs: Option<Arc<dyn std::any::Any + Send + Sync>>,
    /// A hash of the findings shown on its page.
    pub findings: u64,
    /// A hash of what its page shows of the scorecards.
    pub scores: u64,
    /// A hash of its SLOs ([`crate::operability::fingerprint`]).
    pub operability: u64,
    /// A hash of its API's changelog ([`crate::changelog::fingerprint`]).
    pub changes: u64,
    /// A hash of what its page shows of the APIs it provides and consumes.
    pub uses: u64,
    /// Its explorer row, and the row's hash.
    pub row: Arc<crate::pages::EntityRowCache>,
    /// The files made (page, reference, download).
    pub made: Vec<Kept>,
}

/// A file an entity's render made, as kept for the next render.
#[derive(Clone)]
pub(crate) enum Kept {
    File(String, Option<u64>, Arc<[u8]>),
    Derived(String, Derived),
}

/// Files made from one shared input (an API definition, a docs folder).
#[derive(Clone)]
pub(crate) struct Derived {
    /// The input, held so that its address is not reused while compared.
    source: Arc<dyn std::any::Any + Send + Sync>,
    /// Anything else the files were made from (the entity's label).
    extra: String,
    pub files: Vec<(String, Arc<[u8]>)>,
}

/// What a render did: which files it made afresh, how many it reused.
#[derive(Debug, Default, Clone)]
pub struct RenderStats {
    pub rendered: Vec<String>,
    pub reused: usize,
}

impl RenderCache {
    /// Start a render with options of fingerprint `options`.
    pub(crate) fn begin(&mut self, options: u64) {
        if self.options != Some(options) {
            self.pages.clear();
            self.derived.clear();
            self.entities.clear();
            self.structure = None;
            self.environment = None;
            self.options = Some(options);
        }
        self.stats = RenderStats::default();
    }

    /// Tell the next render which descriptor files were parsed again since
    /// the last one: entities elsewhere that no change reaches keep their
    /// pages without being looked at.
    pub fn set_reparsed(&mut self, files: BTreeSet<String>) {
        self.reparsed = Some(files);
    }

    pub(crate) fn reparsed(&self) -> Option<&BTreeSet<String>> {
        self.reparsed.as_ref()
    }
}

/// A hash of anything hashable, for option fingerprints.
pub(crate) fn hash_of(value: impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

struct HashWriter(DefaultHasher);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The hash of a template's name and context; `None` when the context
/// cannot be serialised (then the page is always rendered).
fn fingerprint(template: &str, context: &Value) -> Option<u64> {
    let mut writer = HashWriter(DefaultHasher::new());
    template.hash(&mut writer.0);
    serde_json::to_writer(&mut writer, context).ok()?;
    Some(writer.0.finish())
}

/// One rendered (or reused) page.
pub(crate) struct Page {
    pub path: String,
    pub hash: Option<u64>,
    pub bytes: Arc<[u8]>,
    pub fresh: bool,
}

/// The read side of a cache during a render (shared by threads).
#[derive(Clone, Copy)]
pub(crate) struct Memo<'a> {
    previous: Option<&'a RenderCache>,
}

impl<'a> Memo<'a> {
    pub fn new(previous: Option<&'a RenderCache>) -> Self {
        Memo { previous }
    }

    /// Render `template` with `context` into `path`, or reuse the last
    /// render's page when its context was the same.
    pub fn page(
        &self,
        template: &minijinja::Template<'_, '_>,
        path: impl Into<String>,
        context: Value,
    ) -> Result<Page, minijinja::Error> {
        let hash = self
            .previous
            .and_then(|_| fingerprint(template.name(), &context));
        self.render_or_reuse(template, path.into(), hash, || context)
    }

    /// Render `template` into `path` unless the last render made it with
    /// the same `key` (a hash of everything the context is made from, for
    /// pages whose context is costly to build); `context` is called only
    /// when rendering.
    pub fn page_keyed(
        &self,
        template: &minijinja::Template<'_, '_>,
        path: impl Into<String>,
        key: u64,
        context: impl FnOnce() -> Value,
    ) -> Result<Page, minijinja::Error> {
        let hash = self.previous.map(|_| hash_of((template.name(), key)));
        self.render_or_reuse(template, path.into(), hash, context)
    }

    /// The last render's page at `path` if it was made from `hash`, else
    /// `template` rendered now (`hash`: `None` without a cache, or when the
    /// inputs could not be hashed).
    fn render_or_reuse(
        &self,
        template: &minijinja::Template<'_, '_>,
        path: String,
        hash: Option<u64>,
        context: impl FnOnce() -> Value,
    ) -> Result<Page, minijinja::Error> {
        if let (Some(hash), Some(previous)) = (hash, self.previous)
            && let Some((old, bytes)) = previous.pages.get(&path)
            && *old == hash
        {
            return Ok(Page {
                path,
                hash: Some(hash),
                bytes: bytes.clone(),
                fresh: false,
            });
        }
        let html = template.render(context())?;
        Ok(Page {
            path,
            hash,
            bytes: Arc::from(html.into_bytes()),
            fresh: true,
        })
    }

    /// The last render's cache, if any.
    pub fn previous(&self) -> Option<&'a RenderCache> {
        self.previous
    }

    /// The files last made under `key` from `source` and `extra`, if they
    /// were made from the same ones.
    pub fn derived<T: Send + Sync + 'static>(
        &self,
        key: &str,
        source: &Arc<T>,
        extra: &str,
    ) -> Option<Derived> {
        let found = self.previous?.derived.get(key)?;
        let same = found
            .source
            .clone()
            .downcast::<T>()
            .is_ok_and(|old| Arc::ptr_eq(&old, source));
        (same && found.extra == extra).then(|| found.clone())
    }

    /// Files made now from `source` and `extra`, to keep under their key.
    pub fn made<T: Send + Sync + 'static>(
        source: &Arc<T>,
        extra: &str,
        files: Vec<(String, Vec<u8>)>,
    ) -> Derived {
        Derived {
            source: source.clone(),
            extra: extra.to_string(),
            files: files
                .into_iter()
                .map(|(path, bytes)| (path, Arc::from(bytes)))
                .collect(),
        }
    }
}

/// A streaming sink writes once this much is waiting: large enough for
/// parallel writes to pay, small enough not to matter for memory.
const SPILL_BATCH_BYTES: usize = 32 * 1024 * 1024;
const SPILL_BATCH_FILES: usize = 4096;

/// Where a render puts its files: the output, and (with a cache) what the
/// next render needs to reuse them.
pub(crate) struct Sink<'a> {
    pub output: &'a mut Output,
    /// Where files go instead of `output` in a streaming build.
    spill: Option<&'a Spill<'a>>,
    /// Files waiting to be written to `spill`, and their size.
    pending: Vec<(String, Arc<[u8]>)>,
    pending_bytes: usize,
    /// The first write that failed (later files are not written).
    failed: Option<WriteError>,
    pages: HashMap<String, (u64, Arc<[u8]>)>,
    derived: HashMap<String, Derived>,
    pub entities: HashMap<EntityKey, Arc<EntityRecord>>,
    pub structure: Option<crate::dirty::Structure>,
    pub environment: Option<Arc<minijinja::Environment<'static>>>,
    stats: RenderStats,
    caching: bool,
}

impl<'a> Sink<'a> {
    pub fn new(output: &'a mut Output, caching: bool) -> Self {
        Sink {
            output,
            spill: None,
            pending: Vec::new(),
            pending_bytes: 0,
            failed: None,
            pages: HashMap::new(),
            derived: HashMap::new(),
            entities: HashMap::new(),
            structure: None,
            environment: None,
            stats: RenderStats::default(),
            caching,
        }
    }

    /// A sink that writes its files to `spill` (in batches) instead of
    /// keeping them in `output`. Never caching: only a build streams.
    pub fn spilling(output: &'a mut Output, spill: &'a Spill<'a>) -> Self {
        Sink {
            spill: Some(spill),
            ..Sink::new(output, false)
        }
    }

    pub fn caching(&self) -> bool {
        self.caching
    }

    /// Add a file to the site.
    pub fn insert(&mut self, path: String, bytes: Arc<[u8]>) {
        if self.spill.is_none() {
            self.output.insert_shared(path, bytes);
            return;
        }
        self.pending_bytes += bytes.len();
        self.pending.push((path, bytes));
        if self.pending_bytes >= SPILL_BATCH_BYTES || self.pending.len() >= SPILL_BATCH_FILES {
            self.flush();
        }
    }

    /// [`Sink::insert`] of new contents.
    pub fn insert_new(&mut self, path: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.insert(path.into(), Arc::from(bytes.into()));
    }

    /// Write the pending files (a streaming sink).
    pub fn flush(&mut self) {
        let Some(spill) = self.spill else { return };
        let batch = std::mem::take(&mut self.pending);
        self.pending_bytes = 0;
        if self.failed.is_none()
            && !batch.is_empty()
            && let Err(err) = spill.write(&batch)
        {
            self.failed = Some(err);
        }
    }

    /// The first write that failed, once everything is flushed.
    pub fn failure(&mut self) -> Option<WriteError> {
        self.flush();
        self.failed.take()
    }

    /// The spill a streaming sink writes to.
    pub fn spill(&self) -> Option<&'a Spill<'a>> {
        self.spill
    }

    /// Every path of the site so far, in order.
    pub fn paths(&self) -> Vec<String> {
        match self.spill {
            None => self.output.files.keys().cloned().collect(),
            Some(spill) => {
                let mut paths = spill.files();
                paths.extend(self.pending.iter().map(|(path, _)| path.clone()));
                paths.sort();
                paths.dedup();
                paths
            }
        }
    }

    /// The files made afresh so far (only counted when caching).
    pub fn rendered(&self) -> &[String] {
        &self.stats.rendered
    }

    /// Put a kept file back (`fresh`: made now).
    pub fn kept(&mut self, kept: Kept, fresh: bool) {
        match kept {
            Kept::File(path, hash, bytes) => {
                self.count(&path, fresh);
                if self.caching
                    && let Some(hash) = hash
                {
                    self.pages.insert(path.clone(), (hash, bytes.clone()));
                }
                self.insert(path, bytes);
            }
            Kept::Derived(key, derived) => self.derived(key, derived, fresh),
        }
    }

    pub fn page(&mut self, page: Page) {
        self.count(&page.path, page.fresh);
        if self.caching
            && let Some(hash) = page.hash
        {
            self.pages
                .insert(page.path.clone(), (hash, page.bytes.clone()));
        }
        self.insert(page.path, page.bytes);
    }

    /// Files made from a shared input (`fresh`: made now, not reused).
    pub fn derived(&mut self, key: String, derived: Derived, fresh: bool) {
        for (path, bytes) in &derived.files {
            self.count(path, fresh);
            self.insert(path.clone(), bytes.clone());
        }
        if self.caching {
            self.derived.insert(key, derived);
        }
    }

    fn count(&mut self, path: &str, fresh: bool) {
        if !self.caching {
            return;
        }
        if fresh {
            self.stats.rendered.push(path.to_string());
        } else {
            self.stats.reused += 1;
        }
    }

    /// Keep what this render made for the next one.
    pub fn finish(self, cache: Option<&mut RenderCache>) {
        if let Some(cache) = cache {
            let old = (
                std::mem::replace(&mut cache.pages, self.pages),
                std::mem::replace(&mut cache.derived, self.derived),
                std::mem::replace(&mut cache.entities, self.entities),
                std::mem::replace(&mut cache.structure, self.structure),
            );
            cache.environment = self.environment;
            cache.stats = self.stats;
            cache.reparsed = None;
            // Tens of thousands of entries: freed on another thread, so
            // the rebuild does not wait for it.
            let _ = std::thread::Builder::new()
                .name("portolan-free".into())
                .spawn(move || drop(old));
        }
    }
}
