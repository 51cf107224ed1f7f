//! Theme overrides (issue 17, "no script in the output"): `theme_dir` in a
//! repository's own portolan.toml replaces templates and assets of the
//! embedded theme, so a fork's pull request could publish whatever script
//! it liked — its own `assets/portolan.js`, or a template that drops the
//! Content-Security-Policy `<meta>` and adds inline script, handlers,
//! `javascript:` URLs or a `<script src>` at any same-origin file. Script
//! assets are not overridable now (`T002`), and every page rendered while
//! a template is overridden is parsed as a browser would and refused when
//! it could run anything but the theme's own scripts (`T003`). Each case:
//! a good site is built first, the hostile override added, then `check`
//! must report it at the override's file and `build` must report it and
//! leave the site byte for byte as it was.

use std::time::{Duration, Instant};

use crate::hostile::{Hostile, snapshot};
use crate::serve::Serve;

/// A clean catalog whose portolan.toml names `theme/` as its theme, with
/// a site already built from it into `root/site`.
fn built_with_theme() -> Hostile {
    let hostile = Hostile::new();
    hostile
        .clean_catalog()
        .write("root/portolan.toml", "[site]\ntheme_dir = \"theme\"\n")
        .write("root/theme/README.md", "Our portal's look.\n");
    let good = hostile.run(&["build", "--out", "site", "--color", "never"]);
    assert_eq!(good.code, 0, "{}", good.stderr);
    hostile
}

/// `check` reports `code` at `file` (catalog-relative, with a line when
/// `line` is given), and `build` reports it and writes nothing.
fn assert_refused(hostile: &Hostile, code: &str, file: &str, line: Option<usize>) {
    let check = hostile.run(&["check", "--format", "concise", "--color", "never"]);
    assert_eq!(check.code, 1, "check: {}\n{}", check.stdout, check.stderr);
    let at = match line {
        Some(line) => format!("{file}:{line}:"),
        None => format!("{file}:"),
    };
    assert!(
        check
            .stdout
            .lines()
            .any(|l| l.starts_with(&at) && l.contains(&format!("error[{code}]"))),
        "check should report {code} at {at}:\n{}",
        check.stdout
    );
    let before = snapshot(&hostile.root().join("site"));
    let build = hostile.run(&["build", "--out", "site", "--color", "never"]);
    assert_eq!(build.code, 1, "build: {}", build.stderr);
    assert!(
        build.stderr.contains(&format!("error[{code}]")) && build.stderr.contains(file),
        "build should report {code} at {file}:\n{}",
        build.stderr
    );
    assert!(build.stderr.contains("was not written"), "{}", build.stderr);
    assert_eq!(
        snapshot(&hostile.root().join("site")),
        before,
        "build wrote something"
    );
    // Neither `--fail-on never` nor turning the codes off under `[rules]`
    // lets it through: a rule's severity is no safety switch.
    hostile.write(
        "root/portolan.toml",
        format!("[site]\ntheme_dir = \"theme\"\n\n[rules]\n{code} = \"off\"\n"),
    );
    let forced = hostile.run(&["build", "--out", "site", "--fail-on", "never"]);
    assert_eq!(forced.code, 1, "forced build: {}", forced.stderr);
    assert_eq!(snapshot(&hostile.root().join("site")), before);
}

/// A template override of 404.html whose content block is `content`.
fn not_found_page(content: &str) -> String {
    format!("{{% extends \"base.html\" %}}\n{{% block content %}}\n{content}\n{{% endblock %}}\n")
}

/// Regression: an override of `assets/portolan.js` was published as the
/// site's script, on every page, under the site's own policy (`'self'`).
#[test]
fn a_script_asset_override_is_refused() {
    let hostile = built_with_theme();
    hostile.write(
        "root/theme/assets/portolan.js",
        "fetch('/catalog.json').then(r => r.text()).then(t => navigator.sendBeacon('/x', t));\n",
    );
    assert_refused(&hostile, "T002", "theme/assets/portolan.js", None);
    let published =
        std::fs::read_to_string(hostile.root().join("site/assets/portolan.js")).unwrap();
    assert!(!published.contains("sendBeacon"));
}

/// theme.js runs in every page's head, and the icon is an SVG: opened as a
/// page of the portal's origin, an SVG runs its script.
#[test]
fn theme_script_and_icon_overrides_are_refused() {
    let hostile = built_with_theme();
    hostile.write("root/theme/assets/theme.js", "alert(document.domain);\n");
    assert_refused(&hostile, "T002", "theme/assets/theme.js", None);
    let hostile = built_with_theme();
    hostile.write(
        "root/theme/assets/favicon.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(document.domain)</script></svg>\n",
    );
    assert_refused(&hostile, "T002", "theme/assets/favicon.svg", None);
    let published =
        std::fs::read_to_string(hostile.root().join("site/assets/favicon.svg")).unwrap();
    assert!(!published.contains("<script"), "{published}");
}

