//! The build of `examples/acme`, in every test run: `catalog.json` matches
//! its schema, bundles are complete, and two builds are byte-identical.

use std::path::PathBuf;

use portolan_check::{CheckOptions, Checked, check, policy};
use portolan_core::config::Config;
use portolan_core::source::DirSource;
use portolan_site::{BuildOptions, Output, render};

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

fn build_acme() -> Output {
    render(&check_acme(), &BuildOptions::new("test")).unwrap()
}

#[test]
fn catalog_json_validates_against_its_schema() {
    let output = build_acme();
    let catalog: serde_json::Value = serde_json::from_slice(&output.files["catalog.json"]).unwrap();
    let schema_path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../catalog-schema/catalog.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&catalog)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "catalog.json does not match its schema:\n{}",
        errors.join("\n")
    );
    // A real catalog, not an empty document that trivially validates.
    assert_eq!(catalog["summary"]["entities"], 79);
    assert_eq!(catalog["summary"]["errors"], 0);
}

#[test]
fn catalog_json_carries_relations_both_ways_and_api_summaries() {
    let output = build_acme();
    let catalog: serde_json::Value = serde_json::from_slice(&output.files["catalog.json"]).unwrap();
    let entities = catalog["entities"].as_array().unwrap();
    let find = |r: &str| {
        entities
            .iter()
            .find(|e| e["ref"] == r)
            .unwrap_or_else(|| panic!("{r} missing"))
    };
    let orders = find("component:default/orders-service");
    let provides: Vec<&str> = orders["relations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "providesApi")
        .map(|r| r["target"].as_str().unwrap())
        .collect();
    assert!(!provides.is_empty(), "{orders}");
    let api = find(provides[0]);
    assert!(
        api["relations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["type"] == "apiProvidedBy"
                && r["target"] == "component:default/orders-service")
    );
    assert!(
        api["spec"].get("definition").is_none(),
        "definitions are served as bundles"
    );
    let bundle = api["api"]["bundle"]["json"].as_str().unwrap();
    let bundled: serde_json::Value = serde_json::from_slice(&output.files[bundle]).unwrap();
    assert_eq!(bundled["info"]["title"], api["api"]["title"]);
    assert!(
        output
            .files
            .contains_key(api["api"]["bundle"]["yaml"].as_str().unwrap())
    );
}

#[test]
fn two_builds_are_byte_identical() {
    let first = build_acme();
    let second = build_acme();
    assert_eq!(
        first.files.keys().collect::<Vec<_>>(),
        second.files.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &first.files {
        assert!(
            second.files[path] == *bytes,
            "{path} differs between two builds"
        );
    }
}

#[test]
fn every_internal_link_resolves() {
    let output = build_acme();
    assert!(output.files.contains_key("index.html"));
    assert!(
        output
            .files
            .contains_key("catalog/component/default/orders-service/index.html")
    );
    let broken = portolan_site::links::broken_links(&output, "/");
    assert!(broken.is_empty(), "{broken:?}");
    // The check can fail: a page linking to nothing is caught.
    let mut damaged = output.clone();
    damaged.insert("extra.html", "<a href=\"/catalog/nope/\">x</a>");
    assert_eq!(portolan_site::links::broken_links(&damaged, "/").len(), 1);
}

/// Every file under `dir`, by site path, except the ownership marker.
fn files_on_disk(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                if rel != ".portolan-site" {
                    files.insert(rel, std::fs::read(&path).unwrap());
                }
            }
        }
    }
    files
}

