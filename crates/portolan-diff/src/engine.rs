//! What a comparison collects: the changes found, the operations they were
//! found under, and the schema pairs compared, as a graph, so a change in a
//! schema shared by many operations is found once and listed under each.
//!
//! Schemas are compared as pairs (base pointer, head pointer, direction) in
//! a work queue, never by recursion: each pair is compared once, however
//! many operations, properties or cycles reach it, so time is linear in the
//! pairs and recursive schemas terminate.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::rc::Rc;

/// Most operations a change lists (see [`Engine::operations_of_pairs`]).
pub const MAX_OPERATIONS: usize = 100;

use crate::doc::DocView;
use portolan_core::codes::{self, Code};

/// Who writes the value a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Direction {
    /// Written by clients (parameters, request bodies): a schema that
    /// accepts less breaks them.
    Request,
    /// Read by clients (response bodies and headers): a schema that allows
    /// more can break them.
    Response,
}

impl Direction {
    pub(crate) fn word(self) -> &'static str {
        match self {
            Direction::Request => "request",
            Direction::Response => "response",
        }
    }
}

/// A change before it is located.
pub(crate) struct Raw {
    pub code: &'static Code,
    /// The message without its context.
    pub message: String,
    /// "GET /pets/{id}, 200": where it was first found.
    pub context: Option<Rc<str>>,
    pub base: String,
    pub head: String,
    /// The schema pair it was found in; its operations come from the graph.
    pub pair: Option<usize>,
    /// The operation it was found on, for changes outside schemas.
    pub operation: Option<usize>,
}

/// A pair of schemas to compare.
pub(crate) struct Work {
    pub id: usize,
    pub base: String,
    pub head: String,
    pub direction: Direction,
    /// How the value is named in messages: `Payment.charges`, or empty at
    /// the root, which `root` names.
    pub path: String,
    /// "request body", "query parameter `limit`", "response header `X-Rate`".
    pub root: Rc<str>,
    pub context: Rc<str>,
}

impl Work {
    /// The value in a message: "response property `Payment.charges`", or
    /// the root's name.
    pub fn subject(&self) -> String {
        if self.path.is_empty() {
            self.root.to_string()
        } else {
            format!("{} property `{}`", self.direction.word(), self.path)
        }
    }
}

pub(crate) struct Engine<'a> {
    pub base: DocView<'a>,
    pub head: DocView<'a>,
    /// Longest chain of `$ref`s followed at once (`max_reference_depth`).
    pub max_hops: usize,
    pub raws: Vec<Raw>,
    /// Operation labels (`GET /pets/{id}`), by index.
    pub operations: Vec<String>,
    /// Pair ids by (base pointer, head pointer, direction).
    pairs: HashMap<(String, String, Direction), usize>,
    /// Pairs each pair led to.
    children: Vec<Vec<usize>>,
    /// Root pairs of each operation.
    roots: Vec<(usize, usize)>,
    pub queue: VecDeque<Work>,
    /// What cannot hold a change (see `cold.rs`): such pairs are never
    /// queued.
    pub cold: Option<&'a crate::cold::Cold>,
}

impl<'a> Engine<'a> {
    pub fn new(base: DocView<'a>, head: DocView<'a>, max_hops: usize) -> Self {
        Engine {
            base,
            head,
            max_hops,
            raws: Vec::new(),
            operations: Vec::new(),
            pairs: HashMap::new(),
            children: Vec::new(),
            roots: Vec::new(),
            queue: VecDeque::new(),
            cold: None,
        }
    }

    pub fn operation(&mut self, label: String) -> usize {
        self.operations.push(label);
        self.operations.len() - 1
    }

    /// A change outside schemas (an operation, a parameter's presence).
    #[allow(clippy::too_many_arguments)]
    pub fn report(
        &mut self,
        code: &'static Code,
        message: String,
        context: Option<Rc<str>>,
        base: String,
        head: String,
        operation: Option<usize>,
    ) {
        self.raws.push(Raw {
            code,
            message,
            context,
            base,
            head,
            pair: None,
            operation,
        });
    }