/// search.js is the theme's script too.
#[test]
fn a_search_script_override_is_refused() {
    let hostile = built_with_theme();
    hostile.write("root/theme/assets/search.js", "alert(document.domain);\n");
    assert_refused(&hostile, "T002", "theme/assets/search.js", None);
}

/// Regression: a base.html without the policy `<meta>` and with an inline
/// `<script>` was published: every page ran it.
#[test]
fn a_base_template_with_inline_script_and_no_policy_is_refused() {
    let hostile = built_with_theme();
    hostile.write(
        "root/theme/templates/base.html",
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{{ site.title }}</title>\n<script>fetch('/catalog.json')</script>\n</head>\n<body>{% block content %}{% endblock %}</body>\n</html>\n",
    );
    assert_refused(&hostile, "T003", "theme/templates/base.html", Some(6));
}

/// The policy `<meta>` must come before anything it is meant to govern:
/// a script ahead of it runs unrestricted.
#[test]
fn a_script_before_the_policy_meta_is_refused() {
    let hostile = built_with_theme();
    let base = include_str!("../../../../themes/default/templates/base.html").replace(
        "<meta charset=\"utf-8\">\n",
        "<meta charset=\"utf-8\">\n<script src=\"{{ site.base }}assets/portolan.js\"></script>\n",
    );
    hostile.write("root/theme/templates/base.html", base);
    assert_refused(&hostile, "T003", "theme/templates/base.html", None);
}

/// Regression: an event handler attribute was published. `<body onload>`
/// inside a block is not even a new element: the parser moves its
/// attributes onto the page's `<body>`.
#[test]
fn an_onload_handler_is_refused() {
    let hostile = built_with_theme();
    hostile.write(
        "root/theme/templates/404.html",
        not_found_page("<p>Lost?</p>\n<body onload=\"alert(document.domain)\">"),
    );
    assert_refused(&hostile, "T003", "theme/templates/404.html", Some(4));
}

/// Regression: a `javascript:` link was published, here spelt with a tab
/// in the scheme (which URL parsing removes) as an entity.
#[test]
fn a_javascript_link_is_refused() {
    let hostile = built_with_theme();
    hostile.write(
        "root/theme/templates/404.html",
        not_found_page(
            "<p>Lost?</p>\n<p><a href=\"java&#9;script:alert(document.domain)\">home</a></p>",
        ),
    );
    assert_refused(&hostile, "T003", "theme/templates/404.html", None);
}

/// Regression: `script-src 'self'` lets any same-origin file run as script,
/// and a catalog publishes files whose bytes it chooses (an API bundle).
/// A `<script src>` must name one of the theme's own scripts.
#[test]
fn a_script_src_at_a_same_origin_bundle_is_refused() {
    let hostile = built_with_theme();
    hostile.write(
        "root/theme/templates/404.html",
        not_found_page(
            "<p>Lost?</p>\n<script src=\"{{ site.base }}apis/default/orders.json\"></script>",
        ),
    );
    assert_refused(&hostile, "T003", "theme/templates/404.html", Some(4));
}

/// Regression: a refresh `<meta>` navigating to a `javascript:` URL.
#[test]
fn a_meta_refresh_is_refused() {
    let hostile = built_with_theme();
    hostile.write(
        "root/theme/templates/404.html",
        not_found_page(
            "<meta http-equiv=refresh content=\"0;url=javascript:alert(document.domain)\">",
        ),
    );
    assert_refused(&hostile, "T003", "theme/templates/404.html", Some(3));
}

/// An `<iframe srcdoc>` is a document the parent's parser never sees,
/// under the parent's policy: its `<script src>` would pass `'self'`.
#[test]
fn an_iframe_srcdoc_is_refused() {
    let hostile = built_with_theme();
    hostile.write(
        "root/theme/templates/404.html",
        not_found_page("<iframe srcdoc=\"&lt;script src=/apis/default/orders.json&gt;&lt;/script&gt;\"></iframe>"),
    );
    assert_refused(&hostile, "T003", "theme/templates/404.html", Some(3));
}

/// A script element in SVG (`href`, not `src`) is a script too.
#[test]
fn an_svg_script_is_refused() {
    let hostile = built_with_theme();
    hostile.write(
        "root/theme/templates/404.html",
        not_found_page(
            "<svg><script href=\"{{ site.base }}apis/default/orders.json\"></script></svg>",
        ),
    );
    assert_refused(&hostile, "T003", "theme/templates/404.html", Some(3));
}

/// A page a browser would decode as something other than UTF-8 is not the
/// page that was checked (ISO-2022-JP escapes hide quotes and brackets):
/// only UTF-8 may be declared.
#[test]
fn a_charset_other_than_utf8_is_refused() {
    let hostile = built_with_theme();
    let base = include_str!("../../../../themes/default/templates/base.html")
        .replace("<meta charset=\"utf-8\">", "<meta charset=\"iso-2022-jp\">");
    hostile.write("root/theme/templates/base.html", base);
    assert_refused(&hostile, "T003", "theme/templates/base.html", Some(4));
}

