//! Memoised lookups into a loaded definition's trees: JSON pointers,
//! `$anchor`s and locations, in time that does not grow with the size of
//! the mappings they pass through.
//!
//! A mapping in the YAML tree is a list of entries, so following a pointer
//! token by scanning it costs the mapping's size; a definition with N
//! schemas and N references into them then costs N² (issue 16: 8,000
//! schemas took 52 s). Here a large mapping gets a hash index of its keys
//! the first time a lookup passes through it, and each file's anchors are
//! collected once, the first time one is asked for.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use portolan_core::Span;
use portolan_core::yaml::{Entry, Node, Value, escape_pointer_token, pointer_tokens};

use crate::load::SpecSet;
use crate::refs::RefTarget;

/// Mappings with more entries than this are indexed on first use; smaller
/// ones are scanned, which is as fast and allocates nothing.
const INDEX_FROM: usize = 16;

thread_local! {
    static WORK: Cell<u64> = const { Cell::new(0) };
}

/// Units of lookup work (entries scanned or indexed, index probes, nodes
/// walked) done on this thread so far. Tests compare it across input sizes
/// to check that resolution stays linear; it is not a time.
#[doc(hidden)]
pub fn work_done() -> u64 {
    WORK.with(Cell::get)
}

pub(crate) fn count_work(units: usize) {
    WORK.with(|w| w.set(w.get() + units as u64));
}

/// Pointer lookups into YAML trees that live at least as long as `'a`.
#[derive(Default)]
pub struct NodeLookup<'a> {
    /// Key index of each large mapping met so far, by the mapping's address
    /// (the trees are not changed while a lookup borrows them). The first
    /// entry of a repeated key wins, as with a scan.
    members: RefCell<HashMap<*const Node, HashMap<&'a str, &'a Entry>>>,
}

impl<'a> NodeLookup<'a> {
    pub fn new() -> Self {
        NodeLookup::default()
    }

    /// The entry `key` of `node` when it is a mapping.
    pub fn entry(&self, node: &'a Node, key: &str) -> Option<&'a Entry> {
        let entries: &'a [Entry] = match &node.value {
            Value::Map(entries) => entries,
            _ => return None,
        };
        if entries.len() <= INDEX_FROM {
            count_work(entries.len());
            return entries.iter().find(|e| e.key == key);
        }
        count_work(1);
        let mut members = self.members.borrow_mut();
        let index = members.entry(node as *const Node).or_insert_with(|| {
            count_work(entries.len());
            let mut index = HashMap::with_capacity(entries.len());
            for entry in entries {
                index.entry(entry.key.as_str()).or_insert(entry);
            }
            index
        });
        index.get(key).copied()
    }

    /// Member or item `token` of `node`.
    pub fn child(&self, node: &'a Node, token: &str) -> Option<&'a Node> {
        match &node.value {
            Value::Map(_) => self.entry(node, token).map(|e| &e.value),
            Value::Seq(items) => {
                count_work(1);
                token.parse::<usize>().ok().and_then(|i| items.get(i))
            }
            _ => None,
        }
    }

    /// Follow a JSON pointer (RFC 6901) from `root`, as [`Node::pointer`].
    pub fn pointer(&self, root: &'a Node, pointer: &str) -> Option<&'a Node> {
        let mut node = root;
        for token in pointer_tokens(pointer) {
            node = self.child(node, &token)?;
        }
        Some(node)
    }

    /// The span to show for the node at `pointer`, as [`Node::locate`]: the
    /// key of the last mapping member, the item of a sequence, or the
    /// deepest existing ancestor.
    pub fn locate(&self, root: &'a Node, pointer: &str) -> Span {
        let mut node = root;
        let mut span = root.span;
        for token in pointer_tokens(pointer) {
            match &node.value {
                Value::Map(_) => match self.entry(node, &token) {
                    Some(entry) => {
                        span = entry.key_span;
                        node = &entry.value;
                    }
                    None => return span,
                },
                _ => match self.child(node, &token) {
                    Some(item) => {
                        span = item.span;
                        node = item;
                    }
                    None => return span,
                },
            }
        }
        span
    }
}

/// Lookups into every file of a [`SpecSet`].
pub struct SpecLookup<'a> {
    pub set: &'a SpecSet,
    pub nodes: NodeLookup<'a>,
    /// Each file's `$anchor`s, collected on the first anchor lookup in it.
    anchors: RefCell<HashMap<&'a str, Anchors<'a>>>,
}

/// Anchor name → (pointer, node) of the mapping declaring it.
type Anchors<'a> = HashMap<&'a str, (String, &'a Node)>;

impl<'a> SpecLookup<'a> {
    pub fn new(set: &'a SpecSet) -> Self {
        SpecLookup {
            set,
            nodes: NodeLookup::new(),
            anchors: RefCell::new(HashMap::new()),
        }
    }

    /// The root node of `file`, when it was loaded.
    pub fn root(&self, file: &str) -> Option<&'a Node> {
        self.set.files.get(file).map(|f| &f.root)
    }

    /// The node at `pointer` in `file`.
    pub fn pointer(&self, file: &str, pointer: &str) -> Option<&'a Node> {
        self.nodes.pointer(self.root(file)?, pointer)
    }

    /// The mapping in `file` that declares `$anchor: name`.
    pub fn anchor(&self, file: &str, name: &str) -> Option<(String, &'a Node)> {
        let (path, spec) = self.set.files.get_key_value(file)?;
        let mut anchors = self.anchors.borrow_mut();
        let found = anchors
            .entry(path.as_str())
            .or_insert_with(|| collect_anchors(&spec.root));
        found.get(name).cloned()
    }

    /// The node a resolved target names, as [`SpecSet::node`].
    pub fn node(&self, target: &RefTarget) -> Option<(&'a str, String, &'a Node)> {
        match target {
            RefTarget::Local { file, pointer } => {
                let (path, spec) = self.set.files.get_key_value(file)?;
                let node = self.nodes.pointer(&spec.root, pointer)?;
                Some((path.as_str(), pointer.clone(), node))
            }
            RefTarget::Anchor { file, anchor } => {
                let (path, _) = self.set.files.get_key_value(file)?;
                let (pointer, node) = self.anchor(file, anchor)?;
                Some((path.as_str(), pointer, node))
            }
            _ => None,
        }
    }
}

/// Every `$anchor` of a tree. Where two mappings declare the same name, the
/// one [`crate::refs::find_anchor`] would find wins: the walk is the same.
fn collect_anchors(root: &Node) -> Anchors<'_> {
    let mut out: Anchors<'_> = HashMap::new();
    let mut stack: Vec<(String, &Node)> = vec![(String::new(), root)];
    while let Some((pointer, node)) = stack.pop() {
        count_work(1);
        match &node.value {
            Value::Map(entries) => {
                let anchor = entries
                    .iter()
                    .find(|e| e.key == "$anchor")
                    .and_then(|e| e.value.as_str());
                for e in entries {
                    stack.push((
                        format!("{pointer}/{}", escape_pointer_token(&e.key)),
                        &e.value,
                    ));
                }
                if let Some(name) = anchor {
                    out.entry(name).or_insert((pointer, node));
                }
            }
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    stack.push((format!("{pointer}/{i}"), item));
                }
            }
            _ => {}
        }
    }
    out
}
