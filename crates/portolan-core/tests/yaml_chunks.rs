//! The chunked parse (`yaml_chunks`) against the whole-document parse
//! (`yaml::parse_stream`): whenever the chunked parse gives an answer, it is
//! the whole parse's, node for node and span for span, and the whole parse
//! found no error. Over the shared corpus (every YAML file, as written and
//! shifted, through one cache so that chunks are found again at other
//! offsets) and over edge cases cut into the smallest chunks. The same for
//! the uncached parse on every core (`parse_parallel`), which moves its
//! chunks into the tree instead of copying them.

use std::path::{Path, PathBuf};

use portolan_core::yaml::{self, Document, Node, Value, YamlLimits};
use portolan_core::yaml_chunks::{self, ChunkCache};

/// The shared corpus, beside the repository (or where `PORTOLAN_CORPUS`
/// says, for a checkout elsewhere, such as a worktree).
fn corpus() -> Option<PathBuf> {
    let dir = match std::env::var_os("PORTOLAN_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
    };
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "the shared corpus is missing at {} and CI=true: it must be present in CI",
        dir.display()
    );
    eprintln!("skipping: the shared corpus is not at {}", dir.display());
    None
}

/// Where two trees first differ, as a JSON pointer and what differs.
fn difference(a: &Node, b: &Node, at: &str) -> Option<String> {
    if a.span != b.span {
        return Some(format!("{at}: span {:?} != {:?}", a.span, b.span));
    }
    match (&a.value, &b.value) {
        (Value::Float(x), Value::Float(y)) if x.to_bits() == y.to_bits() => None,
        (Value::Seq(x), Value::Seq(y)) => {
            if x.len() != y.len() {
                return Some(format!("{at}: {} items != {}", x.len(), y.len()));
            }
            x.iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (x, y))| difference(x, y, &format!("{at}/{i}")))
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.len() != y.len() {
                return Some(format!("{at}: {} entries != {}", x.len(), y.len()));
            }
            x.iter().zip(y).find_map(|(x, y)| {
                let here = format!("{at}/{}", yaml::escape_pointer_token(&x.key));
                if x.key != y.key || x.key_span != y.key_span {
                    return Some(format!(
                        "{here}: key {:?} at {:?} != {:?} at {:?}",
                        x.key, x.key_span, y.key, y.key_span
                    ));
                }
                difference(&x.value, &y.value, &here)
            })
        }
        (x, y) if x == y => None,
        (x, y) => Some(format!("{at}: {x:?} != {y:?}")),
    }
}

fn same_documents(chunked: &[Document], full: &[Document]) -> Result<(), String> {
    if chunked.len() != full.len() {
        return Err(format!("{} documents != {}", chunked.len(), full.len()));
    }
    for (c, f) in chunked.iter().zip(full) {
        if c.index != f.index || c.is_empty != f.is_empty {
            return Err(format!(
                "document {} (empty: {}) != {} (empty: {})",
                c.index, c.is_empty, f.index, f.is_empty
            ));
        }
        if let Some(diff) = difference(&c.root, &f.root, "") {
            return Err(diff);
        }
    }
    Ok(())
}

/// Parse `text` both ways; fails when the chunked parse answers and the
/// answer is not the whole parse's. Whether it answered.
fn check(name: &str, text: &str, cache: &ChunkCache) -> bool {
    let Some(chunked) = cache.parse(text) else {
        return false;
    };
    let full = yaml::parse_stream(text, cache.limits());
    assert!(
        full.errors.is_empty(),
        "{name}: chunked parse answered, but the whole parse reports {:?}",
        full.errors
    );
    if let Err(diff) = same_documents(&chunked, &full.documents) {
        panic!("{name}: chunked parse differs: {diff}");
    }
    true
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(path);
        }
    }
}