/// Regression: `base_url` from the repository's portolan.toml starts every
/// link of the default theme, and `javascript://%0a...` was published as
/// the brand link's `href` (a `javascript:` URL whose "comment" ends at
/// the newline), no template overridden. Only a path or an http(s) URL is
/// a base URL; `check` refuses it as `build` does.
#[test]
fn a_javascript_base_url_is_refused() {
    let hostile = built_with_theme();
    let before = snapshot(&hostile.root().join("site"));
    hostile.write(
        "root/portolan.toml",
        "[site]\nbase_url = \"javascript://%0aalert(document.domain)//\"\n",
    );
    for args in [&["check"][..], &["build", "--out", "site"][..]] {
        let run = hostile.run(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("base URL"), "{}", run.stderr);
    }
    assert_eq!(snapshot(&hostile.root().join("site")), before);
    // Protocol-relative: every link would lead to another host. `\host`
    // got its leading `/` after the check (found by fuzzing).
    for base in ["//evil.example/", "/\\evil.example/", "\\evil.example/"] {
        hostile.write(
            "root/portolan.toml",
            format!("[site]\nbase_url = {base:?}\n"),
        );
        let run = hostile.run(&["build", "--out", "site"]);
        assert_eq!(run.code, 2, "{base}: {}", run.stderr);
        assert!(run.stderr.contains("another host"), "{}", run.stderr);
    }
    assert_eq!(snapshot(&hostile.root().join("site")), before);
    hostile.write("root/portolan.toml", "[site]\ntheme_dir = \"theme\"\n");
    let build = hostile.run(&["build", "--out", "site", "--base-url", "/portal"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
}

/// What a theme is for still works: a template and the stylesheet
/// replaced, published as written.
#[test]
fn a_benign_template_and_stylesheet_override_still_builds() {
    let hostile = built_with_theme();
    hostile
        .write(
            "root/theme/templates/404.html",
            not_found_page(
                "<p>Lost? Ask <a href=\"https://chat.example/platform\">#platform</a>.</p>",
            ),
        )
        .write(
            "root/theme/assets/portolan.css",
            "body { color: rebeccapurple; }\n",
        );
    let check = hostile.run(&["check", "--format", "concise"]);
    assert_eq!(check.code, 0, "{}\n{}", check.stdout, check.stderr);
    let build = hostile.run(&["build", "--out", "site"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    let page = std::fs::read_to_string(hostile.root().join("site/404.html")).unwrap();
    assert!(page.contains("#platform"), "{page}");
    assert_eq!(
        std::fs::read_to_string(hostile.root().join("site/assets/portolan.css")).unwrap(),
        "body { color: rebeccapurple; }\n"
    );
}

/// The default theme passes the page check on every page of the example
/// catalog: examples/acme built with one template overridden by the
/// default's own text, so that every page is checked.
#[test]
fn every_page_of_the_example_catalog_passes_the_page_check() {
    let hostile = Hostile::new();
    let acme = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/acme");
    copy_tree(&acme, &hostile.root());
    let config = std::fs::read_to_string(acme.join("portolan.toml"))
        .unwrap()
        .replace("[site]\n", "[site]\ntheme_dir = \"theme\"\n");
    hostile.write("root/portolan.toml", config).write(
        "root/theme/templates/entity.html",
        include_str!("../../../../themes/default/templates/entity.html"),
    );
    let build = hostile.run(&["build", "--out", "site", "-v"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert!(
        build.stderr.contains("pages checked"),
        "the page check should have run: {}",
        build.stderr
    );
}

/// serve reads the theme the same way: a hostile override is reported and
/// the last good site stays.
#[test]
fn serve_reports_a_hostile_override_and_keeps_the_last_good_site() {
    let hostile = built_with_theme();
    let serve = Serve::start(&hostile, None);
    let script = serve.get("/assets/portolan.js", &[]).text();
    let home = serve.get("/", &[]).text();
    assert!(home.contains("Content-Security-Policy"), "{home}");

    hostile.write("root/theme/assets/portolan.js", "alert(document.domain);\n");
    wait_for_log(&serve, "T002");
    assert_eq!(serve.get("/assets/portolan.js", &[]).text(), script);

    std::fs::remove_file(hostile.root().join("theme/assets/portolan.js")).unwrap();
    hostile.write(
        "root/theme/templates/home.html",
        not_found_page("<a href=\"javascript:alert(document.domain)\">home</a>"),
    );
    wait_for_log(&serve, "T003");
    assert_eq!(serve.get("/", &[]).text(), home);
}

fn wait_for_log(serve: &Serve, text: &str) {
    let started = Instant::now();
    while !serve.log().contains(text) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "serve did not report {text}:\n{}",
            serve.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        serve.log().contains("still serving the last good site"),
        "{}",
        serve.log()
    );
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
