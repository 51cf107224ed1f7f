//! The built portal in a real browser: the binary builds `examples/acme` and
//! the XSS fixture, and `tests/browser/run.mjs` opens them in headless
//! Chromium (Debian's `chromium`, driven by playwright-core). It fails on
//! console errors (CSP violations included), failed requests, broken
//! navigation, any script on a page that the theme did not ship, serious or
//! critical WCAG 2.1 A/AA violations found by axe-core (light and dark), and
//! pages that scroll sideways on a 375px-wide phone.
//!
//! `portolan serve` gets the same browser: `tests/browser/serve.mjs` opens
//! an entity page of a small catalog it serves, edits the entity's file on
//! disk and expects the page to reload by itself, breaks the YAML and
//! expects the findings overlay over the last good page (checked by
//! axe-core too), then fixes it and expects the overlay gone.
//!
//! The hostile SVGs of issue 17 get the browser too:
//! `tests/browser/svg.mjs` opens each fixture of `tests/browser/fixtures/svg`
//! as it is (each must run script, so the test can fail) and every SVG and
//! docs page portolan built from them (none may).
//!
//! Needs `/usr/bin/chromium` (or `$PORTOLAN_CHROMIUM`), `node`, and `npm ci`
//! in `tests/browser`; `.ci/run` provides them. When one is missing the test
//! says which and skips, except under `CI=true`, where that is a failure.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Why the browser test cannot run here, if it cannot.
fn missing_prerequisite(browser_dir: &Path) -> Option<String> {
    let chromium = std::env::var_os("PORTOLAN_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if !chromium.is_file() {
        return Some(format!(
            "{} does not exist (apt-get install chromium, or point PORTOLAN_CHROMIUM at a Chromium)",
            chromium.display()
        ));
    }
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|out| out.status.success()) {
        return Some("node is not on PATH".into());
    }
    for package in ["playwright-core", "axe-core"] {
        if !browser_dir.join("node_modules").join(package).is_dir() {
            return Some(format!(
                "tests/browser/node_modules/{package} is missing (run `npm ci` in tests/browser)"
            ));
        }
    }
    None
}

/// Whether the browser tests can run here; when they cannot, says why and
/// (under `CI=true`, where `.ci/run` installs everything) fails.
fn can_run(browser_dir: &Path) -> bool {
    let Some(reason) = missing_prerequisite(browser_dir) else {
        return true;
    };
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "the browser test cannot run under CI=true: {reason} (.ci/run installs chromium and runs npm ci)"
    );
    eprintln!("skipping: {reason}");
    false
}

