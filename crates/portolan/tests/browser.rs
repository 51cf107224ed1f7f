//! The built portal in a real browser: the binary builds `examples/acme` and
//! the XSS fixture, and `tests/browser/run.mjs` opens them in headless
//! Chromium (Debian's `chromium`, driven by playwright-core). It fails on
//! console errors (CSP violations included), failed requests, broken
//! navigation, any script on a page that the theme did not ship, serious or
//! critical WCAG 2.1 A/AA violations found by axe-core (light and dark), and
//! pages that scroll sideways on a 375px-wide phone.
//!
//! Needs `/usr/bin/chromium` (or `$PORTOLAN_CHROMIUM`), `node`, and `npm ci`
//! in `tests/browser`; `.ci/run` provides them. When one is missing the test
//! says which and skips, except under `CI=true`, where that is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

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
    if let Some(reason) = missing_prerequisite(&browser_dir) {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the browser test cannot run under CI=true: {reason} (.ci/run installs chromium and runs npm ci)"
        );
        eprintln!("skipping: {reason}");
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