#[test]
fn corpus_chunked_parses_equal_whole_parses() {
    let Some(corpus) = corpus() else { return };
    let mut files = Vec::new();
    yaml_files(&corpus, &mut files);
    files.sort();
    assert!(
        !files.is_empty(),
        "no YAML files under {}",
        corpus.display()
    );
    // Small chunks, so that files of every size are cut up; one cache for
    // all, so that a chunk met again (in the shifted copy, in another
    // file) comes from it.
    let cache = ChunkCache::new(YamlLimits::default(), 256 << 20).descend_at(256);
    let (mut answered, mut bytes) = (0, 0);
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let name = path.display().to_string();
        if check(&name, &text, &cache) {
            answered += 1;
            bytes += text.len();
        }
        // The same chunks at other offsets, as in the next revision of a
        // file that grew above them.
        let shifted = format!("# a comment line before it all\n\n{text}");
        check(&format!("{name} (shifted)"), &shifted, &cache);
    }
    let stats = cache.stats();
    println!(
        "{answered} of {} files ({bytes} bytes) parsed in chunks; {} chunks found again, {} parsed",
        files.len(),
        stats.hits,
        stats.misses
    );
    // Most API definitions are block-style YAML: the chunked parse must
    // answer for many of them, or this test proves nothing.
    assert!(answered * 4 >= files.len(), "{answered} of {}", files.len());
    assert!(stats.hits > stats.misses, "{stats:?}");
}

/// Inputs where a chunk read alone could be read differently than in its
/// document: each either parses in chunks exactly as a whole, or not in
/// chunks at all. `true`: it must parse in chunks.
const CASES: &[(&str, bool)] = &[
    (
        "components:\n  schemas:\n    A:\n      type: object\n    B:\n      type: string\n# trailing\n",
        true,
    ),
    ("a: &x 1\nb: *x\n", false),
    ("a:\n  b: &x\n    c: 1\n  d: *x\n", false),
    ("a: !!str 1\nb: 2\n", false),
    ("a:\n  b: |2\n     x\n  c: 1\n", true),
    ("a:\n  b: |1\n   x\n  c: 1\n", true),
    ("a: [1,\nb: 2]\n", false),
    ("a: [1,\n  2]\nb: 3\n", true),
    ("a: {x: 1,\n  y: 2}\nb: 3\n", true),
    ("a: 1\nb: 2\na: 3\n", false),
    ("a:\n  b: 1\n  b: 2\n", false),
    ("a:\n  b: 1\nc:\n  b: 1\n", true),
    ("a: \"x\n  y\"\nb: 1\n", true),
    ("a: \"x\nb: y\"\n", false),
    ("a: 'x\nb: y'\n", false),
    ("a: |\n  x\n# c\n  y\nb: 1\n", false),
    ("a: |\n  x\n\n  # not a comment\nb: 1\n", true),
    ("a: >-\n  x\n\n  y\n#c\nb: 1\n", true),
    ("a:\n\tb: 1\n", false),
    ("a: 1\n---\nb: 2\n", false),
    ("%YAML 1.2\n---\na: 1\n", false),
    ("a: 1\n...\n", false),
    ("a:\n- 1\n- 2\nb: 3\n", false),
    ("a:\n  - 1\n  - 2\nb: 3\n", true),
    ("? a\n: 1\n", false),
    ("1: a\ntrue: b\n~: c\n1.5: d\n", true),
    ("ä:\n  ö: ü\n  é: 'x'\n  日本: \"語\"\n", true),
    ("a:\n  b: 1\n c: 2\n", false),
    ("a: x\n  y\nb: 1\n", true),
    ("a: # c\n  b: 1\n  c: # d\n    e: 2\n", true),
    ("a: #c\n  b: 1\n", true),
    ("a:#c\n  b: 1\n", false),
    ("  a: 1\n  b:\n    c: 2\n", true),
    ("a:\nb:\n", true),
    ("a:\n  b: 1", true),
    ("{a: 1}\n", false),
    ("- a\n", false),
    ("a: 1\r\nb: 2\r\n", false),
    ("\u{feff}a: 1\n", false),
    ("a: \"\u{0086}\"\nb: 1\n", true),
    ("a: x\u{0086}y\nb: 1\n", false),
    ("a: 1\nb: \u{0}\n", false),
    ("a: null\n  b: 1\n", false),
    // Not cut up (a chunk cannot start with `?`), so parsed whole.
    ("a:\n  b: 1\n  ? c\n  : 2\n", true),
    ("a:\n    b: 1\n  c: 2\n", false),
    ("\"a\":\n  \"b\": 1\n'c': 2\n", true),
    ("\"a\\\"b\":\n  c: 1\n", true),
    ("a: .nan\nb: -.inf\n", true),
    ("a: b: c\n", false),
    ("a:\n  b:\n    c:\n      d: 1\n", true),
    // An empty block scalar that ends a chunk: the whole document's parser
    // spans it otherwise (fuzz: regressions/yaml_chunks/empty-block-scalar-ends-a-chunk).
    ("a: 1b2\nb: |-\nc: ;\n", false),
    ("a: 1\nb: >\n", false),
    ("a: 1\nb: \"\"\nc: 2\n", false),
    ("a:\n  b: 1\n  c: |\nd: 1\n", false),
    ("a:\n  - x\n  - |-\nb: 1\n", false),
    ("a:\n  - x\n  - >\nb: 1\n", false),
    ("a:\n  - x\n  - >2 # c\nb: 1\n", false),
    ("a:\n  b: |+\nc: 1\n", false),
    // Plain scalars ending in `>` or `|`: not block scalar headers.
    ("a:\n  path: <auto>\nb:\n  c: x|\n", true),
    ("a:\n  b: x-|\nc: 1\n", true),
];

