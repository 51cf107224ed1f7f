//! Incremental rebuilds (`serve`) give exactly what a build from scratch
//! gives. A copy of `examples/acme` is edited step by step, the way a
//! developer would; after each step the cached check and render (told
//! which paths changed, as `serve`'s watcher tells them) must produce the
//! same findings and byte-identical files as a fresh check and render, and
//! must have re-rendered only a part of the site.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use portolan_check::{CheckCache, CheckOptions, Checked, check, check_cached, policy};
use portolan_core::config::Config;
use portolan_core::source::DirSource;
use portolan_site::{BuildOptions, Output, RenderCache, render_site};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

struct Catalog {
    root: PathBuf,
    check_cache: CheckCache,
    render_cache: RenderCache,
    /// What the site is rendered with (a theme override changes it).
    options: BuildOptions,
}

fn setup(root: &Path) -> (DirSource, Config, Vec<portolan_check::Policy>) {
    let source = DirSource::new(root).unwrap();
    let (config, policies) = policy::configuration_in(&source).unwrap();
    (source, config, policies)
}

fn options() -> BuildOptions {
    let mut options = BuildOptions::new("test");
    options.title = "Acme".into();
    options
}

fn findings(checked: &Checked) -> Vec<String> {
    checked
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{:?} {} {:?} {:?} {}",
                d.severity, d.code, d.file, d.span, d.message
            )
        })
        .collect()
}

impl Catalog {
    /// From scratch, no caches.
    fn full(&self) -> (Vec<String>, Output) {
        let (source, config, policies) = setup(&self.root);
        let checked = check(
            &source,
            &config,
            &policies,
            &CheckOptions::from_config(&config),
        )
        .unwrap();
        let output = render_site(&checked, &self.options, None).unwrap();
        (findings(&checked), output)
    }

    /// With the caches, after `changed` paths changed.
    fn incremental(&mut self, changed: &[&str]) -> (Vec<String>, Output) {
        let changed: BTreeSet<String> = changed.iter().map(|p| p.to_string()).collect();
        self.check_cache.invalidate(&changed);
        let (source, config, policies) = setup(&self.root);
        let checked = check_cached(
            &source,
            &config,
            &policies,
            &CheckOptions::from_config(&config),
            Some(&mut self.check_cache),
        )
        .unwrap();
        self.render_cache
            .set_reparsed(self.check_cache.reparsed().clone());
        let output = render_site(&checked, &self.options, Some(&mut self.render_cache)).unwrap();
        (findings(&checked), output)
    }

    fn write(&self, path: &str, text: &str) {
        let full = self.root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }

    fn edit(&self, path: &str, from: &str, to: &str) {
        let text = std::fs::read_to_string(self.root.join(path)).unwrap();
        assert!(text.contains(from), "{path} holds {from:?}");
        self.write(path, &text.replacen(from, to, 1));
    }

    /// Apply nothing more: rebuild incrementally and from scratch, compare.
    /// Returns the paths rendered afresh.
    fn step(&mut self, name: &str, changed: &[&str]) -> Vec<String> {
        let (inc_findings, inc_output) = self.incremental(changed);
        let (full_findings, full_output) = self.full();
        assert_eq!(inc_findings, full_findings, "{name}: the findings differ");
        let inc_paths: BTreeSet<&String> = inc_output.files.keys().collect();
        let full_paths: BTreeSet<&String> = full_output.files.keys().collect();
        assert_eq!(
            inc_paths
                .symmetric_difference(&full_paths)
                .collect::<Vec<_>>(),
            Vec::<&&String>::new(),
            "{name}: the sets of files differ"
        );
        for (path, bytes) in &full_output.files {
            assert!(
                inc_output.files[path] == *bytes,
                "{name}: {path} differs from a build from scratch"
            );
        }
        self.render_cache.stats.rendered.clone()
    }
}

fn acme() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/acme")
}

