//! `[[sources]]`: a central catalog whose Location URLs name files of other
//! repositories, read from bare repositories on disk, from a work tree,
//! and fetched with `--fetch` from a real `git daemon` the test starts and
//! from `file://` URLs.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "protocol.file.allow=always",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_DATE", "2026-06-01T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-06-01T12:00:00Z")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn component(name: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: group:default/team-a\n"
    )
}

/// A temporary organisation: work trees under `work/`, bare clones of
/// them under `bare/`, and a central catalog in `central/`.
struct Org {
    dir: tempfile::TempDir,
}

impl Org {
    fn new() -> Org {
        let org = Org {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir_all(org.path("central")).unwrap();
        std::fs::create_dir_all(org.path("bare")).unwrap();
        org
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// A repository `work/NAME` with `files` committed on main, and its
    /// bare clone `bare/NAME.git`.
    fn repo(&self, name: &str, files: &[(&str, &str)]) {
        let work = self.path(&format!("work/{name}"));
        std::fs::create_dir_all(&work).unwrap();
        git(&work, &["init", "-q"]);
        for (path, text) in files {
            write(&work.join(path), text);
        }
        git(&work, &["add", "-A"]);
        git(&work, &["commit", "-qm", "first"]);
        git(
            self.dir.path(),
            &[
                "clone",
                "-q",
                "--bare",
                &format!("work/{name}"),
                &format!("bare/{name}.git"),
            ],
        );
    }

    /// Commit `files` on `branch` of `work/NAME` and push it to the bare
    /// clone.
    fn commit(&self, name: &str, branch: &str, files: &[(&str, &str)]) {
        let work = self.path(&format!("work/{name}"));
        git(&work, &["checkout", "-q", "-B", branch]);
        for (path, text) in files {
            write(&work.join(path), text);
        }
        git(&work, &["add", "-A"]);
        git(&work, &["commit", "-qm", &format!("change on {branch}")]);
        git(
            &work,
            &[
                "push",
                "-q",
                "-f",
                &format!("../../bare/{name}.git"),
                &format!("{branch}:{branch}"),
            ],
        );
        git(&work, &["checkout", "-q", "main"]);
    }

    fn central(&self, toml: &str, targets: &[&str]) {
        let mut location = String::from(
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: org\nspec:\n  targets:\n",
        );
        for target in targets {
            location.push_str(&format!("    - {target}\n"));
        }
        location.push_str("---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n");
        write(&self.path("central/catalog-info.yaml"), &location);
        write(&self.path("central/portolan.toml"), toml);
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_portolan"))
            .args(args)
            .current_dir(self.path("central"))
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// `check --format concise` with `extra` options: exit code and the
    /// diagnostics' lines.
    fn check(&self, extra: &[&str]) -> (i32, String) {
        let mut args = vec!["check", "--format", "concise"];
        args.extend_from_slice(extra);
        let (code, stdout, stderr) = self.run(&args);
        (code, format!("{stdout}{stderr}"))
    }

    /// `build` with `extra` options; the entities of catalog.json by name.
    fn build(&self, extra: &[&str]) -> Vec<Value> {
        let out = self.path("site");
        let out_arg = out.display().to_string();
        let mut args = vec!["build", "--out", &out_arg, "--fail-on", "never", "-q"];
        args.extend_from_slice(extra);
        let (code, stdout, stderr) = self.run(&args);
        assert_eq!(code, 0, "{stdout}{stderr}");
        let catalog: Value =
            serde_json::from_slice(&std::fs::read(out.join("catalog.json")).unwrap()).unwrap();
        catalog["entities"].as_array().unwrap().clone()
    }
}

fn by_name<'a>(entities: &'a [Value], name: &str) -> Option<&'a Value> {
    entities.iter().find(|e| e["name"] == name)
}

fn annotation<'a>(entity: &'a Value, key: &str) -> &'a str {
    entity["metadata"]["annotations"][key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing on {entity}"))
}

