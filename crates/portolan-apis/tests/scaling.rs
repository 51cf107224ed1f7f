//! Resolution and bundling stay linear in the number of nodes and
//! references (issue 16, finding 2). Each test builds one input shape at N
//! and 4N and compares the lookup work counted by
//! `portolan_apis::lookup::work_done` (entries scanned, index probes, chain
//! steps, bundled nodes), not wall time: linear work grows about 4×,
//! quadratic work 16×.

use portolan_apis::lookup::work_done;
use portolan_apis::{ApiDefinition, LoadLimits, RootDocument, check_definition};
use portolan_core::source::MemorySource;

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\n";

fn check(files: &[(String, String)]) -> (ApiDefinition, u64) {
    let mut source = MemorySource::new();
    for (path, text) in files {
        source.insert(path, text.as_bytes());
    }
    let before = work_done();
    let def = check_definition(
        &source,
        RootDocument::File(&files[0].0),
        // The chains here are longer than `max_reference_depth` allows by
        // default, on purpose; the limit has tests of its own.
        LoadLimits {
            max_reference_depth: usize::MAX,
            ..LoadLimits::default()
        },
    );
    (def, work_done() - before)
}

/// Work at 4N over work at N, with both definitions free of errors.
fn growth(make: impl Fn(usize) -> Vec<(String, String)>, n: usize) -> f64 {
    let (small_def, small) = check(&make(n));
    let (large_def, large) = check(&make(4 * n));
    for def in [&small_def, &large_def] {
        assert!(def.diagnostics.is_empty(), "{:?}", def.diagnostics);
    }
    large as f64 / small as f64
}

fn one_file(text: String) -> Vec<(String, String)> {
    vec![("api/openapi.yaml".to_string(), text)]
}

/// An operation whose response is `oneOf` every one of `refs`.
fn operation(refs: impl Iterator<Item = String>) -> String {
    let mut out = String::from(
        "paths:\n  /x:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                oneOf:\n",
    );
    for r in refs {
        out.push_str(&format!("                  - $ref: '{r}'\n"));
    }
    out
}

// How it broke: each `$ref` into `components/schemas` scanned the mapping's
// entries to find its target, so N references into N schemas cost N²
// (8,000 schemas: 52 s).
#[test]
fn references_into_many_schemas_are_resolved_in_linear_work() {
    let make = |n: usize| {
        let mut text = format!(
            "{HEAD}{}components:\n  schemas:\n",
            operation((0..n).map(|i| format!("#/components/schemas/S{i}")))
        );
        for i in 0..n {
            text.push_str(&format!("    S{i}: {{type: object}}\n"));
        }
        one_file(text)
    };
    let ratio = growth(make, 500);
    assert!(ratio < 6.0, "work grew {ratio:.1}x for 4x the schemas");
}

// How it broke: every `$ref` of a chain S0 → S1 → … was followed to its
// end (up to 64 steps) looking for a loop, each step scanning the schemas
// mapping: a chain of 8,000 took 49 s.
#[test]
fn a_long_reference_chain_is_followed_once() {
    let make = |n: usize| {
        let mut text = format!(
            "{HEAD}{}components:\n  schemas:\n",
            operation(std::iter::once("#/components/schemas/S0".to_string()))
        );
        for i in 0..n - 1 {
            text.push_str(&format!(
                "    S{i}: {{$ref: '#/components/schemas/S{}'}}\n",
                i + 1
            ));
        }
        text.push_str(&format!("    S{}: {{type: string}}\n", n - 1));
        one_file(text)
    };
    let ratio = growth(make, 500);
    assert!(ratio < 6.0, "work grew {ratio:.1}x for a 4x longer chain");
}

// A loop longer than the 64 steps the chain was once followed for went
// unreported; it is reported once, at its first member, whatever its length.
#[test]
fn a_long_reference_loop_is_reported_once() {
    let n = 300;
    let mut text = format!(
        "{HEAD}{}components:\n  schemas:\n",
        operation(std::iter::once("#/components/schemas/S0".to_string()))
    );
    for i in 0..n {
        text.push_str(&format!(
            "    S{i}: {{$ref: '#/components/schemas/S{}'}}\n",
            (i + 1) % n
        ));
    }
    let (def, _) = check(&one_file(text));
    let loops: Vec<_> = def
        .diagnostics
        .iter()
        .filter(|d| d.code == "A004")
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(
        loops,
        [format!(
            "`$ref: #/components/schemas/S1` starts a loop of {n} references that never reaches a value"
        )]
    );
}

// How it broke: files pulled in under the same name (`item`, `item_2`, …)
// tried every suffix from 2 up for each new one: N files cost N² probes.
#[test]
fn many_files_with_one_name_are_named_in_linear_work() {
    let make = |n: usize| {
        let mut files = one_file(format!(
            "{HEAD}{}",
            operation((0..n).map(|i| format!("./d{i}/item.yaml")))
        ));
        for i in 0..n {
            files.push((format!("api/d{i}/item.yaml"), "type: string\n".to_string()));
        }
        files
    };
    let ratio = growth(make, 200);
    assert!(ratio < 6.0, "work grew {ratio:.1}x for 4x the files");
}