#[test]
fn a_streaming_build_writes_exactly_the_site_rendered_in_memory() {
    use portolan_site::output::Staging;
    use portolan_site::spill::Spill;
    let checked = check_acme();
    // An absolute base URL: the sitemap lists every page, so it is made
    // from the files written so far, not from a site in memory.
    let mut options = BuildOptions::new("test");
    options.base_url = "https://portal.example.com/".into();
    let in_memory = render(&checked, &options).unwrap();
    assert!(in_memory.files.contains_key("sitemap.xml"));

    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let staging = Staging::begin(&out).unwrap();
    let counted = std::sync::atomic::AtomicUsize::new(0);
    let on_written = |n: usize| counted.store(n, std::sync::atomic::Ordering::Relaxed);
    let spill = Spill::new(&staging, &options.base_url, &options.theme, &on_written);
    portolan_site::render_streaming(&checked, &options, &spill).unwrap();
    assert!(
        spill.broken_links().is_empty(),
        "{:?}",
        spill.broken_links()
    );
    assert_eq!(spill.files().len(), in_memory.files.len());
    // Nothing is in place until the commit.
    assert!(!out.exists());
    staging.commit().unwrap();

    let written = files_on_disk(&out);
    assert_eq!(
        written.keys().collect::<Vec<_>>(),
        in_memory.files.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &in_memory.files {
        assert!(written[path] == bytes[..], "{path} differs on disk");
    }
    assert_eq!(
        counted.load(std::sync::atomic::Ordering::Relaxed),
        in_memory.files.len()
    );
}

#[test]
fn a_streaming_build_dropped_before_its_commit_leaves_the_previous_site() {
    use portolan_site::output::Staging;
    use portolan_site::spill::Spill;
    let checked = check_acme();
    let options = BuildOptions::new("test");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    portolan_site::write_atomic(&render(&checked, &options).unwrap(), &out).unwrap();
    let before = files_on_disk(&out);
    {
        let staging = Staging::begin(&out).unwrap();
        let spill = Spill::new(&staging, &options.base_url, &options.theme, &|_| {});
        portolan_site::render_streaming(&checked, &options, &spill).unwrap();
        // A broken link found after the render, say: no commit.
    }
    assert_eq!(files_on_disk(&out), before);
    // Only the site is left beside it: the staging directory is gone.
    let beside: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(beside, vec![std::ffi::OsString::from("site")]);
}

#[test]
fn base_url_prefixes_every_link() {
    let mut options = BuildOptions::new("test");
    options.base_url = "/portal/".into();
    let output = render(&check_acme(), &options).unwrap();
    assert!(portolan_site::links::broken_links(&output, "/portal/").is_empty());
    let home = String::from_utf8(output.files["index.html"].to_vec())
        .unwrap()
        .replace("&#x2f;", "/");
    assert!(
        home.contains("href=\"/portal/assets/portolan.css\""),
        "{home}"
    );
    for (page, bytes) in output.files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes).replace("&#x2f;", "/");
        for piece in html.split("href=\"/").skip(1) {
            assert!(
                piece.starts_with("portal/"),
                "{page}: a link outside the base: /{}",
                &piece[..piece.find('"').unwrap_or(0)]
            );
        }
    }
}

/// Attributes whose value a browser follows as a URL.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "poster",
    "data",
    "srcset",
    "ping",
];

/// The (lowercased name, value) of each attribute of a tag's text (what is
/// between `<` and `>`), splitting on whitespace outside quoted values.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut parts: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in tag.chars() {
        match (quote, c) {
            (None, '"' | '\'') => {
                quote = Some(c);
                current.push(c);
            }
            (Some(q), c) if c == q => {
                quote = None;
                current.push(c);
            }
            (None, c) if c.is_whitespace() => {
                if !current.is_empty() {
                    parts.push(std::mem::take(&mut current));
                }
            }
            _ => current.push(c),
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
        .into_iter()
        .skip(1)
        .map(|part| match part.split_once('=') {
            Some((name, value)) => (
                name.to_ascii_lowercase(),
                value.trim_matches(|c| c == '"' || c == '\'').to_string(),
            ),
            None => (part.to_ascii_lowercase(), String::new()),
        })
        .collect()
}

#[test]
fn hostile_text_cannot_run_script() {
    use portolan_core::source::MemorySource;
    let payload = "<script>alert(1)</script><img src=x onerror=alert(2)><svg onload=alert(3)>";
    let descriptor = format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: evil\n  title: \"{payload}\"\n  description: |\n    {payload} [click](javascript:alert(4)) <a href=\"javascript:alert(5)\">x</a>\n    <iframe src=\"https://evil.example\"></iframe>\n  links:\n    - url: \"javascript:alert(6)\"\n      title: \"{payload}\"\n    - url: \"data:text/html,<script>alert(7)</script>\"\n  annotations:\n    x.example/note: \"{payload}\"\n  tags: [\"x\"]\nspec:\n  type: service\n  lifecycle: \"{payload}\"\n  owner: team-a\n"
    );
    let source = MemorySource::new().with_file("catalog-info.yaml", descriptor);
    let config = Config::default();
    let checked = check(&source, &config, &[], &CheckOptions::from_config(&config)).unwrap();
    let output = render(&checked, &BuildOptions::new("test")).unwrap();
    for (path, bytes) in output.files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes).to_ascii_lowercase();
        // Look only inside real tags: escaped text (`&lt;script&gt;`) is
        // shown to the reader and runs nothing.
        let tags: Vec<&str> = html
            .split('<')
            .skip(1)
            .map(|t| t.split('>').next().unwrap_or(""))
            .collect();
        let scripts = tags.iter().filter(|t| t.starts_with("script")).count();
        assert_eq!(
            scripts, 3,
            "{path}: only the theme's own script tags (theme.js, portolan.js, search.js)"
        );
        for tag in &tags {
            let name = tag.split_whitespace().next().unwrap_or("");
            assert!(
                !matches!(
                    name,
                    "iframe" | "svg" | "object" | "embed" | "math" | "style"
                ),
                "{path}: <{tag}>"
            );
            for (attribute, value) in attributes(tag) {
                assert!(
                    !attribute.starts_with("on"),
                    "{path}: event handler in <{tag}>"
                );
                // A URL attribute never names script or inline data (text
                // attributes such as a description may mention anything:
                // it is escaped and never followed).
                if URL_ATTRIBUTES.contains(&attribute.as_str()) {
                    assert!(
                        !value.contains("javascript:") && !value.contains("data:"),
                        "{path}: <{tag}>"
                    );
                }
            }
        }
    }
    let page = String::from_utf8_lossy(&output.files["catalog/component/default/evil/index.html"])
        .into_owned();
    assert!(
        page.contains("&lt;script&gt;"),
        "the title is shown, escaped"
    );
}

