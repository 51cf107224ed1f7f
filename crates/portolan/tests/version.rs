//! `portolan --version` names the commit the binary was built from, and a
//! build records the same string in `catalog.json` and the footer.

use std::process::Command;

fn portolan(args: &[&str], dir: &std::path::Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_portolan"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The commit this checkout is at, as git abbreviates it to 12 digits.
fn head_commit() -> Option<String> {
    let out = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[test]
fn version_names_the_commit_and_the_build_records_it() {
    let dir = tempfile::tempdir().unwrap();
    let printed = portolan(&["--version"], dir.path());
    let version = printed
        .strip_prefix("portolan ")
        .and_then(|v| v.strip_suffix('\n'))
        .unwrap_or_else(|| panic!("{printed:?}"));
    let pkg = env!("CARGO_PKG_VERSION");
    match std::env::var("PORTOLAN_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
    {
        Some(commit) => assert_eq!(version, format!("{pkg} ({commit})")),
        None => match head_commit() {
            // Built from this checkout (CI's clone is one).
            Some(commit) => assert_eq!(version, format!("{pkg} ({commit})")),
            None => assert_eq!(version, pkg),
        },
    }
    std::fs::write(
        dir.path().join("catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team}\nspec: {type: team, children: []}\n",
    )
    .unwrap();
    portolan(&["build", "--root", ".", "--out", "site", "-q"], dir.path());
    let catalog: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("site/catalog.json")).unwrap())
            .unwrap();
    assert_eq!(catalog["generator"]["version"], version);
    let home = std::fs::read_to_string(dir.path().join("site/index.html")).unwrap();
    assert!(
        home.contains(&format!("Built by portolan {version}.")),
        "{home}"
    );
}

/// The pre-commit hook's project (the repository root's pyproject.toml)
/// pins the wheel of this very version, and the wheel's project takes its
/// version from the crate.
#[test]
fn the_hook_project_pins_this_version_of_the_wheel() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let hook = std::fs::read_to_string(root.join("pyproject.toml")).unwrap();
    let pkg = env!("CARGO_PKG_VERSION");
    assert!(
        hook.contains(&format!("\nversion = \"{pkg}\"\n")),
        "pyproject.toml's version is not {pkg}"
    );
    assert!(
        hook.contains(&format!("dependencies = [\"portolan-catalog=={pkg}\"]")),
        "pyproject.toml does not pin portolan-catalog=={pkg}"
    );
    let wheel = std::fs::read_to_string(root.join("packaging/pypi/pyproject.toml")).unwrap();
    assert!(wheel.contains("dynamic = [\"version\"]"), "{wheel}");
    assert!(wheel.contains("name = \"portolan-catalog\""), "{wheel}");
}
