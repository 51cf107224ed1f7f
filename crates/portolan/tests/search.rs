//! `portolan search` as users meet it, over an index of `examples/acme`
//! written with the library (until `build` writes one), and the search
//! documents' URLs checked against the pages the site renders.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use portolan_apis::model::{ApiModel, Channel, Message, Operation};
use portolan_catalog::{Catalog, EntityId};
use portolan_check::{CheckOptions, Checked, check, policy};
use portolan_core::source::DirSource;
use portolan_search::{ApiUrls, SearchDoc, SiteUrls};
use portolan_site::reference::{ReferenceUrls, slug};

fn acme() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/acme")
}

fn check_acme() -> Checked {
    let source = DirSource::new(acme()).unwrap();
    let (config, policies) = policy::configuration_in(&source).unwrap();
    check(
        &source,
        &config,
        &policies,
        &CheckOptions::from_config(&config),
    )
    .unwrap()
}

/// The site's routes, from the site's own public functions: what
/// `portolan-site` implements `SiteUrls` with. The page an operation lands
/// on repeats private rules of `reference.rs` (a compact API's one
/// operations page, the group of an untagged operation, 40 operations a
/// page).
struct SiteRoutes<'a> {
    catalog: &'a Catalog,
}

impl SiteUrls for SiteRoutes<'_> {
    fn entity_url(&self, entity: EntityId) -> String {
        portolan_site::pages::entity_url(self.catalog, entity)
    }

    fn api_urls<'a>(&'a self, api: EntityId, model: &'a ApiModel) -> Box<dyn ApiUrls + 'a> {
        let urls = ReferenceUrls::new(format!("{}reference/", self.entity_url(api)), "/", model);
        // Operation (by pointer) → the page of its tag that lists it.
        let mut groups: std::collections::BTreeMap<String, Vec<&Operation>> = Default::default();
        for op in model.operations.iter().chain(&model.webhooks) {
            let tag = op
                .tags
                .first()
                .cloned()
                .unwrap_or_else(|| path_group(&op.path));
            groups.entry(tag).or_default().push(op);
        }
        let mut pages = std::collections::BTreeMap::new();
        for (tag, ops) in &groups {
            for (i, op) in ops.iter().enumerate() {
                let page = match (urls.compact, i / 40) {
                    (true, _) => format!("{}operations/", urls.root),
                    (false, 0) => urls.tag_path(tag),
                    (false, n) => format!("{}{}/", urls.tag_path(tag), n + 1),
                };
                pages.insert(op.pointer.clone(), page);
            }
        }
        Box::new(ReferenceRoutes { urls, pages })
    }

    fn docs_url(&self, entity: EntityId, page: &str, heading_id: Option<&str>) -> String {
        let root = format!("{}docs/", self.entity_url(entity));
        let path = portolan_site::docs::page_path(&root, page);
        match heading_id {
            Some(id) => format!("{path}#{id}"),
            None => path,
        }
    }
}

fn path_group(path: &str) -> String {
    path.split('/')
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
        .find(|s| {
            let is_version = s.len() <= 4
                && s.starts_with('v')
                && s[1..].chars().all(|c| c.is_ascii_digit() || c == '.');
            !is_version
        })
        .unwrap_or("Other")
        .to_string()
}

struct ReferenceRoutes {
    urls: ReferenceUrls,
    pages: std::collections::BTreeMap<String, String>,
}

impl ApiUrls for ReferenceRoutes {
    fn operation_url(&self, op: &Operation) -> String {
        let anchor = slug(
            op.operation_id
                .as_deref()
                .unwrap_or(&format!("{} {}", op.method, op.path)),
        );
        format!("{}#op-{anchor}", self.pages[&op.pointer])
    }

    fn schema_url(&self, name: &str) -> Option<String> {
        self.urls.schema_path(name)
    }

    fn channel_url(&self, _channel: &Channel) -> String {
        // Channels have no anchor of their own yet: their table.
        format!("{}#channels", self.urls.root)
    }

    fn message_url(&self, message: &Message) -> String {
        format!("{}#msg-{}", self.urls.root, slug(&message.key))
    }
}

struct Acme {
    checked: Checked,
    docs: Vec<SearchDoc>,
    /// An index of the example, written once per test binary.
    index: tempfile::TempDir,
}

fn acme_index() -> &'static Acme {
    static ACME: OnceLock<Acme> = OnceLock::new();
    ACME.get_or_init(|| {
        let checked = check_acme();
        let docs = portolan_search::documents(
            &checked,
            &SiteRoutes {
                catalog: &checked.catalog,
            },
        );
        let index = tempfile::tempdir().unwrap();
        portolan_search::write_index(&docs, index.path()).unwrap();
        Acme {
            checked,
            docs,
            index,
        }
    })
}

struct Output {
    stdout: String,
    stderr: String,
    code: i32,
}