#[test]
fn sitemap_lists_every_page_when_the_base_url_is_absolute() {
    let mut options = BuildOptions::new("test");
    options.base_url = "https://portal.acme.example/".into();
    let output = render(&check_acme(), &options).unwrap();
    let sitemap = String::from_utf8(output.files["sitemap.xml"].to_vec()).unwrap();
    let pages = output
        .files
        .keys()
        .filter(|p| p.ends_with("index.html"))
        .count();
    assert_eq!(sitemap.matches("<loc>").count(), pages);
    assert!(sitemap.contains(
        "<loc>https://portal.acme.example/catalog/component/default/orders-service/</loc>"
    ));
    assert!(
        String::from_utf8_lossy(&output.files["robots.txt"])
            .contains("Sitemap: https://portal.acme.example/sitemap.xml")
    );
    // Without an absolute base there is nothing to put in one.
    assert!(!build_acme().files.contains_key("sitemap.xml"));
}

#[test]
fn api_reference_pages_cover_operations_schemas_and_messages() {
    let output = build_acme();
    let page = |p: &str| String::from_utf8_lossy(&output.files[p]).replace("&#x2f;", "/");
    // A small API: every operation on one page, every schema on another.
    let overview = page("catalog/api/default/orders-api/reference/index.html");
    assert!(
        overview
            .contains("href=\"/catalog/api/default/orders-api/reference/operations/#tag-orders\""),
        "tags are linked: {overview}"
    );
    let orders = page("catalog/api/default/orders-api/reference/operations/index.html");
    assert!(orders.contains("id=\"tag-orders\""));
    assert!(orders.contains("id=\"op-createorder\""));
    assert!(orders.contains("curl -X POST"));
    // Named schemas are shown in place, and link to their section.
    assert!(
        orders.contains(
            "href=\"/catalog/api/default/orders-api/reference/schemas/#schema-orderinput\""
        )
    );
    assert!(
        orders.contains("<code class=\"n\">customerId</code>"),
        "the request body's properties are in the operation: {orders}"
    );
    // Several examples of one body: a selector (for the script), each
    // example labelled.
    assert!(
        orders.contains("<div class=\"examples\"><p class=\"example-switch\"><label>Example <select><option value=\"0\">Pay by card</option><option value=\"1\">Pay with a gift card</option></select></label></p>"),
        "{orders}"
    );
    assert!(orders.contains("<figcaption>Example: Pay with a gift card</figcaption>"));
    let schemas = page("catalog/api/default/orders-api/reference/schemas/index.html");
    assert!(schemas.contains("id=\"schema-orderinput\""));
    // AsyncAPI: channels and messages with their payloads.
    let events = page("catalog/api/default/order-events/reference/index.html");
    assert!(
        events.contains("Channels") && events.contains("Messages"),
        "{events}"
    );
    // Protocol bindings and message examples are shown, escaped.
    assert!(
        events.contains("<details class=\"bindings\"><summary>kafka</summary>"),
        "{events}"
    );
    assert!(
        events.contains("<figcaption>Example: oneRocket</figcaption>"),
        "{events}"
    );
    // A parameter's named examples, each by name.
    let catalog_ops = page("catalog/api/default/catalog-api/reference/operations/index.html");
    assert!(
        catalog_ops.contains(
            "example <em>top</em> <code>1</code> · example <em>full</em> <code>10</code>"
        ),
        "{catalog_ops}"
    );
    // A channel's parameters (AsyncAPI 3: enum and default on the
    // parameter itself, reached through a `$ref`) under its address.
    assert!(
        events.contains("<dl class=\"channel-params\"><dt><code>region</code> <span class=\"type\">string</span></dt><dd><p>The customer's home region.</p>"),
        "{events}"
    );
    assert!(
        events.contains(
            "<p>One of <code>eu</code>, <code>us</code></p><p>Default <code>eu</code></p>"
        ),
        "{events}"
    );
    assert!(portolan_site::links::broken_links(&output, "/").is_empty());
}

