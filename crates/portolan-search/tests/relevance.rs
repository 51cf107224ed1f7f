//! Relevance against `examples/acme`: what people type, and what must come
//! first. Each row is a query, how many results the expected one may be
//! among, and the expected result (kind and title). Add a row when a query
//! ranks badly, with the query that showed it.

mod common;

use portolan_search::Hit;

struct Case {
    /// What the row tests.
    what: &'static str,
    query: &'static str,
    /// The expected hit must be among the first `within`.
    within: usize,
    kind: &'static str,
    title: &'static str,
}

const fn case(
    what: &'static str,
    query: &'static str,
    within: usize,
    kind: &'static str,
    title: &'static str,
) -> Case {
    Case {
        what,
        query,
        within,
        kind,
        title,
    }
}

const CASES: &[Case] = &[
    case(
        "exact entity name",
        "payments-gateway",
        1,
        "component",
        "Payments gateway",
    ),
    case(
        "exact entity name",
        "orders-db",
        1,
        "resource",
        "Orders database",
    ),
    case("exact user name", "akumar", 1, "user", "Anika Kumar"),
    case("entity title", "Payments Core", 1, "group", "Payments Core"),
    case(
        "entity title, lower case",
        "fraud scorer",
        1,
        "component",
        "Fraud scorer",
    ),
    case(
        "partial word (type-ahead)",
        "fulfil",
        1,
        "component",
        "Fulfilment worker",
    ),
    case(
        "partial word (type-ahead)",
        "ledg",
        1,
        "component",
        "Payments ledger",
    ),
    case(
        "partial last word",
        "payments gate",
        1,
        "component",
        "Payments gateway",
    ),
    case("typo", "fulfilmnet", 1, "component", "Fulfilment worker"),
    case(
        "typo",
        "paymnets gateway",
        1,
        "component",
        "Payments gateway",
    ),
    case(
        "typo",
        "refnd",
        3,
        "operation",
        "Refund all or part of a captured payment",
    ),
    case(
        "operationId",
        "refundPayment",
        1,
        "operation",
        "Refund all or part of a captured payment",
    ),
    case("operationId", "listOrders", 1, "operation", "List orders"),
    case(
        "operationId",
        "getCategoryTree",
        1,
        "operation",
        "Get the whole category tree",
    ),
    case(
        "operationId in snake_case",
        "list_orders",
        1,
        "operation",
        "List orders",
    ),
    case(
        "operationId lower-cased",
        "listorders",
        1,
        "operation",
        "List orders",
    ),
    case(
        "path",
        "/orders/{orderId}/cancel",
        1,
        "operation",
        "Cancel an order",
    ),
    case(
        "path fragment",
        "/carts/{cartId}/items",
        2,
        "operation",
        "Add an item (or increase its quantity)",
    ),
    case(
        "method and path",
        "DELETE /carts",
        1,
        "operation",
        "Remove an item",
    ),
    case(
        "summary words",
        "cancel order",
        1,
        "operation",
        "Cancel an order",
    ),
    case(
        "tag filter",
        "tag:pci-dss gateway",
        1,
        "component",
        "Payments gateway",
    ),
    case(
        "owner facet",
        "owner:payments-team refund",
        2,
        "operation",
        "Refund all or part of a captured payment",
    ),
    case(
        "owner facet by ref",
        "owner:group:default/orders-team cancel",
        2,
        "operation",
        "Cancel an order",
    ),
    case("kind facet", "kind:api orders", 1, "api", "Orders API"),
    case(
        "api facet",
        "api:orders-api status",
        1,
        "operation",
        "An order changed status",
    ),
    case("docs heading", "Rolling back", 1, "docs", "Rolling back"),
    case(
        "docs heading",
        "state machine",
        1,
        "docs",
        "The order state machine",
    ),
    case("docs page", "runbook", 1, "docs", "Runbook"),
    case("docs words", "argocd rollback", 1, "docs", "Rolling back"),
    case(
        "AsyncAPI channel",
        "catalog.product.v1.deleted",
        1,
        "channel",
        "catalog.product.v1.deleted",
    ),
    case(
        "AsyncAPI message",
        "product updated",
        1,
        "message",
        "Product updated",
    ),
    case(
        "schema name (a channel and a webhook share it)",
        "OrderStatusChanged",
        3,
        "schema",
        "OrderStatusChanged",
    ),
    case(
        "annotation: PagerDuty service",
        "PPAY001",
        1,
        "component",
        "Payments gateway",
    ),
    case(
        "annotation: repository slug",
        "acme/payments-gateway",
        1,
        "component",
        "Payments gateway",
    ),
];