/// The payments repository: a component, an API whose definition is
/// `$text`, a relative Location, and a descriptor that tries to climb out
/// of the repository. Branch v2 holds another component.
fn payments(org: &Org) {
    let main = component("payments")
        + "---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: payments-api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: group:default/team-a\n  definition:\n    $text: ./openapi.yaml\n---\napiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: payments-more\nspec:\n  targets: [./more/catalog-info.yaml]\n";
    let worker = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments-worker\n  description:\n    $text: ../../central/secret.txt\nspec:\n  type: service\n  lifecycle: production\n  owner: group:default/team-a\n";
    org.repo(
        "payments",
        &[
            ("catalog-info.yaml", &main),
            ("more/catalog-info.yaml", worker),
            (
                "openapi.yaml",
                "openapi: 3.0.3\ninfo: {title: Payments, version: '1'}\npaths:\n  /payments:\n    get:\n      responses:\n        '200': {description: ok}\n",
            ),
        ],
    );
    org.commit(
        "payments",
        "v2",
        &[("catalog-info.yaml", &component("payments-v2"))],
    );
}

#[test]
fn url_locations_are_read_from_bare_repositories_at_the_urls_ref() {
    let org = Org::new();
    payments(&org);
    write(&org.path("central/secret.txt"), "central's own file");
    org.central(
        "[[sources]]\nurl = \"https://github.com/acme/\"\npath = \"../bare/{repo}.git\"\n",
        &[
            "https://github.com/acme/payments/blob/main/catalog-info.yaml",
            "https://github.com/acme/payments/blob/v2/catalog-info.yaml",
            "https://github.com/other/elsewhere/blob/main/catalog-info.yaml",
        ],
    );

    // The repositories are outside the catalog root: not read unless the
    // operator allows their directory.
    let (code, out) = org.check(&[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("catalog-info.yaml:7:7: error[F005]"), "{out}");
    assert!(out.contains("--allow-read ../bare"), "{out}");
    assert!(!out.contains("acme/payments:"), "nothing was read: {out}");

    let (code, out) = org.check(&["--allow-read", "../bare"]);
    assert_eq!(code, 1, "{out}");
    // A relative path may not climb out of its repository, and the
    // diagnostic names the repository with the path.
    assert!(
        out.contains("acme/payments:more/catalog-info.yaml:6:12: error[F002]"),
        "{out}"
    );
    // URLs no [[sources]] entry maps are still remote.
    assert!(out.contains("warning[F003]"), "{out}");
    assert!(!out.contains("F005"), "{out}");

    let entities = org.build(&["--allow-read", "../bare"]);
    let payments = by_name(&entities, "payments").expect("payments from main");
    assert_eq!(
        payments["source"]["file"],
        "acme/payments:catalog-info.yaml"
    );
    assert_eq!(
        annotation(payments, "backstage.io/managed-by-location"),
        "url:https://github.com/acme/payments/blob/main/catalog-info.yaml"
    );
    assert_eq!(
        annotation(payments, "backstage.io/managed-by-origin-location"),
        "file:catalog-info.yaml"
    );
    assert_eq!(
        annotation(payments, "backstage.io/edit-url"),
        "https://github.com/acme/payments/edit/main/catalog-info.yaml"
    );
    assert_eq!(
        annotation(payments, "backstage.io/source-location"),
        "url:https://github.com/acme/payments/tree/main/"
    );
    // The relative Location inside the repository, and its own URLs.
    let worker = by_name(&entities, "payments-worker").expect("read through ./more");
    assert_eq!(
        annotation(worker, "backstage.io/view-url"),
        "https://github.com/acme/payments/blob/main/more/catalog-info.yaml"
    );
    assert_ne!(
        worker["metadata"]["description"], "central's own file",
        "a mounted repository read a file of the central catalog"
    );
    // The other ref is its own mount.
    let v2 = by_name(&entities, "payments-v2").expect("payments-v2 from branch v2");
    assert_eq!(v2["source"]["file"], "acme/payments@v2:catalog-info.yaml");
    assert!(
        by_name(&entities, "payments-api").is_some(),
        "the API of main"
    );
    // The API's `$text` definition came from the repository.
    let api_page =
        std::fs::read_to_string(org.path("site/catalog/api/default/payments-api/index.html"))
            .unwrap();
    assert!(api_page.contains("/payments"), "the definition was read");
    // The entity page links to its repository.
    let page =
        std::fs::read_to_string(org.path("site/catalog/component/default/payments/index.html"))
            .unwrap();
    assert!(
        page.contains("href=\"https://github.com/acme/payments/edit/main/catalog-info.yaml\""),
        "edit link"
    );
}

#[test]
fn a_work_tree_inside_the_root_needs_no_permission_and_root_files_cannot_pose_as_it() {
    let org = Org::new();
    org.repo(
        "billing",
        &[
            ("services/api/catalog-info.yaml", &component("billing-api")),
            (
                "services/jobs/catalog-info.yaml",
                &component("billing-jobs"),
            ),
            ("catalog-info.yaml", &component("billing")),
        ],
    );
    // The repository, as a work tree inside the catalog root.
    git(
        &org.path("central"),
        &["clone", "-q", "../work/billing", "repos/billing"],
    );
    // A root file whose name would read as the mounted repository's.
    write(
        &org.path("central/acme/billing:catalog-info.yaml"),
        &component("impostor"),
    );
    org.central(
        "[[sources]]\nurl = \"https://gitlab.acme.dev/acme\"\npath = \"repos/{repo}\"\n",
        &[
            "https://gitlab.acme.dev/acme/billing/-/tree/main/services",
            "https://gitlab.acme.dev/acme/billing/-/blob/main/catalog-info.yaml",
        ],
    );
    let entities = org.build(&[]);
    for name in ["billing-api", "billing-jobs", "billing"] {
        assert!(by_name(&entities, name).is_some(), "{name}");
    }
    assert!(by_name(&entities, "impostor").is_none());
    let api = by_name(&entities, "billing-api").unwrap();
    assert_eq!(
        annotation(api, "backstage.io/view-url"),
        "https://gitlab.acme.dev/acme/billing/-/blob/main/services/api/catalog-info.yaml"
    );
    let (_, out) = org.check(&[]);
    assert!(out.contains("acme/billing:catalog-info.yaml"), "{out}");
    // The work tree's files are the mounted repository's, not the root's
    // own as well (no duplicates).
    assert!(!out.contains("R004"), "{out}");
    assert!(!out.contains("repos/billing"), "{out}");
}

/// A `git daemon` serving `base` on a free loopback port.
struct Daemon {
    child: Child,
    port: u16,
}

impl Daemon {
    fn start(base: &Path) -> Daemon {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("git")
            .args([
                "daemon",
                "--reuseaddr",
                "--export-all",
                "--listen=127.0.0.1",
            ])
            .arg(format!("--port={port}"))
            .arg(format!("--base-path={}", base.display()))
            .arg(base)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("git daemon starts");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "git daemon did not listen"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Daemon { child, port }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn fetch_clones_over_git_daemon_and_reports_an_unreachable_repository() {
    let org = Org::new();
    payments(&org);
    org.repo("ledger", &[("catalog-info.yaml", &component("ledger"))]);
    let daemon = Daemon::start(&org.path("bare"));
    org.central(
        &format!(
            "[[sources]]\nurl = \"https://github.com/acme/\"\nclone = \"git://127.0.0.1:{}/{{repo}}.git\"\n",
            daemon.port
        ),
        &[
            "https://github.com/acme/payments/blob/main/catalog-info.yaml",
            "https://github.com/acme/ledger/blob/main/catalog-info.yaml",
            "https://github.com/acme/gone/blob/main/catalog-info.yaml",
        ],
    );
    // Without --fetch and without `path`, the cache is empty.
    let (_, out) = org.check(&[]);
    assert!(out.contains("run with --fetch"), "{out}");

    let entities = org.build(&["--fetch"]);
    assert!(by_name(&entities, "payments").is_some());
    assert!(by_name(&entities, "ledger").is_some());
    assert!(
        org.path("central/.portolan/cache/github.com/acme/ledger.git/HEAD")
            .is_file()
    );
    // The unreachable repository is one diagnostic; nothing half-written
    // is left in the cache.
    let (_, out) = org.check(&[]);
    assert!(out.contains("catalog-info.yaml:9:7: error[F005]"), "{out}");
    assert!(!out.contains("catalog-info.yaml:7:7: error[F005]"), "{out}");
    let leftovers: Vec<_> = std::fs::read_dir(org.path("central/.portolan/cache/github.com/acme"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        leftovers
            .iter()
            .all(|n| n.ends_with(".git") && !n.starts_with('.')),
        "{leftovers:?}"
    );
    let (_, out) = org.check(&["--fetch"]);
    assert!(out.contains("git clone of git://127.0.0.1"), "{out}");

    // A new commit upstream arrives with the next --fetch.
    org.commit(
        "ledger",
        "main",
        &[("catalog-info.yaml", &component("ledger-2"))],
    );
    assert!(
        by_name(&org.build(&[]), "ledger").is_some(),
        "the cache as it was"
    );
    let entities = org.build(&["--fetch"]);
    assert!(by_name(&entities, "ledger-2").is_some());
    assert!(by_name(&entities, "ledger").is_none());
}

#[test]
fn fetch_from_file_urls_only_where_reading_is_allowed() {
    let org = Org::new();
    org.repo("ledger", &[("catalog-info.yaml", &component("ledger"))]);
    let bare = org.path("bare").display().to_string();
    org.central(
        &format!(
            "[[sources]]\nurl = \"https://github.com/acme/\"\nclone = \"file://{bare}/{{repo}}.git\"\n"
        ),
        &["https://github.com/acme/ledger/blob/main/catalog-info.yaml"],
    );
    let (code, out) = org.check(&["--fetch"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("--allow-read"), "{out}");
    assert!(
        !org.path("central/.portolan/cache/github.com/acme/ledger.git")
            .exists()
    );
    let entities = org.build(&["--fetch", "--allow-read", &bare]);
    assert!(by_name(&entities, "ledger").is_some());
}

#[cfg(unix)]
#[test]
fn fetch_never_writes_through_a_symbolic_link_the_repository_holds() {
    let org = Org::new();
    org.repo("ledger", &[("catalog-info.yaml", &component("ledger"))]);
    let outside = org.path("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, org.path("central/.portolan")).unwrap();
    let bare = org.path("bare").display().to_string();
    org.central(
        &format!(
            "[[sources]]\nurl = \"https://github.com/acme/\"\nclone = \"file://{bare}/{{repo}}.git\"\n"
        ),
        &["https://github.com/acme/ledger/blob/main/catalog-info.yaml"],
    );
    let (code, out) = org.check(&["--fetch", "--allow-read", &bare]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("symbolic link"), "{out}");
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
    // Elsewhere, by the operator's choice, it works.
    let cache = org.path("cache").display().to_string();
    let entities = org.build(&["--fetch", "--allow-read", &bare, "--cache-dir", &cache]);
    assert!(by_name(&entities, "ledger").is_some());
}

#[test]
fn clone_urls_that_would_run_a_command_are_refused() {
    let org = Org::new();
    let marker = org.path("ran");
    org.central(
        &format!(
            "[[sources]]\nurl = \"https://github.com/acme/\"\nclone = \"ext::sh -c touch% {}\"\n",
            marker.display()
        ),
        &["https://github.com/acme/ledger/blob/main/catalog-info.yaml"],
    );
    let (code, out) = org.check(&["--fetch"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error[F005]"), "{out}");
    assert!(!marker.exists(), "git's ext:: transport ran a command");
}