#[test]
fn edge_cases_parse_in_chunks_exactly_or_not_at_all() {
    for (text, chunked) in CASES {
        let cache = ChunkCache::new(YamlLimits::default(), 1 << 20).descend_at(0);
        let answered = check(&format!("{text:?}"), text, &cache);
        assert_eq!(
            answered, *chunked,
            "{text:?}: parsed in chunks: {answered}, expected {chunked}"
        );
    }
}

#[test]
fn nesting_past_the_limit_is_left_to_the_whole_parse() {
    let limits = YamlLimits {
        max_depth: 3,
        ..YamlLimits::default()
    };
    let deep = "a:\n  b:\n    c:\n      d: 1\n";
    assert!(!yaml::parse_stream(deep, limits).errors.is_empty());
    let cache = ChunkCache::new(limits, 1 << 20).descend_at(0);
    assert!(cache.parse(deep).is_none());
    let shallow = "a:\n  b:\n    c: 1\n";
    assert!(check("shallow", shallow, &cache));
}

/// A revision that changed one schema: the others come from the cache, at
/// their new offsets.
#[test]
fn a_neighbouring_revision_reuses_the_unchanged_chunks() {
    let schema = |name: &str, kind: &str| {
        format!("    {name}:\n      type: {kind}\n      description: the {name} schema\n")
    };
    let old = format!(
        "openapi: 3.0.0\ncomponents:\n  schemas:\n{}{}{}",
        schema("A", "object"),
        schema("B", "string"),
        schema("C", "integer")
    );
    let new = format!(
        "openapi: 3.0.0\ninfo:\n  title: t\ncomponents:\n  schemas:\n{}{}{}",
        schema("A", "object"),
        schema("B", "number"),
        schema("C", "integer")
    );
    let cache = ChunkCache::new(YamlLimits::default(), 1 << 20).descend_at(0);
    assert!(check("old", &old, &cache));
    let before = cache.stats();
    cache.next_generation();
    assert!(check("new", &new, &cache));
    let after = cache.stats();
    // Found again: `openapi`, the `components` and `schemas` key lines,
    // A's three lines, B's key and description, C's three lines. Parsed:
    // `info`'s two lines and B's new type.
    assert_eq!(after.hits - before.hits, 11, "{before:?} {after:?}");
    assert_eq!(after.misses - before.misses, 3, "{before:?} {after:?}");
    // The new revision's fourteen chunks, and B's old type.
    assert_eq!(after.held, 15);
    // A chunk survives the generation after its last use, not the next.
    cache.next_generation();
    assert_eq!(cache.stats().held, 15);
    cache.next_generation();
    assert_eq!(cache.stats().held, 14);
    cache.next_generation();
    assert_eq!(cache.stats().held, 0);
}

#[test]
fn the_text_held_is_capped() {
    let cache = ChunkCache::new(YamlLimits::default(), 8).descend_at(0);
    let text = "aaaa: 1\nbbbb: 2\ncccc: 3\n";
    assert!(check("capped", text, &cache));
    assert!(cache.stats().held <= 1, "{:?}", cache.stats());
}

