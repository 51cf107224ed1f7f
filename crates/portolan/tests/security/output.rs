//! `build` deletes or replaces only what it made, and writes nothing
//! outside its output (issue 17, findings 1–4 and 7).

use std::path::Path;

use crate::hostile::{Hostile, OWNER, component, plant_victim, snapshot};

const MARKER: &str = ".portolan-site";

/// Runs `build` with `args` and asserts it refused (exit 2, a message
/// naming the reason) and that `victim` is byte for byte as before.
fn assert_refused(h: &Hostile, cwd: &Path, args: &[&str], victim: &Path, reason: &str) {
    let before = snapshot(victim);
    assert!(!before.is_empty(), "the victim has files");
    let run = h.run_in(cwd, args);
    assert_eq!(run.code, 2, "{args:?} exit code\n{}", run.stderr);
    assert!(
        run.stderr.contains(reason) && run.stderr.contains("nothing was written"),
        "{args:?}: {}",
        run.stderr
    );
    assert_eq!(
        snapshot(victim),
        before,
        "{args:?} changed the victim's files"
    );
}

/// Found: `build --out DIR` replaced a user's directory with the site,
/// exit 0.
#[test]
fn out_naming_a_users_directory_is_refused_and_every_byte_kept() {
    let h = Hostile::new();
    h.clean_catalog();
    let victim = h.base().join("thesis");
    plant_victim(&victim);
    let out = victim.to_str().unwrap();
    assert_refused(
        &h,
        &h.root(),
        &["build", "--out", out],
        &victim,
        "was not written by portolan",
    );
}

/// Found: `--out` as the catalog root, its parent or `root/docs` wiped
/// them; `.` and `/` failed only because rename() returned EBUSY.
#[test]
fn out_naming_the_root_its_ancestors_or_an_input_folder_is_refused() {
    let h = Hostile::new();
    // A documented component, so `root/docs` holds catalog inputs.
    h.write(
        "root/catalog-info.yaml",
        format!(
            "{OWNER}---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: orders\n  annotations:\n    backstage.io/techdocs-ref: dir:docs\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
        ),
    );
    h.write("root/docs/index.md", "# Orders\n");
    plant_victim(&h.base().join("other"));
    // Even a marker planted in them does not make these portolan's.
    for dir in ["root", "root/docs", ""] {
        h.write(format!("{dir}/{MARKER}").trim_start_matches('/'), "planted");
    }
    let root = h.root();
    for (out, reason) in [
        (".", "catalog root"),
        ("..", "catalog root"),
        ("/", "catalog root"),
        ("docs", "holds files the catalog reads"),
        ("docs/..", "catalog root"),
    ] {
        assert_refused(&h, &root, &["build", "--out", out], h.base(), reason);
    }
}

