//! The catalog explorer's filters as pages: one per kind, type, owner,
//! lifecycle, tag and system value, each listing exactly the entities that
//! have it, with working links.

use portolan_check::{CheckOptions, check};
use portolan_core::config::Config;
use portolan_core::source::MemorySource;
use portolan_site::{BuildOptions, render};

fn component(name: &str, owner: &str, lifecycle: &str, tags: &str, system: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  tags: [{tags}]\nspec:\n  type: service\n  lifecycle: {lifecycle}\n  owner: {owner}\n  system: {system}\n"
    )
}

/// The entity names in the first table of a page.
fn names_in_table(html: &str) -> Vec<String> {
    let body = &html[html.find("<tbody>").expect("a table")..];
    let body = &body[..body.find("</tbody>").unwrap()];
    // Rows carry attributes (`<tr data-owner=...>`): each row's first cell
    // links to its entity.
    body.split("<tr")
        .skip(1)
        .map(|row| {
            let cell = &row[row.find("<td><a href=\"").unwrap()..];
            let link = &cell[cell.find("\">").unwrap() + 2..];
            link[..link.find('<').unwrap()].to_string()
        })
        .collect()
}

#[test]
fn every_filter_value_has_a_page_with_exactly_its_entities() {
    let group = |name: &str| {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: {name}\nspec:\n  type: team\n  children: []\n"
        )
    };
    let system = "apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: shop\nspec:\n  owner: team-a\n";
    let descriptor = [
        group("team-a"),
        group("team-b"),
        system.to_string(),
        component("orders", "team-a", "production", "java, payments", "shop"),
        component("billing", "team-b", "experimental", "payments", "shop"),
        component("search", "team-a", "production", "rust", "shop"),
    ]
    .join("---\n");
    let source = MemorySource::new().with_file("catalog-info.yaml", descriptor);
    let config = Config::default();
    let checked = check(&source, &config, &[], &CheckOptions::from_config(&config)).unwrap();
    let output = render(&checked, &BuildOptions::new("test")).unwrap();
    let page = |path: &str| {
        String::from_utf8(
            output
                .files
                .get(path)
                .unwrap_or_else(|| panic!("{path} is missing"))
                .to_vec(),
        )
        .unwrap()
    };

    let cases = [
        (
            "catalog/_by/owner/group.default.team-a/index.html",
            vec!["orders", "search", "shop"],
        ),
        (
            "catalog/_by/owner/group.default.team-b/index.html",
            vec!["billing"],
        ),
        (
            "catalog/_by/lifecycle/production/index.html",
            vec!["orders", "search"],
        ),
        (
            "catalog/_by/lifecycle/experimental/index.html",
            vec!["billing"],
        ),
        (
            "catalog/_by/tag/payments/index.html",
            vec!["orders", "billing"],
        ),
        ("catalog/_by/tag/rust/index.html", vec!["search"]),
        (
            "catalog/_by/system/system.default.shop/index.html",
            vec!["orders", "billing", "search"],
        ),
        ("catalog/_by/type/team/index.html", vec!["team-a", "team-b"]),
        (
            "catalog/component/index.html",
            vec!["orders", "billing", "search"],
        ),
    ];
    for (path, expected) in cases {
        let mut got = names_in_table(&page(path));
        let mut expected: Vec<String> = expected.into_iter().map(String::from).collect();
        got.sort();
        expected.sort();
        assert_eq!(got, expected, "{path}");
    }

    // The facet index lists values with counts, linking to their pages.
    let owners = page("catalog/_by/owner/index.html");
    assert!(
        owners.contains("catalog/_by/owner/group.default.team-a/\">team-a</a></td><td>3</td>"),
        "{owners}"
    );
    // Table cells link to the filter pages, and every link lands.
    let all = page("catalog/index.html");
    assert!(all.contains("catalog/_by/tag/rust/"), "{all}");
    // The sidebar counts each value among the table's rows: everything
    // for the whole catalog, only the lifecycle's rows on its page.
    assert!(
        all.contains(
            "catalog/_by/owner/group.default.team-a/\"><span class=\"visually-hidden\">owner </span>team-a</a> <span class=\"count\">3</span>"
        ),
        "{all}"
    );
    let production = page("catalog/_by/lifecycle/production/index.html");
    let sidebar =
        &production[production.find("<aside").unwrap()..production.find("</aside>").unwrap()];
    assert!(
        sidebar.contains(
            "catalog/_by/owner/group.default.team-a/\"><span class=\"visually-hidden\">owner </span>team-a</a> <span class=\"count\">2</span>"
        ),
        "{sidebar}"
    );
    assert!(!sidebar.contains("group.default.team-b/"), "{sidebar}");
    assert!(
        sidebar.contains("catalog/_by/lifecycle/production/\" aria-current=\"page\"><span class=\"visually-hidden\">lifecycle </span>production</a> <span class=\"count\">2</span>"),
        "{sidebar}"
    );
    assert!(all.contains("catalog/_by/lifecycle/experimental/"));
    assert_eq!(portolan_site::links::broken_links(&output, "/"), Vec::new());
}

#[test]
fn a_group_owning_hundreds_of_entities_links_to_filters_instead_of_listing_them() {
    let mut docs = vec![
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: org\nspec:\n  type: organization\n  children: [team-a, team-b]\n".to_string(),
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n".to_string(),
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-b\nspec:\n  type: team\n  children: []\n".to_string(),
    ];
    for i in 0..240 {
        docs.push(component(
            &format!("a-{i}"),
            "team-a",
            "production",
            "x",
            "none",
        ));
    }
    for i in 0..20 {
        docs.push(component(
            &format!("b-{i}"),
            "team-b",
            "production",
            "x",
            "none",
        ));
    }
    let source = MemorySource::new().with_file("catalog-info.yaml", docs.join("---\n"));
    let config = Config::default();
    let checked = check(&source, &config, &[], &CheckOptions::from_config(&config)).unwrap();
    let output = render(&checked, &BuildOptions::new("test")).unwrap();
    let page = |path: &str| String::from_utf8(output.files[path].to_vec()).unwrap();

    // The organisation owns 260 through its teams: counts and filter links.
    let org = page("catalog/group/default/org/index.html");
    assert!(
        org.contains("260 entities (260 Component), owned by these groups"),
        "{org}"
    );
    assert!(org.contains("href=\"/catalog/_by/owner/group.default.team-a/\""));
    assert!(org.contains("<td>240</td>"));
    assert!(
        !org.contains(">a-17<"),
        "no full list on the organisation's page"
    );
    // A team under the limit lists everything it owns.
    let team = page("catalog/group/default/team-b/index.html");
    assert!(team.contains(">b-17<"), "{team}");
    assert_eq!(portolan_site::links::broken_links(&output, "/"), Vec::new());
}