#[test]
fn every_edit_gives_what_a_build_from_scratch_gives() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("acme");
    copy_dir(&acme(), &root);
    let mut catalog = Catalog {
        root,
        check_cache: CheckCache::default(),
        render_cache: RenderCache::default(),
        options: options(),
    };
    let everything = catalog.step("first build", &[]);
    let total = everything.len();
    assert!(total > 100, "the first build renders every page ({total})");

    // Nothing changed: nothing is rendered again.
    let rendered = catalog.step("no change", &[]);
    assert_eq!(rendered, Vec::<String>::new());
    assert_eq!(
        catalog.check_cache.reparsed().len(),
        0,
        "no descriptor is parsed again"
    );

    // One component's description.
    catalog.edit(
        "services/cart-service/catalog-info.yaml",
        "kept in Redis.",
        "kept in Redis and Postgres.",
    );
    let rendered = catalog.step(
        "a description",
        &["services/cart-service/catalog-info.yaml"],
    );
    assert!(
        rendered.len() * 5 < total,
        "a description edit re-rendered {} of {total} files: {rendered:?}",
        rendered.len()
    );
    assert!(
        rendered
            .iter()
            .any(|p| p.contains("cart-service/index.html")),
        "{rendered:?}"
    );
    assert!(
        !rendered.iter().any(|p| p.contains("/reference/")),
        "no API reference is rendered again for a description: {rendered:?}"
    );
    assert_eq!(
        catalog.check_cache.reparsed().iter().collect::<Vec<_>>(),
        ["services/cart-service/catalog-info.yaml"],
    );

    // An OpenAPI file: its reference, not the others'.
    catalog.edit(
        "services/orders-service/openapi.yaml",
        "summary: List orders",
        "summary: List the orders",
    );
    let rendered = catalog.step("an OpenAPI file", &["services/orders-service/openapi.yaml"]);
    assert!(
        rendered.iter().any(|p| p.contains("/reference/")),
        "{rendered:?}"
    );
    assert!(
        rendered
            .iter()
            .filter(|p| p.contains("/reference/"))
            .all(|p| p.contains("/orders-api/") || p.contains("/order-events/")),
        "only the references of the APIs made from that file (orders-api, and order-events, whose schemas point into it): {rendered:?}"
    );
    // An operation changes its method: the pages of the components that
    // provide or consume the API count operations per method, and show
    // the new counts.
    catalog.edit(
        "services/orders-service/openapi.yaml",
        "      - $ref: '#/components/parameters/OrderId'\n    post:",
        "      - $ref: '#/components/parameters/OrderId'\n    put:",
    );
    let rendered = catalog.step(
        "a method of an OpenAPI operation",
        &["services/orders-service/openapi.yaml"],
    );
    assert!(
        rendered
            .iter()
            .any(|p| p == "catalog/component/default/orders-service/index.html"),
        "{rendered:?}"
    );

    // A file that file `$ref`s.
    catalog.edit(
        "services/orders-service/schemas/order.yaml",
        "      format: uuid\n      readOnly: true",
        "      format: uuid\n      readOnly: true\n      description: The order's id, made by the server.",
    );
    catalog.step(
        "a $ref'd schema",
        &["services/orders-service/schemas/order.yaml"],
    );

    // A `$ref` to a file that is not there, then the file.
    catalog.edit(
        "services/orders-service/schemas/order.yaml",
        "    customerId:\n",
        "    note:\n      $ref: './note.yaml#/Note'\n    customerId:\n",
    );
    catalog.step(
        "a broken $ref",
        &["services/orders-service/schemas/order.yaml"],
    );
    catalog.write(
        "services/orders-service/schemas/note.yaml",
        "Note:\n  type: string\n  description: A note from the shopper.\n",
    );
    catalog.step(
        "the missing file appears",
        &["services/orders-service/schemas/note.yaml"],
    );

    // Docs: a page edited, a page added.
    catalog.edit(
        "services/payments-gateway/docs/webhooks.md",
        "# Status callbacks",
        "# Status callbacks and retries",
    );
    let rendered = catalog.step(
        "a docs page",
        &["services/payments-gateway/docs/webhooks.md"],
    );
    assert!(
        rendered
            .iter()
            .any(|p| p.contains("payments-gateway/docs/")),
        "{rendered:?}"
    );
    catalog.write(
        "services/payments-gateway/docs/faq.md",
        "# FAQ\n\nSee [the webhooks](webhooks.md#status-callbacks-and-retries).\n",
    );
    catalog.step(
        "a docs page added",
        &["services/payments-gateway/docs/faq.md"],
    );

    // A new component, owned by an existing team, depending on others.
    catalog.write(
        "services/wishlist/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: wishlist\n  description: Saved items.\nspec:\n  type: service\n  lifecycle: experimental\n  owner: orders-team\n  system: order-management\n  dependsOn:\n    - component:cart-service\n",
    );
    catalog.step(
        "a component added",
        &["services/wishlist/catalog-info.yaml"],
    );

    // A component's owner changes.
    catalog.edit(
        "services/wishlist/catalog-info.yaml",
        "owner: orders-team",
        "owner: group:does-not-exist",
    );
    catalog.step(
        "an owner changed to one that does not exist",
        &["services/wishlist/catalog-info.yaml"],
    );

    // Broken YAML, then fixed.
    let good =
        std::fs::read_to_string(catalog.root.join("services/cart-service/catalog-info.yaml"))
            .unwrap();
    catalog.edit(
        "services/cart-service/catalog-info.yaml",
        "  tags:\n",
        "  tags: [unclosed\n",
    );
    catalog.step("broken YAML", &["services/cart-service/catalog-info.yaml"]);
    catalog.write("services/cart-service/catalog-info.yaml", &good);
    catalog.step("fixed YAML", &["services/cart-service/catalog-info.yaml"]);

    // A system in its own file, in another domain, that a component of
    // this domain comes to depend on; then the system's title changes: the
    // dependant's domain graph draws it (two relations away).
    catalog.write(
        "services/shipping/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: shipping\n  title: Shipping\nspec:\n  owner: logistics-team\n  domain: logistics\n",
    );
    catalog.write(
        "services/shipping/printer/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: label-printer\nspec:\n  type: service\n  lifecycle: production\n  owner: logistics-team\n  system: shipping\n---\napiVersion: backstage.io/v1alpha1\nkind: Domain\nmetadata:\n  name: logistics\nspec:\n  owner: logistics-team\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: logistics-team\nspec:\n  type: team\n  children: []\n",
    );
    catalog.step(
        "a system added",
        &[
            "services/shipping/catalog-info.yaml",
            "services/shipping/printer/catalog-info.yaml",
        ],
    );
    catalog.edit(
        "services/wishlist/catalog-info.yaml",
        "    - component:cart-service\n",
        "    - component:cart-service\n    - component:label-printer\n",
    );
    catalog.step(
        "a dependency on it",
        &["services/wishlist/catalog-info.yaml"],
    );
    catalog.edit(
        "services/shipping/catalog-info.yaml",
        "title: Shipping",
        "title: Parcel shipping",
    );
    let rendered = catalog.step(
        "the system's title",
        &["services/shipping/catalog-info.yaml"],
    );
    assert!(
        rendered
            .iter()
            .any(|p| p.contains("domain/default/commerce/")),
        "{rendered:?}"
    );

    // A theme override (as `serve` reads it from `theme_dir`): every page
    // changes, and the kept templates must not be used.
    let base = portolan_site::pages::TEMPLATES
        .iter()
        .find(|(name, _)| *name == "base.html")
        .unwrap()
        .1
        .replace("</footer>", "<p>Overridden footer.</p></footer>");
    catalog.options.theme.files.insert(
        "base.html".into(),
        ("theme/templates/base.html".into(), base),
    );
    let rendered: BTreeSet<String> = catalog.step("a theme override", &[]).into_iter().collect();
    let (_, output) = catalog.incremental(&[]);
    let pages: Vec<&String> = output
        .files
        .keys()
        .filter(|p| p.ends_with(".html"))
        .collect();
    assert!(
        pages.iter().all(|p| rendered.contains(*p)),
        "every page is rendered again with the new theme"
    );
    let home = String::from_utf8(output.files["index.html"].to_vec()).unwrap();
    assert!(home.contains("Overridden footer."));

    // A descriptor deleted; a folder renamed (the watcher names folders).
    std::fs::remove_file(catalog.root.join("services/log-shipper/catalog-info.yaml")).unwrap();
    catalog.step(
        "a descriptor deleted",
        &["services/log-shipper/catalog-info.yaml"],
    );
    std::fs::rename(
        catalog.root.join("services/payments-gateway"),
        catalog.root.join("services/payments-gateway-v2"),
    )
    .unwrap();
    catalog.step(
        "a folder renamed",
        &["services/payments-gateway", "services/payments-gateway-v2"],
    );
}