/// Builds a site; on failure, says why (portolan's standard error).
fn build(root: &Path, out: &Path, extra_args: &[&str]) -> Result<(), String> {
    let output = Command::new(env!("CARGO_BIN_EXE_portolan"))
        .arg("build")
        .arg("--root")
        .arg(root)
        .arg("--out")
        .arg(out)
        .args(["--color", "never"])
        .args(extra_args)
        .output()
        .unwrap();
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "portolan build --root {} failed:\n{}",
            root.display(),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

#[test]
fn built_sites_work_in_headless_chromium() {
    let root = repo_root();
    let browser_dir = root.join("tests/browser");
    if !can_run(&browser_dir) {
        return;
    }

    let sites = tempfile::tempdir().unwrap();
    let example = sites.path().join("example");
    let xss = sites.path().join("xss");
    let mut failures = Vec::new();
    let mut run_args: Vec<std::ffi::OsString> = vec![browser_dir.join("run.mjs").into()];
    // Served under a sub-path, so a link that forgets the base fails to load.
    match build(
        &root.join("examples/acme"),
        &example,
        &["--base-url", "/portal/"],
    ) {
        Ok(()) => run_args.extend(["example".into(), example.into(), "/portal/".into()]),
        Err(why) => failures.push(why),
    }
    // The payloads also make findings (invalid names, tags, labels); the site
    // is built anyway, as it would be with a lenient `--fail-on`.
    match build(
        &root.join("tests/browser/fixtures/xss"),
        &xss,
        &["--fail-on", "never"],
    ) {
        Ok(()) => run_args.extend(["xss".into(), xss.into(), "/".into()]),
        Err(why) => failures.push(why),
    }

    // An explorer over three pages (500 rows each): sorting and filtering
    // fetch the other pages. Names are numbered out of order, so the
    // order sorted is not the order written.
    let paged_root = sites.path().join("paged-catalog");
    let paged = sites.path().join("paged");
    std::fs::create_dir_all(&paged_root).unwrap();
    let mut documents = String::from(
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team\nspec:\n  type: team\n  children: []\n",
    );
    for i in 0..1100 {
        let number = (i * 7919) % 1100;
        let lifecycle = ["production", "experimental", "deprecated"][i % 3];
        documents.push_str(&format!(
            "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: service-{number}\nspec:\n  type: service\n  lifecycle: {lifecycle}\n  owner: team\n"
        ));
    }
    std::fs::write(paged_root.join("catalog-info.yaml"), documents).unwrap();
    match build(&paged_root, &paged, &[]) {
        Ok(()) => run_args.extend(["paged".into(), paged.into(), "/".into()]),
        Err(why) => failures.push(why),
    }

    // Whichever site built is still checked in the browser.
    if run_args.len() > 1 {
        let output = Command::new("node")
            .args(&run_args)
            .current_dir(&root)
            .output()
            .unwrap();
        println!("{}", String::from_utf8_lossy(&output.stdout));
        eprintln!("{}", String::from_utf8_lossy(&output.stderr));
        if !output.status.success() {
            failures.push(format!(
                "tests/browser/run.mjs exited with {:?}: its failures are listed at the end of its output above",
                output.status.code()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The shared corpus of real definitions, or `None` (with the reason
/// printed) when it is absent outside CI.
fn corpus() -> Option<PathBuf> {
    let dir = match std::env::var_os("PORTOLAN_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => repo_root().join("../shared/corpus"),
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

/// Stripe's reference: the heaviest operations page, the overview and a
/// schema page pass axe with no violation of any impact, and the site
/// keeps within the page-weight bars (theme CSS + JS <= 40 KB gzipped,
/// every page <= 400 KB).
#[test]
fn the_stripe_reference_passes_axe_and_the_page_weight_bars() {
    let root = repo_root();
    let browser_dir = root.join("tests/browser");
    if !can_run(&browser_dir) {
        return;
    }
    let Some(corpus) = corpus() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let catalog = work.path().join("catalog");
    std::fs::create_dir_all(&catalog).unwrap();
    std::fs::copy(
        corpus.join("openapi/stripe/openapi/spec3.yaml"),
        catalog.join("spec3.yaml"),
    )
    .unwrap();
    std::fs::write(
        catalog.join("catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: stripe\nspec:\n  type: openapi\n  lifecycle: production\n  owner: group:default/platform\n  definition:\n    $text: ./spec3.yaml\n",
    )
    .unwrap();
    let site = work.path().join("site");
    // The owner group is not in this one-entity catalog: a warning only.
    build(&catalog, &site, &["--fail-on", "error"]).unwrap();
    let output = Command::new("node")
        .arg(browser_dir.join("run.mjs"))
        .arg("reference")
        .arg(&site)
        .arg("/")
        .current_dir(&root)
        .output()
        .unwrap();
    println!("{}", String::from_utf8_lossy(&output.stdout));
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        output.status.success(),
        "tests/browser/run.mjs exited with {:?}: its failures are listed at the end of its output above",
        output.status.code()
    );
}

#[test]
fn hostile_svgs_run_script_raw_but_nothing_published_from_them_does() {
    let root = repo_root();
    let browser_dir = root.join("tests/browser");
    if !can_run(&browser_dir) {
        return;
    }
    let fixtures = browser_dir.join("fixtures/svg");
    let work = tempfile::tempdir().unwrap();
    let catalog = work.path().join("catalog");
    let docs = catalog.join("orders/docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(
        catalog.join("catalog-info.yaml"),
        format!(
            "{SERVE_GROUP}---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: orders\n  annotations:\n    backstage.io/techdocs-ref: dir:./orders\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
        ),
    )
    .unwrap();
    // Each hostile image in the docs and on the page, next to a benign one
    // that must be published (rebuilt) and opened too.
    let mut index = String::from("# Orders\n\n![fine](ok.svg)\n");
    let mut names: Vec<String> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".svg"))
        .collect();
    names.sort();
    for name in &names {
        std::fs::copy(fixtures.join(name), docs.join(name)).unwrap();
        index.push_str(&format!("\n![{name}]({name})\n"));
    }
    std::fs::write(docs.join("index.md"), index).unwrap();
    std::fs::write(
        docs.join("ok.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"40\" height=\"40\"><defs><rect id=\"r\" width=\"40\" height=\"40\"/></defs><a href=\"#r\"><use xlink:href=\"#r\" fill=\"#0a0\"/></a></svg>\n",
    )
    .unwrap();
    let site = work.path().join("site");
    build(&catalog, &site, &[]).unwrap();

    let output = Command::new("node")
        .arg(browser_dir.join("svg.mjs"))
        .arg(&fixtures)
        .arg(&site)
        .current_dir(&root)
        .output()
        .unwrap();
    println!("{}", String::from_utf8_lossy(&output.stdout));
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        output.status.success(),
        "tests/browser/svg.mjs exited with {:?}: its failures are listed at the end of its output above",
        output.status.code()
    );
}

const SERVE_GROUP: &str = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n";
/// The file `tests/browser/serve.mjs` rewrites (it writes the same YAML
/// with other descriptions, then breaks it, then fixes it).
const SERVE_ORDERS: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: orders\n  description: Takes orders from the shop\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n";

/// `portolan serve` on a catalog; killed when dropped, so a failed test
/// leaves no server behind.
struct ServeProcess {
    child: Child,
    url: String,
    stderr: Arc<Mutex<String>>,
}

impl ServeProcess {
    fn start(root: &Path) -> ServeProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_portolan"))
            .args(["serve", "--port", "0", "--color", "never", "-v", "--root"])
            .arg(root)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        let err = BufReader::new(child.stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in err.lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        // The first line of stdout is the URL. The pipe is read to its end,
        // so the server never writes into a closed or full pipe.
        let (first_line, url_line) = mpsc::channel();
        let out = BufReader::new(child.stdout.take().unwrap());
        std::thread::spawn(move || {
            for line in out.lines().map_while(Result::ok) {
                let _ = first_line.send(line);
            }
        });
        let mut server = ServeProcess {
            child,
            url: String::new(),
            stderr,
        };
        match url_line.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => match line.rsplit_once(" at ") {
                Some((_, url)) if url.starts_with("http://127.0.0.1:") => {
                    server.url = url.trim().to_string();
                }
                _ => panic!(
                    "portolan serve printed {line:?}, not `serving DIR at URL`\nits log:\n{}",
                    server.log()
                ),
            },
            Err(_) => panic!(
                "portolan serve printed no URL within 60s\nits log:\n{}",
                server.log()
            ),
        }
        server
    }

    fn log(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn serve_live_reload_and_overlay_work_in_headless_chromium() {
    let root = repo_root();
    let browser_dir = root.join("tests/browser");
    if !can_run(&browser_dir) {
        return;
    }

    let catalog = tempfile::tempdir().unwrap();
    std::fs::write(catalog.path().join("portolan.toml"), "").unwrap();
    std::fs::write(catalog.path().join("catalog-info.yaml"), SERVE_GROUP).unwrap();
    std::fs::create_dir(catalog.path().join("orders")).unwrap();
    std::fs::write(
        catalog.path().join("orders/catalog-info.yaml"),
        SERVE_ORDERS,
    )
    .unwrap();
    let server = ServeProcess::start(catalog.path());

    let output = Command::new("node")
        .arg(browser_dir.join("serve.mjs"))
        .arg(&server.url)
        .arg(catalog.path())
        .current_dir(&root)
        .output()
        .unwrap();
    println!("{}", String::from_utf8_lossy(&output.stdout));
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        output.status.success(),
        "tests/browser/serve.mjs exited with {:?}: the step that failed is named at the end of its output above\n\nportolan serve's log:\n{}",
        output.status.code(),
        server.log()
    );
}
