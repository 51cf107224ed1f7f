//! Whole catalogs compared (`catalog::compare_catalogs`): APIs matched by
//! entity ref, the catalog's own changes to an API (C050–C056), and who
//! consumes each API. In memory; `crates/portolan/tests/diff.rs` runs the
//! same through git and the command line.

use portolan_catalog::Catalog;
use portolan_catalog::load::{LoadOptions, load};
use portolan_core::source::MemorySource;
use portolan_diff::DiffOptions;
use portolan_diff::catalog::{ApiStatus, Side, compare_catalogs};

const OPENAPI: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok}}\n";

fn api(name: &str, extra: &str, definition: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {{name: {name}}}\nspec:\n  type: openapi\n  owner: team-a\n  definition: {{$text: ./{definition}}}\n{extra}"
    )
}

fn catalog(source: &MemorySource) -> Catalog {
    Catalog::link(load(source, &LoadOptions::default()).unwrap()).0
}

/// (entity, status, codes) of every API compared.
fn compare(
    base: &MemorySource,
    head: &MemorySource,
) -> Vec<(String, ApiStatus, Vec<&'static str>)> {
    let (b, h) = (catalog(base), catalog(head));
    compare_catalogs(
        Side {
            source: base,
            catalog: &b,
        },
        Side {
            source: head,
            catalog: &h,
        },
        None,
        &DiffOptions::default(),
    )
    .into_iter()
    .map(|a| {
        let mut codes: Vec<&'static str> = a
            .catalog_changes
            .iter()
            .map(|c| c.code.code)
            .chain(a.changes.iter().map(|c| c.code.code))
            .collect();
        if a.not_compared.is_some() {
            codes.push("C055");
        }
        codes.sort();
        (a.entity.to_string(), a.status, codes)
    })
    .collect()
}

#[test]
fn every_catalog_change_code_is_reported() {
    let provider = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: svc}\nspec: {type: service, lifecycle: production, owner: team-a, providesApis: [moved]}\n";
    let graphql = "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: gql}\nspec: {type: graphql, lifecycle: production, owner: team-a, definition: {$text: ./schema.graphql}}\n";
    let base = MemorySource::new()
        .with_file(
            "catalog-info.yaml",
            [
                api("gone", "  lifecycle: production\n", "a.yaml"),
                api("moved", "  lifecycle: production\n", "a.yaml"),
                api("broken", "  lifecycle: production\n", "a.yaml"),
                provider.to_string(),
                graphql.to_string(),
            ]
            .join("---\n"),
        )
        .with_file("a.yaml", OPENAPI)
        .with_file("schema.graphql", "type Query { a: Int }\n");
    let head = MemorySource::new()
        .with_file(
            "catalog-info.yaml",
            [
                api("new", "  lifecycle: production\n", "a.yaml"),
                api("moved", "  lifecycle: deprecated\n", "a.yaml")
                    .replace("owner: team-a", "owner: team-b"),
                api("broken", "  lifecycle: production\n", "b.yaml"),
                provider.replace(", providesApis: [moved]", ""),
                graphql.to_string(),
            ]
            .join("---\n"),
        )
        .with_file("a.yaml", OPENAPI)
        .with_file("b.yaml", "openapi: [this is not\n")
        .with_file("schema.graphql", "type Query { b: Int }\n");
    let found = compare(&base, &head);
    let expected: Vec<(String, ApiStatus, Vec<&str>)> = vec![
        (
            "api:default/broken".into(),
            ApiStatus::Compared,
            vec!["C055"],
        ),
        ("api:default/gone".into(), ApiStatus::Removed, vec!["C050"]),
        ("api:default/gql".into(), ApiStatus::Compared, vec!["C056"]),
        (
            "api:default/moved".into(),
            ApiStatus::Compared,
            vec!["C052", "C053", "C054"],
        ),
        ("api:default/new".into(), ApiStatus::Added, vec!["C051"]),
    ];
    assert_eq!(found, expected);
    // Every catalog-level code is among them.
    let seen: std::collections::BTreeSet<&str> = found
        .iter()
        .flat_map(|(_, _, c)| c.iter().copied())
        .collect();
    for code in portolan_core::codes::ALL {
        if code.code.starts_with('C') && code.code >= "C050" {
            assert!(seen.contains(code.code), "{} is not reported", code.code);
        }
    }
}

#[test]
fn unchanged_definitions_are_loaded_once_and_consumers_are_listed() {
    let consumer = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: web}\nspec: {type: website, lifecycle: production, owner: group:shop, consumesApis: [pay]}\n";
    let files = MemorySource::new()
        .with_file(
            "catalog-info.yaml",
            [
                api("pay", "  lifecycle: production\n", "a.yaml"),
                consumer.to_string(),
            ]
            .join("---\n"),
        )
        .with_file("a.yaml", OPENAPI);
    let c = catalog(&files);
    let diffs = compare_catalogs(
        Side {
            source: &files,
            catalog: &c,
        },
        Side {
            source: &files,
            catalog: &c,
        },
        None,
        &DiffOptions::default(),
    );
    assert_eq!(diffs.len(), 1);
    assert!(diffs[0].unchanged_definition);
    assert!(diffs[0].head.is_none(), "the head was loaded again");
    assert!(diffs[0].changes.is_empty() && diffs[0].catalog_changes.is_empty());
    assert_eq!(diffs[0].consumers.len(), 1);
    assert_eq!(
        diffs[0].consumers[0].entity.to_string(),
        "component:default/web"
    );
    assert_eq!(
        diffs[0].consumers[0]
            .owner
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("group:default/shop")
    );
}

/// A change in a schema that 1,200 operations share lists the first 100
/// of them and says there are more: N changes in a chain of N shared
/// schemas would otherwise list N²/2 operations between them.
#[test]
fn a_change_lists_at_most_a_hundred_operations() {
    let spec = |required: &str| {
        let mut text = String::from("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n");
        for i in 0..1200 {
            text.push_str(&format!(
                "  /p{i:04}:\n    get:\n      responses:\n        '200':\n          description: ok\n          content: {{application/json: {{schema: {{$ref: '#/components/schemas/S'}}}}}}\n"
            ));
        }
        text.push_str(&format!(
            "components:\n  schemas:\n    S:\n      type: object\n      required: [{required}]\n      properties: {{a: {{type: string}}, b: {{type: string}}}}\n"
        ));
        text
    };
    let source = |required: &str| {
        MemorySource::new()
            .with_file(
                "catalog-info.yaml",
                api("shared", "  lifecycle: production\n", "a.yaml"),
            )
            .with_file("a.yaml", spec(required))
    };
    let (base, head) = (source("a, b"), source("b"));
    let (b, h) = (catalog(&base), catalog(&head));
    let diffs = compare_catalogs(
        Side {
            source: &base,
            catalog: &b,
        },
        Side {
            source: &head,
            catalog: &h,
        },
        None,
        &DiffOptions::default(),
    );
    let changes = &diffs[0].changes;
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(changes[0].code.code, "C038");
    assert_eq!(changes[0].operations.len(), 100);
    assert!(
        changes[0]
            .message
            .ends_with("(GET /p0000, 200; and at least 99 other operations)"),
        "{}",
        changes[0].message
    );
}
