//! Input shapes that stalled or aborted the process (issue 16): each must
//! end in a finding at its place while the rest of the catalog is checked.

use std::time::Duration;

use crate::hostile::{Hostile, OWNER, component};

/// Runs the binary in the catalog root, failing the test (and killing the
/// process) if it has not finished within `limit`. Output is read while it
/// runs, so a full pipe never stalls it.
fn run_within(h: &Hostile, args: &[&str], limit: Duration) -> (i32, String, String) {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_portolan"))
        .args(args)
        .current_dir(h.root())
        .env("CI", "true")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    let out = match finished.recv_timeout(limit) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status();
            panic!("portolan {args:?} did not finish within {limit:?}");
        }
    };
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Found: a named pipe in the catalog, or as a `$text` target, hung
/// `check` forever (opening a FIFO waits for a writer).
#[cfg(unix)]
#[test]
fn named_pipes_are_reported_not_read() {
    let h = Hostile::new();
    h.write(
        "root/catalog-info.yaml",
        format!(
            "{OWNER}---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: orders\n  description:\n    $text: ./pipe.md\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
        ),
    );
    h.write(
        "root/other/catalog-info.yaml",
        component("payments").replace("team-a", "group:team-a"),
    );
    let status = std::process::Command::new("mkfifo")
        .arg(h.root().join("pipe.md"))
        .status()
        .unwrap();
    assert!(status.success());
    std::os::unix::fs::symlink("../pipe.md", h.root().join("other/catalog-info.yml")).unwrap();

    let (code, stdout, _) = run_within(
        &h,
        &["check", "--format", "concise"],
        Duration::from_secs(30),
    );
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("catalog-info.yaml:") && stdout.contains("named pipe"),
        "the $text target: {stdout}"
    );
    assert!(
        stdout.contains("other/catalog-info.yml") && stdout.contains("named pipe"),
        "the discovered link to a pipe: {stdout}"
    );
    // A pipe named on the command line (a pre-commit hook passes paths).
    let (code, stdout, _) = run_within(
        &h,
        &["check", "--format", "concise", "pipe.md"],
        Duration::from_secs(30),
    );
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("named pipe"), "{stdout}");
}

/// Found: a YAML file with a 1 MB scalar referenced by 5,000 aliases
/// aborted the process ("memory allocation of 1048576 bytes failed",
/// exit 134). The expansion is bounded by the text it adds: Y004 at the
/// alias, and the other files are still checked.
#[test]
fn aliases_of_a_megabyte_scalar_are_a_finding_not_an_abort() {
    let h = Hostile::new();
    let mut bomb = format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: bomb\n  annotations:\n    big: &big '{}'\n  tags:\n",
        "x".repeat(1024 * 1024)
    );
    for _ in 0..5_000 {
        bomb.push_str("    - *big\n");
    }
    bomb.push_str("spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n");
    h.write("root/bomb/catalog-info.yaml", bomb);
    h.write(
        "root/catalog-info.yaml",
        format!("{OWNER}---\n{}", component("Not A Valid Name")),
    );
    let (code, stdout, _) = run_within(
        &h,
        &["check", "--format", "concise"],
        Duration::from_secs(60),
    );
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("bomb/catalog-info.yaml:") && l.contains("Y004")),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("catalog-info.yaml:") && l.contains("E002")),
        "the rest of the catalog is checked: {stdout}"
    );
}

/// Found: a description of 64,000 nested blockquotes (`> > > …`) took
/// 20 s to render, and a megabyte of nested markdown did not finish in
/// 60 s: the sanitiser's HTML tree builder takes time in the square of the
/// nesting depth. Nesting is bounded, deeper content rendered as text, so
/// the build finishes and the page keeps the text.
#[test]
fn deeply_nested_markdown_renders_in_time() {
    let h = Hostile::new();
    let depth = 64_000;
    let quotes = format!("{}deepest words\n", "> ".repeat(depth));
    let lists = format!("{}deepest item\n", "- ".repeat(depth));
    let divs = format!(
        "{}deepest div{}\n",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    h.write("root/description.md", &quotes);
    h.write("root/docs/index.md", format!("{lists}\n{divs}"));
    h.write(
        "root/catalog-info.yaml",
        format!(
            "{OWNER}---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: orders\n  description:\n    $text: ./description.md\n  annotations:\n    backstage.io/techdocs-ref: dir:docs\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
        ),
    );
    let out = h.base().join("site");
    let out_arg = out.to_str().unwrap();
    let (code, stdout, stderr) = run_within(
        &h,
        &["build", "--out", out_arg, "--fail-on", "never", "-q"],
        Duration::from_secs(120),
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let pages: Vec<String> = walk(&out)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    for words in ["deepest words", "deepest item", "deepest div"] {
        let page = pages
            .iter()
            .find(|page| page.contains(words))
            .unwrap_or_else(|| panic!("no page has {words:?}"));
        let quotes = page.matches("<blockquote>").count();
        let lists = page.matches("<ul>").count();
        let divs = page.matches("<div>").count();
        assert!(
            quotes <= 64 && lists <= 64 && divs <= 200,
            "{words}: {quotes} blockquotes, {lists} lists, {divs} divs"
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