    /// A change found while comparing the pair `work`.
    /// Report each base server URL the head no longer lists (`C` code
    /// for servers), naming what the head lists instead; `head_place` is
    /// where the head's servers are written.
    pub fn servers_removed(
        &mut self,
        base: &[(String, String)],
        head: &[(String, String)],
        head_place: &str,
        operation: Option<(usize, Rc<str>)>,
    ) {
        let head_urls: BTreeSet<&str> = head.iter().map(|(u, _)| u.as_str()).collect();
        for (url, pointer) in base {
            if head_urls.contains(url.as_str()) {
                continue;
            }
            let now = if head.is_empty() {
                "none".to_string()
            } else {
                head.iter()
                    .map(|(u, _)| format!("`{u}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            self.report(
                &codes::SERVER_REMOVED,
                format!("server `{url}` removed (now {now})"),
                operation.as_ref().map(|(_, context)| context.clone()),
                pointer.clone(),
                head_place.to_string(),
                operation.as_ref().map(|(id, _)| *id),
            );
        }
    }

    pub fn report_in(
        &mut self,
        work: &Work,
        code: &'static Code,
        message: String,
        base: String,
        head: String,
    ) {
        self.raws.push(Raw {
            code,
            message,
            context: Some(work.context.clone()),
            base,
            head,
            pair: Some(work.id),
            operation: None,
        });
    }

    /// The pair id of (base, head, direction), queued for comparison the
    /// first time it is seen. Pointers are taken after following pure
    /// `$ref` chains, so a schema written inline in one revision and
    /// referenced in the other is still one pair per place.
    fn pair(
        &mut self,
        base: &str,
        head: &str,
        direction: Direction,
        path: String,
        root: Rc<str>,
        context: Rc<str>,
    ) -> Option<usize> {
        if base == head && self.cold.is_some_and(|c| c.is_cold(base)) {
            return None;
        }
        let base = crate::json::resolve_at(self.base, base, self.max_hops)
            .map_or_else(|| base.to_string(), |(p, _)| p);
        let head = crate::json::resolve_at(self.head, head, self.max_hops)
            .map_or_else(|| head.to_string(), |(p, _)| p);
        let key = (base, head, direction);
        if let Some(&id) = self.pairs.get(&key) {
            return Some(id);
        }
        let id = self.children.len();
        self.children.push(Vec::new());
        let (base, head, direction) = key.clone();
        self.pairs.insert(key, id);
        self.queue.push_back(Work {
            id,
            base,
            head,
            direction,
            path,
            root,
            context,
        });
        Some(id)
    }

    /// Compare the schemas at `base` and `head` for `operation`.
    pub fn root_pair(
        &mut self,
        operation: usize,
        base: &str,
        head: &str,
        direction: Direction,
        root: &str,
        context: Rc<str>,
    ) {
        if let Some(id) = self.pair(base, head, direction, String::new(), root.into(), context) {
            self.roots.push((operation, id));
        }
    }

    /// Compare a pair found inside `parent`.
    pub fn child_pair(&mut self, parent: &Work, base: &str, head: &str, path: String) {
        if let Some(id) = self.pair(
            base,
            head,
            parent.direction,
            path,
            parent.root.clone(),
            parent.context.clone(),
        ) {
            self.children[parent.id].push(id);
        }
    }

    /// For each change found in a schema pair, every operation whose schemas
    /// lead to that pair: one walk up the reversed graph from each pair that
    /// holds changes, collecting the operations rooted at the pairs met. A
    /// walk visits only the pair's ancestors, so one change deep in a chain
    /// of N schemas shared by N operations costs N, not the N² of walking
    /// down from every operation. A walk stops at [`MAX_OPERATIONS`]
    /// operations (the flag says so): N changes in such a chain would
    /// otherwise list N²/2 operations between them.
    pub fn operations_of_pairs(&self) -> Vec<(BTreeSet<usize>, bool)> {
        let n = self.children.len();
        let mut changes_of: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (i, raw) in self.raws.iter().enumerate() {
            if let Some(pair) = raw.pair {
                changes_of.entry(pair).or_default().push(i);
            }
        }
        let mut out = vec![(BTreeSet::new(), false); self.raws.len()];
        if changes_of.is_empty() {
            return out;
        }
        let mut parents: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (from, tos) in self.children.iter().enumerate() {
            for &to in tos {
                parents[to].push(from);
            }
        }
        let mut rooted_at: Vec<Vec<usize>> = vec![Vec::new(); n];
        for &(operation, root) in &self.roots {
            rooted_at[root].push(operation);
        }
        // `seen` holds the last walk that visited each pair, so it is reset
        // for free between walks.
        let mut seen = vec![usize::MAX; n];
        for (walk, (&pair, changes)) in changes_of.iter().enumerate() {
            let mut operations = BTreeSet::new();
            let mut stack = vec![pair];
            let mut more = false;
            seen[pair] = walk;
            while let Some(p) = stack.pop() {
                operations.extend(rooted_at[p].iter().copied());
                if operations.len() >= MAX_OPERATIONS {
                    more = true;
                    break;
                }
                for &parent in &parents[p] {
                    if seen[parent] != walk {
                        seen[parent] = walk;
                        stack.push(parent);
                    }
                }
            }
            while operations.len() > MAX_OPERATIONS {
                operations.pop_last();
            }
            for &change in changes {
                out[change] = (operations.clone(), more);
            }
        }
        out
    }
}