/// Found: the repository's own portolan.toml (`out_dir = "../victim"` or
/// an absolute path) made a plain `portolan build` wipe that directory.
#[test]
fn out_dir_from_the_repositorys_config_must_stay_inside_the_root() {
    let h = Hostile::new();
    h.clean_catalog();
    let victim = h.base().join("victim");
    plant_victim(&victim);
    // Marked, so only the inside-the-root rule stands between it and
    // deletion: a repository cannot plant files outside itself, but the
    // rule must not depend on that.
    std::fs::write(victim.join(MARKER), "x").unwrap();
    for out_dir in ["../victim".to_string(), victim.display().to_string()] {
        h.write(
            "root/portolan.toml",
            format!("[site]\nout_dir = {out_dir:?}\n"),
        );
        assert_refused(
            &h,
            &h.root(),
            &["build"],
            &victim,
            "outside the catalog root",
        );
    }
    // Inside the root it builds, and a second build replaces its own output.
    h.write("root/portolan.toml", "[site]\nout_dir = \"public\"\n");
    for _ in 0..2 {
        let run = h.run(&["build"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    assert!(h.root().join("public/index.html").is_file());
    assert!(h.root().join("public").join(MARKER).is_file());
}

/// Found: `--out current` with `current -> release1` emptied release1,
/// turned the link into a directory and exited 2 saying the site was not
/// written although it was; `--out FILE` hid the file as
/// `.FILE.portolan-old-PID`.
#[cfg(unix)]
#[test]
fn out_through_a_symlink_is_judged_by_its_target_and_files_are_refused() {
    let h = Hostile::new();
    h.clean_catalog();
    let release1 = h.base().join("release1");
    plant_victim(&release1);
    std::os::unix::fs::symlink("release1", h.base().join("current")).unwrap();
    assert_refused(
        &h,
        h.base(),
        &["build", "--root", "root", "--out", "current"],
        h.base(),
        "was not written by portolan",
    );

    // A link to portolan's own output: the target is replaced, the link stays.
    let run = h.run_in(h.base(), &["build", "--root", "root", "--out", "release2"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    std::fs::remove_file(h.base().join("current")).unwrap();
    std::os::unix::fs::symlink("release2", h.base().join("current")).unwrap();
    let run = h.run_in(h.base(), &["build", "--root", "root", "--out", "current"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let link = std::fs::symlink_metadata(h.base().join("current")).unwrap();
    assert!(link.file_type().is_symlink(), "the link is still a link");
    assert!(h.base().join("release2/index.html").is_file());

    h.write("notes.txt", "my notes\n");
    assert_refused(
        &h,
        h.base(),
        &["build", "--root", "root", "--out", "notes.txt"],
        h.base(),
        "is not a directory",
    );
}

/// Found: an API named `../../../victim/target` overwrote the victim's
/// `target.yaml` and `target.json` with the attacker's definition; it took
/// only `E002 = "off"` or `--fail-on never`. Turning a rule off must never
/// turn a safety check off.
#[test]
fn entity_names_cannot_place_files_outside_the_output_whatever_the_rules() {
    let h = Hostile::new();
    let victim = h.base().join("victim");
    plant_victim(&victim);
    std::fs::write(victim.join("target.yaml"), "precious: true\n").unwrap();
    std::fs::write(victim.join("target.json"), "{\"precious\": true}\n").unwrap();
    let hostile_api = |name: &str| {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: {name:?}\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition: |\n    openapi: 3.0.3\n    info: {{title: pwned, version: '1'}}\n    paths: {{}}\n"
        )
    };
    // From OUT/apis/default/ three levels up is the temp dir holding victim/.
    let mut descriptor = format!("{OWNER}---\n{}", component("orders"));
    for name in [
        "../../../victim/target",
        "..",
        ".",
        "a/../../../../victim/x",
        "..\\..\\..\\victim\\target",
    ] {
        descriptor.push_str(&format!("---\n{}", hostile_api(name)));
    }
    h.write("root/catalog-info.yaml", descriptor);
    h.write(
        "root/portolan.toml",
        "[rules]\nE002 = \"off\"\nE001 = \"off\"\n",
    );
    let outside_before = snapshot(h.base());
    let run = h.run(&["build", "--out", "../out", "--fail-on", "never"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut outside_after = snapshot(h.base());
    outside_after.retain(|path, _| !path.starts_with("out"));
    let mut outside_before = outside_before;
    outside_before.retain(|path, _| !path.starts_with("out"));
    assert_eq!(outside_after, outside_before, "a file outside OUT changed");
    // The hostile APIs are still published, under names that stay inside.
    let bundles: Vec<String> = std::fs::read_dir(h.base().join("out/apis/default"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        bundles.iter().any(|b| b.contains("victim_target")),
        "{bundles:?}"
    );
}

fn commit_tree(repo: &git2::Repository, tree: git2::Oid) {
    let sig =
        git2::Signature::new("t", "t@example.com", &git2::Time::new(1_700_000_000, 0)).unwrap();
    let tree = repo.find_tree(tree).unwrap();
    repo.commit(Some("HEAD"), &sig, &sig, "hostile", &tree, &[])
        .unwrap();
}

/// A tree object written byte by byte, as `git mktree` does: libgit2's
/// tree builder refuses `..`, git's object database does not.
fn raw_tree(repo: &git2::Repository, entries: &[(&str, &str, git2::Oid)]) -> git2::Oid {
    let mut sorted = entries.to_vec();
    sorted.sort_by(|a, b| a.1.cmp(b.1));
    let mut bytes = Vec::new();
    for (mode, name, oid) in sorted {
        bytes.extend_from_slice(format!("{mode} {name}\0").as_bytes());
        bytes.extend_from_slice(oid.as_bytes());
    }
    repo.odb()
        .unwrap()
        .write(git2::ObjectType::Tree, &bytes)
        .unwrap()
}

/// Found: a commit whose tree has entries named `..` made `build --rev`
/// write an HTML page and raw image bytes outside OUT.
#[test]
fn git_tree_entries_named_dot_dot_are_left_out_and_reported() {
    let h = Hostile::new();
    let repo = git2::Repository::init(h.root()).unwrap();
    let blob = |bytes: &[u8]| repo.blob(bytes).unwrap();
    let descriptor = format!(
        "{OWNER}---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: orders\n  annotations:\n    backstage.io/techdocs-ref: dir:docs\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
    );
    // docs/../../../../../../pwn.md and pwn.png: deep enough to climb out of
    // OUT/catalog/component/default/orders/docs/.
    let mut climb = raw_tree(
        &repo,
        &[
            ("100644", "pwn.md", blob(b"# pwned\n")),
            ("100644", "pwn.png", blob(b"\x89PNG\r\n\x1a\nraw")),
        ],
    );
    for _ in 0..8 {
        climb = raw_tree(&repo, &[("40000", "..", climb)]);
    }
    let docs = raw_tree(
        &repo,
        &[
            ("100644", "index.md", blob(b"# Orders\n")),
            ("40000", "..", climb),
        ],
    );
    let top = raw_tree(
        &repo,
        &[
            ("100644", "catalog-info.yaml", blob(descriptor.as_bytes())),
            ("40000", "docs", docs),
            ("100644", "..", blob(b"a blob named dot-dot")),
        ],
    );
    commit_tree(&repo, top);

    let before = snapshot(h.base());
    let run = h.run_in(
        h.base(),
        &[
            "build",
            "--root",
            "root",
            "--rev",
            "HEAD",
            "--out",
            "out",
            "--fail-on",
            "never",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("F002") && run.stderr.contains("docs/.."),
        "{}",
        run.stderr
    );
    let mut after = snapshot(h.base());
    after.retain(|path, _| !path.starts_with("out"));
    assert_eq!(after, before, "a file outside OUT changed");
    let written = snapshot(&h.base().join("out"));
    assert!(
        !written.keys().any(|p| p.to_string_lossy().contains("pwn")),
        "the climbing entries were published"
    );
    assert!(
        h.base()
            .join("out/catalog/component/default/orders/docs/index.html")
            .is_file()
    );
}

/// A process id no process has: a child that has already exited.
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

/// Found: `.portolan-new-PID` / `.portolan-old-PID` directories of killed
/// builds were never removed (up to ~200 MB each). Only those carrying the
/// marker are portolan's to remove.
#[test]
fn temporary_directories_of_killed_builds_are_removed_when_marked_only() {
    let h = Hostile::new();
    h.clean_catalog();
    let pid = dead_pid();
    for which in ["new", "old"] {
        let stale = h.base().join(format!(".out.portolan-{which}-{pid}"));
        std::fs::create_dir_all(stale.join("catalog")).unwrap();
        std::fs::write(stale.join(MARKER), "x").unwrap();
        std::fs::write(stale.join("catalog/big.html"), "stale").unwrap();
    }
    let lookalike = h.base().join(format!(".out.portolan-new-{}", dead_pid()));
    plant_victim(&lookalike);
    let kept = snapshot(&lookalike);
    let run = h.run_in(h.base(), &["build", "--root", "root", "--out", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let left: Vec<String> = std::fs::read_dir(h.base())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("portolan-"))
        .collect();
    assert_eq!(
        left,
        vec![
            lookalike
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        ],
        "only the unmarked look-alike stays"
    );
    assert_eq!(snapshot(&lookalike), kept);
}

/// Found: the swap was two renames, and a kill between them left no site
/// at all. Builds killed at every point of their run leave the previous
/// site (or the new one) in place, never neither.
#[cfg(unix)]
#[test]
fn a_build_killed_at_any_moment_leaves_a_whole_site() {
    use std::time::Instant;
    let h = Hostile::new();
    let mut catalog = String::from(OWNER);
    for i in 0..300 {
        catalog.push_str(&format!("---\n{}", component(&format!("service-{i}"))));
    }
    h.write("root/catalog-info.yaml", catalog);
    let args = ["build", "--root", "root", "--out", "out", "-q"];
    let started = Instant::now();
    let run = h.run_in(h.base(), &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let full = started.elapsed();
    let out = h.base().join("out");
    for step in 0..12u32 {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_portolan"))
            .args(args)
            .current_dir(h.base())
            .spawn()
            .unwrap();
        std::thread::sleep(full.mul_f64(f64::from(step) / 10.0));
        let _ = child.kill();
        child.wait().unwrap();
        assert!(
            out.join("index.html").is_file() && out.join(MARKER).is_file(),
            "no whole site after a kill at step {step}"
        );
        assert!(
            out.join("catalog/component/default/service-299/index.html")
                .is_file()
        );
    }
    let run = h.run_in(h.base(), &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let leftovers: Vec<String> = std::fs::read_dir(h.base())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("portolan-"))
        .map(|name| {
            let marked = h.base().join(&name).join(MARKER).is_file();
            format!("{name} (marked: {marked})")
        })
        .collect();
    assert_eq!(
        leftovers,
        Vec::<String>::new(),
        "temporary directories of killed builds remain"
    );
}

/// A docs file whose name holds a newline or a backslash cannot become a
/// page path: it is reported and left out, and the rest of the site is
/// written (before, such a name reached the writer, which must refuse the
/// whole site rather than write it).
#[cfg(unix)]
#[test]
fn docs_files_with_unusable_names_are_reported_and_the_site_still_built() {
    let h = Hostile::new();
    h.write(
        "root/catalog-info.yaml",
        format!(
            "{OWNER}---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: orders\n  annotations:\n    backstage.io/techdocs-ref: dir:docs\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
        ),
    );
    h.write("root/docs/index.md", "# Orders\n");
    h.write("root/docs/evil\nname.md", "# newline\n");
    h.write("root/docs/back\\slash.md", "# backslash\n");
    let run = h.run_in(
        h.base(),
        &[
            "build",
            "--root",
            "root",
            "--out",
            "out",
            "--fail-on",
            "never",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("docs/evil\\nname.md") && run.stderr.contains("docs/back\\\\slash.md"),
        "{}",
        run.stderr
    );
    assert!(
        h.base()
            .join("out/catalog/component/default/orders/docs/index.html")
            .is_file()
    );
}

/// A refusal quotes the repository's `out_dir`; it cannot forge a line of
/// its own in a CI log (a GitHub `::error` command) through a newline.
#[test]
fn a_refused_out_dir_is_quoted_on_one_line() {
    let h = Hostile::new();
    h.clean_catalog();
    h.write(
        "root/portolan.toml",
        "[site]\nout_dir = \"../x\\n::error file=a.yaml::forged\\u001b[2J\"\n",
    );
    let run = h.run(&["build"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        !run.stderr.lines().any(|l| l.starts_with("::")) && !run.stderr.contains('\u{1b}'),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("\\n::error"), "{}", run.stderr);
}