/// Timing of a rebuild with nothing changed, on the catalog named by
/// `PORTOLAN_BENCH_CATALOG` (a benchmark, not a test: run with
/// `cargo test --release -p portolan-site --test incremental -- --ignored --nocapture`).
#[test]
#[ignore]
fn unchanged_rebuild_timing() {
    let Ok(root) = std::env::var("PORTOLAN_BENCH_CATALOG") else {
        eprintln!("PORTOLAN_BENCH_CATALOG is not set");
        return;
    };
    let mut check_cache = CheckCache::default();
    let mut render_cache = RenderCache::default();
    let rounds: usize = std::env::var("PORTOLAN_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(4);
    for round in 0..rounds {
        let started = std::time::Instant::now();
        let (source, config, policies) = setup(Path::new(&root));
        let checked = check_cached(
            &source,
            &config,
            &policies,
            &CheckOptions::from_config(&config),
            Some(&mut check_cache),
        )
        .unwrap();
        let checked_in = started.elapsed();
        render_cache.set_reparsed(check_cache.reparsed().clone());
        let output = render_site(&checked, &options(), Some(&mut render_cache)).unwrap();
        eprintln!(
            "round {round}: check {} ms, render {} ms, {} files, {} rendered",
            checked_in.as_millis(),
            (started.elapsed() - checked_in).as_millis(),
            output.files.len(),
            render_cache.stats.rendered.len()
        );
    }
}
