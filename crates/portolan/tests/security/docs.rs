//! Docs-as-code (issue 17, findings 5 and 10): no SVG that can run script
//! is published, whatever XML spelling hides the script, and every docs
//! input that would make `build`'s link check fail is a `check` finding at
//! its source line, so `build` never blames itself ("this is a bug in
//! portolan") for a user's markdown.

use std::path::Path;

use crate::hostile::{Hostile, OWNER};

const DOCUMENTED: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: orders\n  annotations:\n    backstage.io/techdocs-ref: dir:./orders\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n";

/// A catalog whose component `orders` has docs under `root/orders/`;
/// `files` are paths relative to that folder.
fn documented(files: &[(&str, &str)]) -> Hostile {
    let h = Hostile::new();
    h.write(
        "root/catalog-info.yaml",
        format!("{OWNER}---\n{DOCUMENTED}"),
    );
    for (path, content) in files {
        h.write(&format!("root/orders/{path}"), content);
    }
    h
}

/// Every file under `dir` whose name ends with `suffix`, as (path, text).
fn files_ending(dir: &Path, suffix: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(suffix) {
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                out.push((path.strip_prefix(dir).unwrap().display().to_string(), text));
            }
        }
    }
    out.sort();
    out
}

/// The hostile SVGs of finding 5 and the shapes next to them, each with
/// the `line:col` its D003 must point at.
pub const HOSTILE_SVGS: &[(&str, &str, &str)] = &[
    (
        "prefixed-svg-script.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:x=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\">\n  <x:script>document.title='xss:prefixed-svg-script'</x:script>\n</svg>\n",
        "2:3",
    ),
    (
        "xhtml-script.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:h=\"http://www.w3.org/1999/xhtml\" width=\"10\" height=\"10\">\n  <h:script>document.title='xss:xhtml-script'</h:script>\n</svg>\n",
        "2:3",
    ),
    (
        "dtd-entity.svg",
        "<?xml version=\"1.0\"?>\n<!DOCTYPE svg [<!ENTITY e \"&#60;script xmlns='http://www.w3.org/2000/svg'&#62;document.title='xss:dtd-entity'&#60;/script&#62;\">]>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\">&e;</svg>\n",
        "2:1",
    ),
    (
        "onload-caps.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"\n     OnLoad=\"document.title='xss:onload-caps'\"><rect width=\"10\" height=\"10\"/></svg>\n",
        "2:6",
    ),
    (
        "javascript-href.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"10\" height=\"10\">\n<a xlink:href=\" &#106;ava&#x09;script:document.title='xss:javascript-href'\"><rect width=\"10\" height=\"10\"/></a></svg>\n",
        "2:4",
    ),
    (
        "foreign-object.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><foreignObject width=\"10\" height=\"10\"><iframe xmlns=\"http://www.w3.org/1999/xhtml\" src=\"javascript:document.title='xss:foreign-object'\"/></foreignObject></svg>\n",
        "1:64",
    ),
    (
        "stylesheet-pi.svg",
        "<?xml-stylesheet type=\"text/xsl\" href=\"#x\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>\n",
        "1:1",
    ),
];

const BENIGN_SVG: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- drawn by hand -->\n<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:inkscape=\"http://www.inkscape.org/namespaces/inkscape\" width=\"20\" height=\"10\" inkscape:version=\"1.0\">\n  <defs><linearGradient id=\"g\"><stop offset=\"0\" stop-color=\"#0a0\"/></linearGradient></defs>\n  <rect width=\"20\" height=\"10\" fill=\"url(#g)\"/>\n  <text x=\"1\" y=\"8\"><![CDATA[a < b]]></text>\n</svg>\n";