#[test]
fn group_pages_list_what_the_group_owns_through_sub_groups() {
    let output = build_acme();
    let catalog: serde_json::Value = serde_json::from_slice(&output.files["catalog.json"]).unwrap();
    let entities = catalog["entities"].as_array().unwrap();
    // The organisation group (no parent) owns nothing itself but everything
    // through its departments and teams.
    let org = entities
        .iter()
        .find(|e| e["kind"] == "Group" && e["spec"].get("parent").is_none())
        .expect("a root group");
    let page = String::from_utf8_lossy(
        &output.files[&format!(
            "catalog/group/default/{}/index.html",
            org["name"].as_str().unwrap()
        )],
    )
    .into_owned();
    assert!(
        page.contains("Owned by this group and its sub-groups"),
        "{page}"
    );
    let owned_components = entities.iter().filter(|e| e["kind"] == "Component").count();
    // Grouped by kind, each kind with its count and its rows.
    let listed: usize = page
        .split("<h3>Component (")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .and_then(|n| n.parse().ok())
        .expect("a Component group with its count");
    assert!(
        listed >= owned_components / 2,
        "most components are owned by some team under the organisation"
    );
    let rows = page.split("<h3>Component (").nth(1).unwrap();
    let rows = &rows[..rows.find("</ul>").unwrap()];
    assert_eq!(rows.matches("<li>").count(), listed);
    // The team card names its sub-teams, each a link to its page.
    let children = org["spec"]["children"].as_array().expect("sub-groups");
    let team = &page[page.find("<h2 id=\"team\">").expect("a team card")..];
    let team = &team[..team.find("</section>").unwrap()];
    assert!(
        team.contains(&format!("Sub-teams ({})", children.len())),
        "{team}"
    );
    for child in children {
        let name = child.as_str().unwrap().trim_start_matches("group:");
        assert!(
            team.contains(&format!("href=\"/catalog/group/default/{name}/\"")),
            "{name} in {team}"
        );
    }
}

#[test]
fn docs_pages_follow_the_mkdocs_nav_and_rewrite_links_and_images() {
    let output = build_acme();
    let page = |p: &str| String::from_utf8_lossy(&output.files[p]).replace("&#x2f;", "/");
    let index = page("catalog/component/default/orders-service/docs/index.html");
    // Nav from mkdocs.yml, in its order, with its titles.
    let overview = index.find(">Overview</a>").expect("nav entry");
    let runbook = index.find(">Runbook</a>").expect("nav entry");
    assert!(overview < runbook);
    // A relative `.md` link becomes the page's portal URL.
    assert!(
        index.contains("href=\"/catalog/component/default/orders-service/docs/architecture/\""),
        "{index}"
    );
    // Headings get anchors.
    assert!(index.contains("<h2 id=\"responsibilities\">"), "{index}");
    // Images are copied next to the pages that use them.
    assert!(
        output
            .files
            .contains_key("catalog/component/default/orders-service/docs/images/order-flow.svg")
    );
    // The entity page links to its docs.
    assert!(
        page("catalog/component/default/orders-service/index.html")
            .contains("/catalog/component/default/orders-service/docs/\"><svg class=\"icon\"")
    );
    assert!(portolan_site::links::broken_links(&output, "/").is_empty());
}

#[test]
fn system_pages_draw_their_dependency_graph_as_inline_svg() {
    let output = build_acme();
    let page = String::from_utf8_lossy(
        &output.files["catalog/system/default/order-management/index.html"],
    )
    .replace("&#x2f;", "/");
    let start = page
        .find("<svg class=\"graph\"")
        .expect("an inline SVG graph");
    let svg = &page[start..page[start..].find("</svg>").map(|i| start + i).unwrap()];
    assert!(
        svg.contains("href=\"/catalog/component/default/orders-service/\""),
        "members link to their pages"
    );
    assert!(
        svg.contains("href=\"/catalog/api/default/orders-api/\""),
        "provided APIs are drawn"
    );
    assert!(
        svg.contains("<path class=\"edge provides\""),
        "edges are drawn"
    );
    assert!(!svg.contains("<script"), "no script in the graph");
    // A component page has no graph.
    assert!(
        !String::from_utf8_lossy(
            &output.files["catalog/component/default/orders-service/index.html"]
        )
        .contains("<svg class=\"graph\"")
    );
}

#[test]
fn docs_code_blocks_are_highlighted_at_build_time() {
    let output = build_acme();
    let page = String::from_utf8_lossy(
        &output.files["catalog/component/default/orders-service/docs/api-usage/index.html"],
    )
    .into_owned();
    assert!(
        page.contains("<pre class=\"code\"><code><span class=\"hl-source"),
        "a fenced block with a known language is highlighted"
    );
    assert!(String::from_utf8_lossy(&output.files["assets/highlight.css"]).contains(".hl-"));
    assert!(page.contains("assets/highlight.css") || page.contains("assets&#x2f;highlight.css"));
}

/// Check and render a catalog under `tests/fixtures/NAME/` with the default
/// configuration.
fn build_fixture(name: &str) -> Output {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let source = DirSource::new(root).unwrap();
    let config = Config::default();
    let checked = check(&source, &config, &[], &CheckOptions::from_config(&config)).unwrap();
    render(&checked, &BuildOptions::new("test")).unwrap()
}

