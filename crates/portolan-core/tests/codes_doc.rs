//! `docs/codes.md` is generated from the code registry: this test fails
//! when it is stale, and rewrites it under `PORTOLAN_UPDATE_DOCS=1`.

use std::path::PathBuf;

#[test]
fn docs_codes_md_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/codes.md");
    let generated = portolan_core::codes::markdown_reference();
    if std::env::var_os("PORTOLAN_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let written = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        written == generated,
        "docs/codes.md is stale: rewrite it with PORTOLAN_UPDATE_DOCS=1 cargo test -p portolan-core --test codes_doc"
    );
    // Every code has its section, at the anchor SARIF links to.
    for code in portolan_core::codes::ALL {
        let heading = format!("\n## {} {}\n", code.code, code.name);
        assert!(written.contains(&heading), "{}", code.code);
        assert!(portolan_core::codes::help_uri(code).ends_with(&format!(
            "#{}-{}",
            code.code.to_ascii_lowercase(),
            code.name
        )));
    }
}