#[test]
fn svg_script_hidden_by_namespaces_or_entities_is_not_published() {
    // Finding 5: D003 was a substring check for `<script`, `javascript:`,
    // `<foreignobject` and ` on...=`. `<x:script>` under a prefixed SVG
    // namespace, `<h:script>` in the XHTML namespace and a DTD entity
    // expanding to `<script>` contain none of those strings: they were
    // published as they were and ran in Chromium. So did an `OnLoad=`
    // after a newline, and a `javascript:` URL spelt with a character
    // reference.
    let mut files: Vec<(String, String)> = HOSTILE_SVGS
        .iter()
        .map(|(name, svg, _)| (format!("docs/{name}"), svg.to_string()))
        .collect();
    files.push(("docs/ok.svg".into(), BENIGN_SVG.into()));
    let mut index = String::from("# Orders\n\n![ok](ok.svg)\n");
    for (name, _, _) in HOSTILE_SVGS {
        index.push_str(&format!("\n![{name}]({name})\n"));
    }
    files.push(("docs/index.md".into(), index));
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    let h = documented(&borrowed);

    let check = h.run(&["check", "--format", "concise", "--color", "never"]);
    for (name, _, at) in HOSTILE_SVGS {
        let expected = format!("orders/docs/{name}:{at}: warning[D003]");
        assert!(
            check.stdout.contains(&expected),
            "no `{expected}` in:\n{}{}",
            check.stdout,
            check.stderr
        );
    }
    assert!(!check.stdout.contains("ok.svg"), "{}", check.stdout);

    let out = h.base().join("out");
    let build = h.run(&["build", "--out", out.to_str().unwrap(), "--color", "never"]);
    assert_eq!(build.code, 0, "{}{}", build.stdout, build.stderr);
    // The docs' SVGs (the theme's own icon, under assets/, is not one).
    let mut published = files_ending(&out, ".svg");
    published.retain(|(path, _)| !path.starts_with("assets/"));
    let names: Vec<&str> = published
        .iter()
        .map(|(p, _)| p.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(names, ["ok.svg"], "published: {published:?}");
    for (path, text) in &published {
        let lower = text.to_ascii_lowercase();
        for banned in ["script", "onload", "inkscape", "<!--", "<?xml"] {
            assert!(!lower.contains(banned), "{path} holds `{banned}`:\n{text}");
        }
        assert!(text.contains("fill=\"url(#g)\""), "{path}:\n{text}");
        assert!(text.contains("a &lt; b"), "{path}:\n{text}");
    }
    // The pages show the hostile images' alt text, never their URLs.
    for (_, html) in files_ending(&out, ".html") {
        for (name, _, _) in HOSTILE_SVGS {
            assert!(!html.contains(&format!("{name}\"")), "{name} linked");
        }
    }
}

/// `build`'s output says nothing about a bug in portolan, and it exits 0.
fn assert_builds(h: &Hostile) -> std::path::PathBuf {
    let out = h.base().join("out");
    let build = h.run(&["build", "--out", out.to_str().unwrap(), "--color", "never"]);
    assert!(
        !build.stderr.contains("bug in portolan") && build.code == 0,
        "build failed with {}:\n{}{}",
        build.code,
        build.stdout,
        build.stderr
    );
    out
}

#[test]
fn docs_with_a_readme_and_no_index_check_and_build() {
    // Finding 10: MkDocs serves a folder's README.md as its page when there
    // is no index.md; portolan published it at `docs/README/` instead, and
    // the entity page's "Read the docs" link to `docs/` led nowhere: check
    // was clean, build exited 2 with "4 broken internal links ... (this is a
    // bug in portolan)".
    let h = documented(&[
        (
            "docs/README.md",
            "# Orders\n\nSee the [guide](guide.md) and [its setup](guide/README.md#setup).\n",
        ),
        (
            "docs/guide.md",
            "# Guide\n\nBack [home](README.md) or [up](./).\n",
        ),
        ("docs/guide/README.md", "# Guide details\n\n## Setup\n"),
    ]);
    let check = h.run(&["check", "--format", "concise", "--color", "never"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(!check.stdout.contains("D00"), "{}", check.stdout);
    let out = assert_builds(&h);
    let docs = out.join("catalog/component/default/orders/docs");
    let index = std::fs::read_to_string(docs.join("index.html")).unwrap();
    assert!(
        index.contains("See the"),
        "README.md is the index:\n{index}"
    );
    assert!(docs.join("guide/index.html").is_file());
    assert!(!docs.join("README").exists());
}

#[test]
fn docs_without_any_index_page_build() {
    // Finding 10's sibling: with neither index.md nor README.md, nothing
    // was published at `docs/`, where the entity page links.
    let h = documented(&[("docs/guide.md", "# Guide\n")]);
    let check = h.run(&["check", "--format", "concise", "--color", "never"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    let out = assert_builds(&h);
    let index =
        std::fs::read_to_string(out.join("catalog/component/default/orders/docs/index.html"))
            .unwrap();
    assert!(
        index.contains("/catalog/component/default/orders/docs/guide/"),
        "{index}"
    );
}

#[test]
fn site_absolute_links_in_docs_are_findings_at_their_line_not_build_failures() {
    // Finding 10: `[x](/handbook/)` was not looked at by check (it skipped
    // every link starting with `/`), was published as written, and build's
    // link check then failed on it, blaming portolan. The same went for
    // raw HTML links into the site, `//host` links, an image pointing at a
    // page anchor, and a heading the sanitiser removed (its table of
    // contents entry pointed at an anchor that was not there).
    let h = documented(&[
        (
            "docs/index.md",
            "# Orders\n\nThe [handbook](/handbook/) and [elsewhere](//intranet.example/x).\n\n\
             <a href=\"/handbook/raw/\">raw</a> <img src=\"#nowhere\" alt=\"a\"> <a href=\"&#47;entity/\">encoded</a>\n\n\
             ![picture](guide.md#nowhere)\n\n\
             text <script>\n\n## Swallowed\n\n</script>\n\n## Kept\n\n## Also\n",
        ),
        ("docs/guide.md", "# Guide\n"),
    ]);
    let check = h.run(&["check", "--format", "concise", "--color", "never"]);
    for expected in [
        "orders/docs/index.md:3:16: warning[D004]",
        "orders/docs/index.md:3:44: warning[D004]",
        "orders/docs/index.md:7:12: warning[D002]",
    ] {
        assert!(
            check.stdout.contains(expected),
            "no `{expected}` in:\n{}{}",
            check.stdout,
            check.stderr
        );
    }
    let out = assert_builds(&h);
    let page =
        std::fs::read_to_string(out.join("catalog/component/default/orders/docs/index.html"))
            .unwrap();
    for gone in [
        "/handbook/",
        "//intranet.example",
        "\"#nowhere\"",
        "/entity/",
        "&#47;entity",
        "href=\"#swallowed\"",
    ] {
        assert!(!page.contains(gone), "`{gone}` published:\n{page}");
    }
    assert!(
        page.contains("handbook") && page.contains("encoded"),
        "the text stays"
    );
}

#[test]
fn nav_entries_naming_no_page_are_findings_in_mkdocs_yml() {
    // Not a build failure (the site leaves such an entry out), but MkDocs
    // warns and the reader loses a page without a word.
    let h = documented(&[
        (
            "mkdocs.yml",
            "site_name: Orders\nnav:\n  - Home: index.md\n  - Setup:\n      - Install: setup/install.md\n  - https://example.com/x\n",
        ),
        ("docs/index.md", "# Orders\n"),
    ]);
    let check = h.run(&["check", "--format", "concise", "--color", "never"]);
    assert!(
        check
            .stdout
            .contains("orders/mkdocs.yml:5:18: warning[D002] the `nav` entry `setup/install.md`"),
        "{}{}",
        check.stdout,
        check.stderr
    );
    assert_eq!(
        check.stdout.matches("[D002]").count(),
        1,
        "{}",
        check.stdout
    );
    assert_builds(&h);
}

#[test]
fn docs_pages_named_with_url_characters_build() {
    // Found while looking for more of finding 10: a page `c#.md` was linked
    // as `docs/c#/`, which a browser (and the build's link check) reads as
    // page `docs/c` with fragment `/`; build exited 2 blaming portolan. A
    // link written `c%23.md`, as in a URL, was a D002 "does not exist".
    let h = documented(&[
        (
            "docs/index.md",
            "# Orders\n\n[C#](c%23.md), [what](what%3F%20100%25.md)\n",
        ),
        ("docs/c#.md", "# C#\n\n[back](index.md)\n"),
        ("docs/what? 100%.md", "# Questions\n"),
    ]);
    let check = h.run(&["check", "--format", "concise", "--color", "never"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(!check.stdout.contains("D00"), "{}", check.stdout);
    let out = assert_builds(&h);
    let docs = out.join("catalog/component/default/orders/docs");
    assert!(docs.join("c#/index.html").is_file());
    let index = std::fs::read_to_string(docs.join("index.html")).unwrap();
    assert!(index.contains("docs/c%23/"), "{index}");
}