fn describe(hits: &[Hit]) -> String {
    hits.iter()
        .map(|h| format!("  {:.2} {} {:?} ({})", h.score, h.kind, h.title, h.url))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn queries_find_what_people_look_for() {
    let acme = common::acme_index();
    let mut failures = Vec::new();
    for case in CASES {
        let hits = acme.index.search(case.query, 10).unwrap();
        let found = hits
            .iter()
            .take(case.within)
            .any(|h| h.kind == case.kind && h.title == case.title);
        if !found {
            failures.push(format!(
                "{}: `{}` should find {} {:?} within the first {}; got\n{}",
                case.what,
                case.query,
                case.kind,
                case.title,
                case.within,
                describe(&hits)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_tag_finds_what_is_tagged_with_it_first() {
    let acme = common::acme_index();
    let tagged: std::collections::BTreeSet<&str> = acme
        .docs
        .iter()
        .filter(|d| d.tags.iter().any(|t| t == "pci-dss"))
        .map(|d| d.url.as_str())
        .collect();
    assert!(tagged.len() > 5);
    let hits = acme.index.search("pci-dss", tagged.len()).unwrap();
    let found: std::collections::BTreeSet<&str> = hits.iter().map(|h| h.url.as_str()).collect();
    assert_eq!(found, tagged, "\n{}", describe(&hits));
}

#[test]
fn filters_only_let_matching_documents_through() {
    let acme = common::acme_index();
    let hits = acme
        .index
        .search("kind:api owner:payments-team", 50)
        .unwrap();
    let mut titles: Vec<&str> = hits.iter().map(|h| h.title.as_str()).collect();
    titles.sort_unstable();
    assert_eq!(
        titles,
        ["Ledger events", "Legacy Billing API", "Payments API"]
    );
    for query in [
        "owner:payments-team",
        "owner:group:payments-team",
        "owner:default/payments-team",
    ] {
        let hits = acme.index.search(query, 500).unwrap();
        assert!(!hits.is_empty(), "{query}");
        assert!(
            hits.iter()
                .all(|h| h.owner.as_deref() == Some("group:default/payments-team")),
            "{query}:\n{}",
            describe(&hits)
        );
    }
    let operations = acme.index.search("kind:operation", 500).unwrap();
    assert_eq!(
        operations.len(),
        acme.docs.iter().filter(|d| d.kind == "operation").count()
    );
    assert!(
        acme.index
            .search("kind:nothing refund", 10)
            .unwrap()
            .is_empty()
    );
    let lifecycle = acme.index.search("lifecycle:deprecated", 50).unwrap();
    assert!(!lifecycle.is_empty());
    assert!(
        lifecycle
            .iter()
            .all(|h| h.lifecycle.as_deref() == Some("deprecated"))
    );
}

#[test]
fn snippets_highlight_what_matched() {
    let acme = common::acme_index();
    let hits = acme.index.search("argocd rollback", 1).unwrap();
    let snippet = hits[0].snippet.as_ref().expect("a snippet");
    assert_eq!(
        snippet.marked("[", "]"),
        "[argocd] app [rollback] orders-service"
    );
    // A prefix highlights the words it completed to.
    let hits = acme.index.search("kind:group fulfil", 1).unwrap();
    let snippet = hits[0].snippet.as_ref().expect("a snippet");
    assert!(
        snippet.marked("[", "]").contains("[fulfilment]"),
        "{snippet:?}"
    );
}

#[test]
fn documents_cover_every_kind_and_come_out_in_the_same_order() {
    let acme = common::acme_index();
    let kinds: std::collections::BTreeSet<&str> =
        acme.docs.iter().map(|d| d.kind.as_str()).collect();
    for kind in [
        "api",
        "channel",
        "component",
        "docs",
        "domain",
        "group",
        "message",
        "operation",
        "resource",
        "schema",
        "system",
        "user",
    ] {
        assert!(kinds.contains(kind), "no {kind} documents");
    }
    let checked = common::check_acme();
    let again = portolan_search::documents(
        &checked,
        &common::TestUrls {
            catalog: &checked.catalog,
        },
    );
    assert_eq!(again, acme.docs);
    // Every docs section and operation points at an anchor.
    for doc in &acme.docs {
        if doc.kind == "operation" {
            assert!(doc.url.contains("#op-"), "{}", doc.url);
        }
    }
}

#[test]
fn the_same_documents_give_the_same_index_bytes() {
    let acme = common::acme_index();
    let first = portolan_search::index_files(&acme.docs).unwrap();
    let second = portolan_search::index_files(&acme.docs).unwrap();
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &first {
        assert!(&second[name] == bytes, "{name} differs between two builds");
    }
    assert!(
        first.keys().all(
            |name| name == "meta.json" || name.starts_with("00000000000000000000000000000001.")
        )
    );
}

#[test]
fn an_index_written_to_disk_opens_and_answers() {
    let acme = common::acme_index();
    let dir = tempfile::tempdir().unwrap();
    let stats = portolan_search::write_index(&acme.docs, dir.path()).unwrap();
    assert_eq!(stats.documents, acme.docs.len());
    let index = portolan_search::open(dir.path()).unwrap();
    assert_eq!(index.num_docs(), acme.docs.len() as u64);
    let hits = portolan_search::search(&index, "refundPayment", 1).unwrap();
    assert_eq!(hits[0].title, "Refund all or part of a captured payment");
    // Writing again over it gives the same files.
    portolan_search::write_index(&acme.docs, dir.path()).unwrap();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), stats.files);
    match portolan_search::open(&dir.path().join("missing")) {
        Err(portolan_search::Error::NoIndex { .. }) => {}
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("opened an index that is not there"),
    }
}

#[test]
fn empty_queries_are_errors_and_an_empty_index_answers_nothing() {
    let acme = common::acme_index();
    assert!(matches!(
        acme.index.search("  ", 10),
        Err(portolan_search::Error::EmptyQuery)
    ));
    let files = portolan_search::index_files(&[]).unwrap();
    let empty = portolan_search::SearchIndex::from_files(&files).unwrap();
    assert!(empty.search("anything", 10).unwrap().is_empty());
}