/// Parse `text` cut into units (every mapping cut, down to `levels` keys
/// deep); fails when that answers and the assembled tree is not the whole
/// parse's. Whether it answered.
fn check_units(name: &str, text: &str, cache: &ChunkCache, levels: usize) -> bool {
    let cut = |path: &[&str]| path.len() < levels;
    let Some(units) = cache.parse_units(text, &cut) else {
        return false;
    };
    let full = yaml::parse_stream(text, cache.limits());
    assert!(
        full.errors.is_empty(),
        "{name}: cut into units, but the whole parse reports {:?}",
        full.errors
    );
    assert_eq!(full.documents.len(), 1, "{name}");
    if let Some(diff) = difference(&units.to_node(), &full.documents[0].root, "") {
        panic!("{name}: units differ: {diff}");
    }
    true
}

#[test]
fn corpus_cut_into_units_equals_whole_parses() {
    let Some(corpus) = corpus() else { return };
    let mut files = Vec::new();
    yaml_files(&corpus, &mut files);
    files.sort();
    let cache = ChunkCache::new(YamlLimits::default(), 256 << 20);
    let (mut answered, mut yaml_files_seen) = (0, 0);
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        if text.trim_start().starts_with(['{', '[']) {
            continue;
        }
        yaml_files_seen += 1;
        let name = file.display().to_string();
        let mut any = false;
        for levels in [1, 2, 3] {
            any |= check_units(&name, &text, &cache, levels);
        }
        answered += usize::from(any);
    }
    // Most block-style files are cut (the rest hold anchors, tabs, …).
    assert!(
        answered * 10 > yaml_files_seen * 7,
        "{answered} of {yaml_files_seen} YAML files cut into units"
    );
}

#[test]
fn edge_cases_cut_into_units_exactly_or_not_at_all() {
    for (text, _) in CASES {
        let cache = ChunkCache::new(YamlLimits::default(), 1 << 20);
        for levels in [1, 2, 4] {
            check_units(&format!("{text:?}"), text, &cache, levels);
        }
    }
    // A quoted key is never cut; a plain one is, and its units are shared
    // with a neighbouring revision that wrote them the same.
    let cache = ChunkCache::new(YamlLimits::default(), 1 << 20);
    let cut = |path: &[&str]| path.is_empty() || path == ["paths"];
    let a = "openapi: 3.0.0\npaths:\n  /a:\n    get: {}\n  /b:\n    get:\n      x: 1\n";
    let b = "openapi: 3.0.0\npaths:\n  /a:\n    get: {}\n  /b:\n    get:\n      x: 2\n";
    let (ua, ub) = (
        cache.parse_units(a, &cut).unwrap(),
        cache.parse_units(b, &cut).unwrap(),
    );
    let units = |u: &portolan_core::yaml_chunks::Units| match &u.root[1].body {
        portolan_core::yaml_chunks::UnitBody::Section(entries, _) => entries
            .iter()
            .map(|e| match &e.body {
                portolan_core::yaml_chunks::UnitBody::Leaf(chunk) => chunk.shared().clone(),
                _ => panic!("a unit is a leaf"),
            })
            .collect::<Vec<_>>(),
        _ => panic!("paths is cut"),
    };
    let (pa, pb) = (units(&ua), units(&ub));
    assert!(std::sync::Arc::ptr_eq(&pa[0], &pb[0]));
    assert!(!std::sync::Arc::ptr_eq(&pa[1], &pb[1]));
    let quoted = "'paths':\n  /a: 1\n";
    let u = cache.parse_units(quoted, &cut).unwrap();
    assert!(matches!(
        u.root[0].body,
        portolan_core::yaml_chunks::UnitBody::Leaf(_)
    ));
    check_units("quoted", quoted, &cache, 2);
}

/// Parse `text` in chunks on rayon's threads, cutting chunks of
/// `descend` bytes or more; fails when that answers and the answer is not
/// the whole parse's. Whether it answered.
fn check_parallel(name: &str, text: &str, limits: YamlLimits, descend: usize) -> bool {
    let Some(chunked) = yaml_chunks::parse_parallel_cut_at(text, limits, descend) else {
        return false;
    };
    let full = yaml::parse_stream(text, limits);
    assert!(
        full.errors.is_empty(),
        "{name}: parallel parse answered, but the whole parse reports {:?}",
        full.errors
    );
    if let Err(diff) = same_documents(&chunked, &full.documents) {
        panic!("{name}: parallel parse differs: {diff}");
    }
    true
}

