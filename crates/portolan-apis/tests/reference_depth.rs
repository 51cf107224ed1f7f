//! `max_reference_depth` (issue 16, input limits): a chain of `$ref`s, each
//! leading to one that is only a `$ref`, is followed up to the limit; the
//! first `$ref` past it is an error (A015) at its own line, and the rest
//! of the definition is still checked.

use portolan_apis::{ApiDefinition, LoadLimits, RootDocument, check_definition};
use portolan_core::Diagnostic;
use portolan_core::source::MemorySource;

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\n";

fn check(files: &[(String, String)], max_reference_depth: usize) -> ApiDefinition {
    let mut source = MemorySource::new();
    for (path, text) in files {
        source.insert(path, text.as_bytes());
    }
    check_definition(
        &source,
        RootDocument::File(&files[0].0),
        LoadLimits {
            max_reference_depth,
            ..LoadLimits::default()
        },
    )
}

/// An operation whose response schema is `$ref: S0`, and schemas S0 → S1
/// → … → S(n-1), the last a string: a chain of `n` references.
fn schema_chain(n: usize) -> String {
    let mut text = format!(
        "{HEAD}paths:\n  /x:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/S0'\ncomponents:\n  schemas:\n"
    );
    for i in 0..n - 1 {
        text.push_str(&format!(
            "    S{i}: {{$ref: '#/components/schemas/S{}'}}\n",
            i + 1
        ));
    }
    text.push_str(&format!("    S{}: {{type: string}}\n", n - 1));
    text
}

fn of_code<'a>(def: &'a ApiDefinition, code: &str) -> Vec<&'a Diagnostic> {
    def.diagnostics.iter().filter(|d| d.code == code).collect()
}

#[test]
fn a_chain_as_long_as_the_limit_passes() {
    let files = vec![("openapi.yaml".to_string(), schema_chain(64))];
    let def = check(&files, 64);
    assert!(def.diagnostics.is_empty(), "{:?}", def.diagnostics);
    let def = check(&files, LoadLimits::default().max_reference_depth);
    assert!(def.diagnostics.is_empty(), "{:?}", def.diagnostics);
}

#[test]
fn the_first_reference_past_the_limit_is_reported_where_it_is_written() {
    let text = schema_chain(65);
    let files = vec![("openapi.yaml".to_string(), text.clone())];
    let def = check(&files, 64);
    let found = of_code(&def, "A015");
    assert_eq!(found.len(), 1, "{:?}", def.diagnostics);
    let d = found[0];
    assert_eq!(
        d.message,
        "a chain of 65 `$ref`s, each leading to the next, goes past the limit of 64 here (`$ref: #/components/schemas/S64`)"
    );
    assert_eq!(d.file.as_deref(), Some("openapi.yaml"));
    let span = d.span.unwrap();
    // The `$ref` value inside S63, on its own line.
    let line = text.lines().find(|l| l.starts_with("    S63:")).unwrap();
    let at = text.find(line).unwrap() + line.find("'#/").unwrap();
    assert_eq!(span.start as usize, at);
    assert_eq!(&text[span.range()], "'#/components/schemas/S64'");
    // The chain's start, shown beside it: the operation's `$ref`.
    let start = text.find("'#/components/schemas/S0'").unwrap();
    assert_eq!(d.related[0].span.start as usize, start);
    // Every other finding is still made: only this one.
    assert_eq!(def.diagnostics.len(), 1, "{:?}", def.diagnostics);
}

/// One finding per chain, however many `$ref`s lead into it, and the
/// definition's other findings are still made.
#[test]
fn one_finding_per_chain_and_the_rest_still_checked() {
    let mut text = schema_chain(10);
    // A second way into the same chain, and an unrelated broken `$ref`.
    text = text.replace(
        "components:\n",
        "  /y:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/S1'\n  /z:\n    get:\n      responses:\n        '200': {$ref: '#/components/responses/Missing'}\ncomponents:\n",
    );
    let files = vec![("openapi.yaml".to_string(), text)];
    let def = check(&files, 3);
    let deep = of_code(&def, "A015");
    assert_eq!(deep.len(), 1, "{:?}", def.diagnostics);
    assert!(
        deep[0].message
            == "a chain of 10 `$ref`s, each leading to the next, goes past the limit of 3 here (`$ref: #/components/schemas/S3`)",
        "{}",
        deep[0].message
    );
    assert_eq!(of_code(&def, "A002").len(), 1, "{:?}", def.diagnostics);
}

/// A path item chain across files has no reusable home in OpenAPI 3.0, so
/// bundling copies each target into the one before: by recursion, which a
/// long enough chain would take past the stack (an abort). It stops at the
/// limit, on a thread with a small stack.
#[test]
fn a_long_chain_of_inlined_path_items_stops_at_the_limit() {
    let n = 20_000;
    let mut files = vec![(
        "openapi.yaml".to_string(),
        format!("{HEAD}paths:\n  /x:\n    $ref: './items.yaml#/p0'\n"),
    )];
    let mut items = String::new();
    for i in 0..n {
        items.push_str(&format!("p{i}: {{$ref: '#/p{}'}}\n", i + 1));
    }
    items.push_str(&format!(
        "p{n}:\n  get:\n    responses: {{'200': {{description: ok}}}}\n"
    ));
    files.push(("items.yaml".to_string(), items));
    // The default, and the highest a portolan.toml may set.
    for limit in [64, portolan_core::config::MAX_REFERENCE_DEPTH_CEILING] {
        let files = files.clone();
        let def = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || check(&files, limit))
            .unwrap()
            .join()
            .expect("no stack overflow");
        let deep = of_code(&def, "A015");
        assert_eq!(deep.len(), 1, "{:?}", def.diagnostics);
        assert_eq!(deep[0].file.as_deref(), Some("items.yaml"));
        let expected = format!(
            "a chain of {} `$ref`s, each leading to the next, goes past the limit of {limit} here (`$ref: #/p{limit}`)",
            n + 1
        );
        assert_eq!(deep[0].message, expected);
    }
}