#[test]
fn graphql_and_grpc_definitions_are_shown_as_highlighted_source() {
    let output = build_fixture("source-apis");
    let page = |p: &str| String::from_utf8_lossy(&output.files[p]).replace("&#x2f;", "/");
    let fixture = |f: &str| {
        std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/source-apis")
                .join(f),
        )
        .unwrap()
    };

    let graphql = page("catalog/api/default/shop-graphql/index.html");
    assert!(
        graphql
            .contains("<span class=\"hl-keyword hl-declaration hl-type hl-graphql\">type</span>"),
        "a keyword, with our GraphQL syntax's classes: {graphql}"
    );
    assert!(
        graphql.contains("<span class=\"hl-string hl-quoted hl-double hl-graphql\">"),
        "a string"
    );
    // One numbered line per line of the file.
    let schema = fixture("schema.graphql");
    assert!(graphql.contains("<pre class=\"code numbered\"><code>"));
    assert_eq!(
        graphql.matches("<span class=\"line\">").count(),
        schema.lines().count()
    );
    // `<script>` in a comment, a block string and a string is text.
    let lower = graphql.to_ascii_lowercase();
    assert_eq!(
        lower.matches("<script").count(),
        3,
        "only the theme's scripts (theme.js, portolan.js, search.js)"
    );
    assert!(graphql.contains("&lt;script&gt;alert(&quot;comment&quot;)"));
    assert!(graphql.contains("&lt;script&gt;alert(&quot;block&quot;)"));
    assert!(graphql.contains("&lt;script&gt;alert(1)"));
    // The raw file, for download.
    assert!(graphql.contains("<a href=\"/apis/default/shop-graphql.graphql\" download>"));
    assert_eq!(
        String::from_utf8_lossy(&output.files["apis/default/shop-graphql.graphql"]),
        schema
    );
    // catalog.json says what the definition is and where to get it.
    let catalog: serde_json::Value = serde_json::from_slice(&output.files["catalog.json"]).unwrap();
    let shop = catalog["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "shop-graphql")
        .unwrap();
    assert_eq!(shop["api"]["format"], "GraphQL");
    assert_eq!(shop["api"]["download"], "apis/default/shop-graphql.graphql");

    let grpc = page("catalog/api/default/pricing-grpc/index.html");
    assert!(
        grpc.contains(
            "<span class=\"hl-keyword hl-declaration hl-service hl-proto\">service</span>"
        ),
        "{grpc}"
    );
    assert!(
        grpc.contains(
            "<span class=\"hl-entity hl-name hl-function hl-rpc hl-proto\">GetPrice</span>"
        )
    );
    assert!(grpc.contains("<span class=\"hl-string hl-quoted hl-double hl-proto\">"));
    assert!(grpc.contains("Protocol Buffers definition from <code>pricing.proto</code>"));
    assert_eq!(
        String::from_utf8_lossy(&output.files["apis/default/pricing-grpc.proto"]),
        fixture("pricing.proto")
    );
    assert!(portolan_site::links::broken_links(&output, "/").is_empty());
}

#[test]
fn links_to_missing_anchors_are_broken() {
    let output = build_acme();
    let architecture = "catalog/component/default/orders-service/docs/architecture/index.html";
    let runbook = "catalog/component/default/orders-service/docs/runbook/index.html";
    // The runbook's contents list links to its headings (portolan's link);
    // the architecture page links to one of them too (the author's link).
    let html = |p: &str| String::from_utf8_lossy(&output.files[p]).replace("&#x2f;", "/");
    assert!(html(runbook).contains("<a href=\"#the-outbox-is-stuck\">"));
    assert!(html(architecture).contains(
        "href=\"/catalog/component/default/orders-service/docs/runbook/#the-outbox-is-stuck\" rel=\"noopener noreferrer\""
    ));
    assert!(portolan_site::links::broken_links(&output, "/").is_empty());
    // Without the heading's id, portolan's link lands nowhere. The author's
    // link is theirs to keep: its page is checked, not its fragment.
    let mut damaged = output.clone();
    damaged.insert(
        runbook,
        html(runbook).replace("id=\"the-outbox-is-stuck\"", "id=\"renamed\""),
    );
    assert_eq!(
        portolan_site::links::broken_links(&damaged, "/"),
        vec![(runbook.to_string(), "#the-outbox-is-stuck".to_string())]
    );
}

/// Regression: an AsyncAPI message whose `name` differs from its key was
/// anchored at its name, while channels link to it by key, so the link
/// from the channel table landed nowhere.
#[test]
fn channel_tables_link_to_messages_named_otherwise() {
    let output = build_fixture("async-message-names");
    for api in ["events-v2", "events-v3"] {
        let page = String::from_utf8_lossy(
            &output.files[&format!("catalog/api/default/{api}/reference/index.html")],
        )
        .into_owned();
        assert!(
            page.contains("<a href=\"#msg-ordercreated\">OrderCreated</a>"),
            "{page}"
        );
        assert!(page.contains("id=\"msg-ordercreated\""), "{page}");
        assert!(page.contains("<code>order-created-v"), "its name is shown");
    }
    assert_eq!(
        portolan_site::links::broken_links(&output, "/"),
        Vec::<(String, String)>::new()
    );
}

