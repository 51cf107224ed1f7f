//! Big catalogs stay browsable: long lists are split into pages.

use portolan_check::{CheckOptions, check};
use portolan_core::config::Config;
use portolan_core::source::MemorySource;
use portolan_site::{BuildOptions, render};

#[test]
fn the_checks_page_is_split_with_errors_first_and_counts_per_code() {
    // 1,200 components with an unknown owner (a warning each) and one with
    // an invalid name (an error), listed last.
    let mut docs: Vec<String> = (0..1200)
        .map(|i| format!("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: c-{i}\nspec:\n  type: service\n  lifecycle: production\n  owner: nobody\n"))
        .collect();
    docs.push("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: Not A Name\nspec:\n  type: service\n  lifecycle: production\n  owner: nobody\n".into());
    let source = MemorySource::new().with_file("catalog-info.yaml", docs.join("---\n"));
    let config = Config::default();
    let checked = check(&source, &config, &[], &CheckOptions::from_config(&config)).unwrap();
    let total = checked.diagnostics.len();
    assert!(total > 1200, "{total} findings");
    let output = render(&checked, &BuildOptions::new("test")).unwrap();
    let page = |path: &str| String::from_utf8(output.files[path].to_vec()).unwrap();

    let first = page("checks/index.html");
    let second = page("checks/_page2/index.html");
    let rows = |html: &str| html.matches("<tr><td><span class=\"badge").count();
    // Every finding is on exactly one page; the first has the count per
    // code.
    assert_eq!(rows(&first) + rows(&second), total);
    assert_eq!(rows(&first), 1000);
    assert!(first.contains("Findings by code"));
    assert!(!second.contains("Findings by code"));
    // Errors come first.
    let table = &first[first.find("Findings, errors first").unwrap()..];
    assert!(
        table.find("badge error").unwrap() < table.find("badge warning").unwrap(),
        "errors first"
    );
    assert!(first.contains("href=\"/checks/_page2/\""));
    assert_eq!(portolan_site::links::broken_links(&output, "/"), Vec::new());
}