#[test]
fn corpus_parallel_parses_equal_whole_parses() {
    let Some(corpus) = corpus() else { return };
    let mut files = Vec::new();
    yaml_files(&corpus, &mut files);
    files.sort();
    let limits = YamlLimits::default();
    let (mut answered, mut cut_fine, mut large) = (0, 0, 0);
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let name = path.display().to_string();
        // Cut small, and as the parse of a large file cuts.
        let fine = check_parallel(&name, &text, limits, 256);
        let coarse = match yaml_chunks::parse_parallel(&text, limits) {
            Some(chunked) => {
                let full = yaml::parse_stream(&text, limits);
                if let Err(diff) = same_documents(&chunked, &full.documents) {
                    panic!("{name}: parallel parse differs: {diff}");
                }
                true
            }
            None => false,
        };
        // Both cut the same text at the same kind of places; cut as
        // sized, a file that is one chunk is left to the whole parse.
        assert!(
            fine || !coarse,
            "{name}: cut small {fine}, cut as sized {coarse}"
        );
        answered += usize::from(coarse);
        cut_fine += usize::from(fine);
        if coarse && text.len() >= portolan_core::parse::PARALLEL_BYTES {
            large += 1;
        }
    }
    println!(
        "{answered} of {} files parsed in chunks on every core ({large} of them large)",
        files.len()
    );
    assert!(cut_fine * 4 >= files.len(), "{cut_fine} of {}", files.len());
    // Stripe's and OpenAI's definitions at least.
    assert!(large >= 2, "{large} large files parsed in parallel");
}

/// Cases the cached parse answers as one chunk, the whole text.
const ONE_CHUNK: &[&str] = &["a:\n  b: 1\n  ? c\n  : 2\n", "\"a\\\"b\":\n  c: 1\n"];

#[test]
fn edge_cases_parse_in_parallel_exactly_or_not_at_all() {
    for (text, chunked) in CASES {
        let answered = check_parallel(&format!("{text:?}"), text, YamlLimits::default(), 0);
        // Not cut up, so one chunk: left to the whole parse at once.
        let chunked = *chunked && !ONE_CHUNK.contains(text);
        assert_eq!(
            answered, chunked,
            "{text:?}: parsed in parallel: {answered}, expected {chunked}"
        );
    }
    let limits = YamlLimits {
        max_depth: 3,
        ..YamlLimits::default()
    };
    assert!(
        yaml_chunks::parse_parallel_cut_at("a:\n  b:\n    c:\n      d: 1\n", limits, 0).is_none()
    );
    assert!(check_parallel("shallow", "a:\n  b:\n    c: 1\n", limits, 0));
}

/// Through `parse_text`, a large block-style definition gives the whole
/// parse's tree, and a large one the chunks cannot vouch for (an alias)
/// still gets the whole parse's tree and findings.
#[test]
fn large_texts_parse_as_whole_texts_do() {
    let limits = YamlLimits::default();
    let mut text = String::from("openapi: 3.0.3\npaths:\n");
    let mut n = 0;
    while text.len() < portolan_core::parse::PARALLEL_BYTES + 1024 {
        text.push_str(&format!(
            "  /items/{n}:\n    get:\n      summary: item {n}\n      responses:\n        '200':\n          description: ok\n"
        ));
        n += 1;
    }
    let whole = yaml::parse_stream(&text, limits);
    let parsed = portolan_core::parse::parse_text(&text, limits);
    assert!(parsed.errors.is_empty());
    same_documents(&parsed.documents, &whole.documents).unwrap();
    assert!(yaml_chunks::parse_parallel(&text, limits).is_some());

    let aliased = format!("{text}x: &a 1\ny: *a\nopenapi: again\n");
    assert!(yaml_chunks::parse_parallel(&aliased, limits).is_none());
    let whole = yaml::parse_stream(&aliased, limits);
    let parsed = portolan_core::parse::parse_text(&aliased, limits);
    assert_eq!(parsed.errors, whole.errors);
    assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
    same_documents(&parsed.documents, &whole.documents).unwrap();
}