#[test]
fn a_big_api_gets_a_page_per_tag_and_per_schema() {
    use portolan_core::source::MemorySource;
    let mut paths = String::new();
    for i in 0..45 {
        let tag = if i % 2 == 0 { "even" } else { "odd" };
        paths.push_str(&format!(
            "  /things/{i}:\n    get:\n      operationId: getThing{i}\n      tags: [{tag}]\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/Thing'\n"
        ));
    }
    let spec = format!(
        "openapi: 3.0.3\ninfo:\n  title: Big\n  version: '1'\npaths:\n{paths}components:\n  schemas:\n    Thing:\n      type: object\n      properties:\n        next:\n          $ref: '#/components/schemas/Thing'\n"
    );
    let descriptor = "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: big\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ./openapi.yaml\n";
    let source = MemorySource::new()
        .with_file("catalog-info.yaml", descriptor)
        .with_file("openapi.yaml", spec);
    let config = Config::default();
    let checked = check(&source, &config, &[], &CheckOptions::from_config(&config)).unwrap();
    let output = render(&checked, &BuildOptions::new("test")).unwrap();
    let root = "catalog/api/default/big/reference/";
    for page in [
        "even/index.html",
        "odd/index.html",
        "schemas/thing/index.html",
    ] {
        assert!(
            output.files.contains_key(&format!("{root}{page}")),
            "{page}: {:?}",
            output
                .files
                .keys()
                .filter(|k| k.starts_with(root))
                .collect::<Vec<_>>()
        );
    }
    assert!(
        !output
            .files
            .contains_key(&format!("{root}operations/index.html"))
    );
    // 23 operations tagged `even`: a page of 16, then one of 7.
    let even =
        String::from_utf8_lossy(&output.files[&format!("{root}even/index.html")]).into_owned();
    let even_2 =
        String::from_utf8_lossy(&output.files[&format!("{root}even/2/index.html")]).into_owned();
    assert_eq!(even.matches("<article class=\"operation\"").count(), 16);
    assert_eq!(even_2.matches("<article class=\"operation\"").count(), 7);
    assert!(even.contains("id=\"op-getthing0\""));
    assert!(even_2.contains("id=\"op-getthing44\""));
    assert!(even.contains(&format!("href=\"/{root}even/2/\"")));
    // The contents beside it: every group, the current one marked and
    // listing all of its operations (both pages), the others folded.
    let nav = &even[even.find("<nav class=\"ref-nav\"").expect("contents")..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    assert!(
        nav.contains(&format!(
            "<a href=\"/{root}even/\" aria-current=\"page\">even</a>"
        )),
        "{nav}"
    );
    assert!(
        nav.contains(&format!("<a href=\"/{root}odd/\">odd</a>")),
        "{nav}"
    );
    assert_eq!(
        nav.matches("<span class=\"method get\">").count(),
        23,
        "{nav}"
    );
    assert!(
        nav.contains(&format!("href=\"/{root}even/2/#op-getthing44\"")),
        "{nav}"
    );
    assert!(nav.contains(&format!("href=\"/{root}#schemas\"")), "{nav}");
    assert!(even.contains(&format!("href=\"/{root}schemas/thing/\"")));
    assert!(portolan_site::links::broken_links(&output, "/").is_empty());
}

/// The inline SVG graph of a page, `&#x2f;` decoded.
fn graph_of(output: &Output, page: &str) -> (String, String) {
    let html = String::from_utf8_lossy(&output.files[page]).replace("&#x2f;", "/");
    let start = html
        .find("<svg class=\"graph")
        .unwrap_or_else(|| panic!("{page} has no graph"));
    let end = start + html[start..].find("</svg>").unwrap();
    (html[start..end].to_string(), html)
}

#[test]
fn domain_pages_draw_their_systems_and_the_dependencies_between_them() {
    let output = build_acme();
    let (svg, page) = graph_of(&output, "catalog/domain/default/commerce/index.html");
    assert!(svg.starts_with("<svg class=\"graph domain-graph\""));
    assert!(
        svg.contains("role=\"group\" aria-labelledby=\"domain-graph-title domain-graph-desc\"")
    );
    assert!(svg.contains("<title id=\"domain-graph-title\">Systems of Commerce"));
    assert!(svg.contains("<desc id=\"domain-graph-desc\">3 systems and 0 sub-domains"));
    // Its three systems, each a link to its page.
    for system in ["storefront", "product-catalog", "order-management"] {
        assert!(
            svg.contains(&format!(
                "<a href=\"/catalog/system/default/{system}/\"><g class=\"node system\">"
            )),
            "{system}: {svg}"
        );
    }
    // storefront-bff (Storefront) consumes cart-api and orders-api, which
    // orders-service and cart-service (Order Management) provide, and
    // legacy-shop (Storefront) consumes cart-api too: one edge, three
    // relations behind it.
    assert!(
        svg.contains("<title>Storefront → Order Management: 3 relations (Legacy B2B shop consumes Cart API; Storefront BFF consumes Cart API; Storefront BFF consumes Orders API)</title>"),
        "{svg}"
    );
    // Identity is in the Platform domain: outside, dashed, still a link.
    assert!(svg.contains(
        "<a href=\"/catalog/system/default/identity/\"><g class=\"node system external\">"
    ));
    // Nothing the CSP would block, nothing that runs.
    for tag in svg.split('<').skip(1).map(|t| t.split('>').next().unwrap()) {
        assert!(
            !tag.starts_with("script") && !tag.starts_with("style"),
            "<{tag}>"
        );
        for attribute in tag.split_whitespace().skip(1) {
            assert!(
                !attribute.starts_with("style=") && !attribute.starts_with("on"),
                "<{tag}>"
            );
        }
    }
    // The same edges as a list, for readers who cannot see the picture.
    assert!(page.contains(
        "<li><a href=\"/catalog/system/default/storefront/\">Storefront</a> depends on <a href=\"/catalog/system/default/order-management/\">Order Management</a>: Legacy B2B shop consumes Cart API;"
    ));
    assert!(page.contains(
        "<a href=\"/catalog/system/default/identity/\">Identity</a> (outside this domain)"
    ));
    // Layered: Storefront depends on Order Management, so it is drawn to
    // its left.
    let x = |label: &str| -> i64 {
        let at = svg.find(&format!(">{label}</text>")).unwrap();
        let rect = svg[..at].rfind("<rect x=\"").unwrap() + 9;
        svg[rect..rect + svg[rect..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    assert!(x("Storefront") < x("Order Management"));
    assert!(x("Order Management") < x("Product Catalog"));
    assert!(portolan_site::links::broken_links(&output, "/").is_empty());
}

#[test]
fn domain_graphs_draw_sub_domains_as_one_node() {
    use portolan_core::source::MemorySource;
    let entity = |kind: &str, name: &str, spec: &str| {
        format!(
            "---\napiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: {name}\nspec:\n{spec}"
        )
    };
    let owned = |kind: &str, name: &str, spec: &str| {
        entity(kind, name, &format!("  owner: team-a\n{spec}"))
    };
    let component = |name: &str, system: &str, more: &str| {
        owned(
            "Component",
            name,
            &format!("  type: service\n  lifecycle: production\n  system: {system}\n{more}"),
        )
    };
    // root ⊃ child ⊃ grandchild ∋ inner; front ∈ root; outer elsewhere.
    let catalog = [
        entity("Group", "team-a", "  type: team\n  children: []\n"),
        owned("Domain", "root", ""),
        owned("Domain", "child", "  subdomainOf: root\n"),
        owned("Domain", "grandchild", "  subdomainOf: domain:child\n"),
        owned("Domain", "elsewhere", ""),
        owned("System", "front", "  domain: root\n"),
        owned("System", "inner", "  domain: grandchild\n"),
        owned("System", "outer", "  domain: elsewhere\n"),
        component("web", "front", "  dependsOn: [component:deep]\n"),
        component("deep", "inner", "  consumesApis: [outer-api]\n"),
        component("far", "outer", "  providesApis: [outer-api]\n"),
        owned(
            "API",
            "outer-api",
            "  type: openapi\n  lifecycle: production\n  system: outer\n  definition: \"openapi: 3.0.0\"\n",
        ),
    ]
    .concat();
    let source = MemorySource::new().with_file("catalog-info.yaml", catalog);
    let config = Config::default();
    let checked = check(&source, &config, &[], &CheckOptions::from_config(&config)).unwrap();
    let output = render(&checked, &BuildOptions::new("test")).unwrap();
    let (svg, _) = graph_of(&output, "catalog/domain/default/root/index.html");
    // `inner` is in a sub-domain of a sub-domain: drawn as `child`.
    assert!(svg.contains("<a href=\"/catalog/domain/default/child/\"><g class=\"node domain\"><title>child (sub-domain)</title>"), "{svg}");
    assert!(!svg.contains("/catalog/system/default/inner/"), "{svg}");
    assert!(
        svg.contains("<title>front → child: 1 relation (web depends on deep)</title>"),
        "{svg}"
    );
    // What the sub-domain depends on outside is drawn too.
    assert!(
        svg.contains("<title>child → outer: 1 relation (deep consumes outer-api)</title>"),
        "{svg}"
    );
    assert!(
        svg.contains(
            "<a href=\"/catalog/system/default/outer/\"><g class=\"node system external\">"
        )
    );
    // The sub-domain's own page draws the system inside it.
    let (svg, _) = graph_of(&output, "catalog/domain/default/child/index.html");
    assert!(
        svg.contains("<a href=\"/catalog/domain/default/grandchild/\"><g class=\"node domain\">"),
        "{svg}"
    );
    assert!(portolan_site::links::broken_links(&output, "/").is_empty());
}

#[test]
fn callbacks_are_shown_inside_the_operation_that_registers_them() {
    use portolan_core::source::MemorySource;
    let spec = "openapi: 3.0.3\ninfo:\n  title: Hooks\n  version: '1'\npaths:\n  /subscriptions:\n    post:\n      operationId: subscribe\n      responses:\n        '201':\n          description: subscribed\n      callbacks:\n        onEvent:\n          '{$request.body#/callbackUrl}':\n            post:\n              summary: An event happened\n              requestBody:\n                content:\n                  application/json:\n                    schema:\n                      type: object\n                      properties:\n                        eventId:\n                          type: string\n              responses:\n                '204':\n                  description: received\n";
    let descriptor = "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: hooks\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ./openapi.yaml\n";
    let source = MemorySource::new()
        .with_file("catalog-info.yaml", descriptor)
        .with_file("openapi.yaml", spec);
    let config = Config::default();
    let checked = check(&source, &config, &[], &CheckOptions::from_config(&config)).unwrap();
    let output = render(&checked, &BuildOptions::new("test")).unwrap();
    let page = String::from_utf8_lossy(
        &output.files["catalog/api/default/hooks/reference/operations/index.html"],
    )
    .into_owned();
    let callbacks = &page[page
        .find("<h3>Callbacks</h3>")
        .expect("a callbacks section")..];
    assert!(callbacks.contains("onEvent"), "{callbacks}");
    assert!(
        callbacks.contains("<code>{$request.body#/callbackUrl}</code>"),
        "{callbacks}"
    );
    assert!(callbacks.contains("An event happened"));
    assert!(callbacks.contains("eventId"));
    assert!(callbacks.contains("<code>204</code>"));
}

#[test]
fn every_search_result_url_lands_on_an_element_of_the_site() {
    let checked = check_acme();
    let mut output = render(&checked, &BuildOptions::new("test")).unwrap();
    assert!(
        output.files.contains_key("_search/meta.json"),
        "the index is written"
    );
    let docs = portolan_search::documents(
        &checked,
        &portolan_site::search::SiteRoutes {
            catalog: &checked.catalog,
            base: "/",
        },
    );
    let kinds: std::collections::BTreeSet<&str> = docs.iter().map(|d| d.kind.as_str()).collect();
    for kind in [
        "component",
        "api",
        "operation",
        "schema",
        "channel",
        "message",
        "docs",
    ] {
        assert!(kinds.contains(kind), "no {kind} documents: {kinds:?}");
    }
    // A page linking to every result: the link check then proves each URL
    // reaches a page of the build and, with an anchor, an element of it.
    let links: String = docs
        .iter()
        .map(|d| format!("<a href=\"/{}\">{}</a>\n", d.url, d.kind))
        .collect();
    output.insert("search-urls.html", links);
    let broken = portolan_site::links::broken_links(&output, "/");
    assert!(
        broken.is_empty(),
        "{} of {} search URLs lead nowhere, e.g. {:?}",
        broken.len(),
        docs.len(),
        &broken[..broken.len().min(10)]
    );
}

#[test]
fn operations_show_examples_made_from_schemas_and_samples_in_four_languages() {
    use portolan_core::source::MemorySource;
    let spec = "openapi: 3.0.3\ninfo:\n  title: Pets\n  version: '1'\nservers:\n  - url: https://pets.example/v1\npaths:\n  /pets:\n    post:\n      operationId: createPet\n      requestBody:\n        content:\n          application/json:\n            schema:\n              $ref: '#/components/schemas/Pet'\n      responses:\n        '201':\n          description: created\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/Pet'\n        default:\n          description: error\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  message: {type: string}\ncomponents:\n  schemas:\n    Pet:\n      type: object\n      required: [name]\n      properties:\n        id: {type: string, format: uuid, readOnly: true}\n        name: {type: string, example: Rex}\n        born: {type: string, format: date}\n";
    let descriptor = "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: pets\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ./openapi.yaml\n";
    let source = MemorySource::new()
        .with_file("catalog-info.yaml", descriptor)
        .with_file("openapi.yaml", spec);
    let config = Config::default();
    let checked = check(&source, &config, &[], &CheckOptions::from_config(&config)).unwrap();
    let output = render(&checked, &BuildOptions::new("test")).unwrap();
    let page = output
        .files
        .iter()
        .find(|(path, _)| {
            path.starts_with("catalog/api/default/pets/reference/")
                && path.ends_with("index.html")
                && !path.ends_with("reference/index.html")
                && !path.contains("/schemas/")
        })
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .expect("an operations page");
    let examples: Vec<&str> = page
        .split("<figure class=\"example\">")
        .skip(1)
        .map(|f| &f[..f.find("</figure>").unwrap()])
        .collect();
    // The request (required properties only, no readOnly id) and the 201
    // response (everything but writeOnly); none for the error response.
    assert_eq!(examples.len(), 2, "{examples:#?}");
    assert!(
        examples[0].contains("&quot;name&quot;: &quot;Rex&quot;"),
        "{}",
        examples[0]
    );
    assert!(!examples[0].contains("&quot;id&quot;"), "{}", examples[0]);
    assert!(
        examples[1].contains("&quot;id&quot;: &quot;00000000-0000-4000-8000-000000000000&quot;"),
        "{}",
        examples[1]
    );
    assert!(
        examples[1].contains("&quot;born&quot;: &quot;2024-01-15&quot;"),
        "{}",
        examples[1]
    );
    for lang in ["curl", "javascript", "python", "go"] {
        assert!(
            page.contains(&format!("<section class=\"sample\" data-lang=\"{lang}\">")),
            "{lang}"
        );
    }
    assert!(
        page.contains("curl -X POST &#39;https://pets.example/v1/pets&#39;"),
        "{page}"
    );
    assert!(page.contains("requests.post("), "{page}");
}