fn portolan(cwd: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_portolan"))
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .env("CI", "true")
        .output()
        .unwrap();
    Output {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

fn search(args: &[&str]) -> Output {
    let acme = acme_index();
    let index = acme.index.path().to_str().unwrap();
    let mut all = vec!["search", "--index", index];
    all.extend_from_slice(args);
    portolan(acme.index.path(), &all)
}

#[test]
fn hits_are_one_line_each_and_exit_zero() {
    let out = search(&["refundPayment", "--limit", "2"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", out.stdout);
    assert_eq!(
        lines[0],
        "operation  Refund all or part of a captured payment  POST /payments/{paymentId}/refunds  \
         catalog/api/default/payments-api/reference/operations/#op-refundpayment"
    );
    assert_eq!(out.stderr, "");
}

#[test]
fn words_of_the_query_may_come_as_several_arguments_with_filters() {
    let out = search(&["kind:api", "owner:payments-team"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 3, "{}", out.stdout);
    assert!(
        out.stdout.lines().all(|l| l.starts_with("api  ")),
        "{}",
        out.stdout
    );
}

#[test]
fn colour_adds_the_snippet_under_each_hit() {
    let out = search(&["--color", "always", "--limit", "1", "argocd", "rollback"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", out.stdout);
    assert!(
        lines[0].contains("\x1b[1mRolling back\x1b[0m"),
        "{:?}",
        lines[0]
    );
    assert!(
        lines[1].contains("\x1b[0m\x1b[1margocd\x1b[0m\x1b[2m"),
        "{:?}",
        lines[1]
    );
}

#[test]
fn json_is_an_array_of_hits_with_scores_and_snippets() {
    let out = search(&["--format", "json", "--limit", "3", "cancel", "order"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let hits: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let hits = hits.as_array().unwrap();
    assert_eq!(hits.len(), 3);
    assert_eq!(hits[0]["title"], "Cancel an order");
    assert_eq!(hits[0]["kind"], "operation");
    assert_eq!(hits[0]["api"], "orders-api");
    assert_eq!(hits[0]["owner"], "group:default/orders-team");
    assert!(hits[0]["score"].as_f64().unwrap() > hits[1]["score"].as_f64().unwrap());
    assert!(hits[0]["snippet"]["text"].is_string());
    assert!(hits[0]["snippet"]["highlights"].is_array());
}

#[test]
fn nothing_found_exits_one_like_grep() {
    let out = search(&["zzyzx"]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr, "no results for `zzyzx`\n");
    let out = search(&["--format", "json", "zzyzx"]);
    assert_eq!((out.code, out.stdout.as_str()), (1, "[]\n"));
    let out = search(&["-q", "zzyzx"]);
    assert_eq!((out.code, out.stderr.as_str()), (1, ""));
}

#[test]
fn usage_errors_exit_two() {
    for args in [
        &["search"][..],
        &["search", "--limit", "0", "refund"],
        &["search", "--format", "xml", "refund"],
    ] {
        let out = portolan(&acme(), args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
    }
    let out = search(&[" "]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("the query is empty"), "{}", out.stderr);
}

#[test]
fn a_missing_index_says_to_build_first() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("portolan.toml"), "").unwrap();
    let out = portolan(dir.path(), &["search", "refund"]);
    assert_eq!(out.code, 2);
    let root = dir.path().canonicalize().unwrap();
    let stderr = out
        .stderr
        .replace(&root.display().to_string(), "[ROOT]")
        .replace(&dir.path().display().to_string(), "[ROOT]");
    assert_eq!(
        stderr,
        "error: no search index in [ROOT]/site/_search: run `portolan build` first (it writes the index to _search/ in the site), or point --index at one\n"
    );
}

#[test]
fn the_default_index_is_in_the_configured_site_directory() {
    let acme = acme_index();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("portolan.toml"),
        "[site]\nout_dir = \"public\"\n",
    )
    .unwrap();
    portolan_search::write_index(&acme.docs, &dir.path().join("public/_search")).unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    // Found from a subdirectory, like every command finds its root.
    let out = portolan(&dir.path().join("sub"), &["search", "payments-gateway"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("component  Payments gateway  "),
        "{}",
        out.stdout
    );
}

/// Every search document's URL is a page of the rendered site, and its
/// anchor an id on that page: search results never lead to a 404 or to the
/// top of the wrong page.
#[test]
fn every_document_url_lands_on_a_rendered_page_and_anchor() {
    let acme = acme_index();
    let output =
        portolan_site::render(&acme.checked, &portolan_site::BuildOptions::new("test")).unwrap();
    let mut problems = Vec::new();
    for doc in &acme.docs {
        let (path, anchor) = match doc.url.split_once('#') {
            Some((path, anchor)) => (path, Some(anchor)),
            None => (doc.url.as_str(), None),
        };
        let Some(page) = output.files.get(&format!("{path}index.html")) else {
            problems.push(format!("{} {:?}: no page {path}", doc.kind, doc.title));
            continue;
        };
        if let Some(anchor) = anchor {
            let page = String::from_utf8_lossy(page);
            if !page.contains(&format!("id=\"{anchor}\"")) {
                problems.push(format!(
                    "{} {:?}: no id {anchor} on {path}",
                    doc.kind, doc.title
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        acme.docs
            .iter()
            .any(|d| d.kind == "docs" && d.url.contains('#'))
    );
}
