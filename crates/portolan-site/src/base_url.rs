//! The site's base URL: the prefix every link of the portal starts with.
//! It comes from `--base-url` or `base_url` under `[site]` in a
//! repository's portolan.toml, which is untrusted (issue 17).

/// `/docs`, `docs/`, `https://x.example/portal` → a prefix ending in `/`.
/// A URL of any scheme but http(s) (`javascript://%0a...`) is refused, and
/// so is a path that names another host (`//host/`) as a browser reads
/// it. The error is the message to show.
pub fn normalize_base_url(base: &str) -> Result<String, String> {
    let base = base.trim();
    // Browsers drop tabs and newlines anywhere in a URL (WHATWG URL
    // parsing), so `/<TAB>/host` reads as `//host`; no control character
    // belongs in a base URL.
    if base.chars().any(char::is_control) {
        return Err(format!(
            "base URL `{}` holds a control character",
            base.escape_debug()
        ));
    }
    let mut out = if base.contains("://") {
        let scheme = base.split("://").next().unwrap_or_default();
        if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
            return Err(format!(
                "base URL `{}` is neither a path (`/docs/`) nor an http or https URL",
                base.escape_debug()
            ));
        }
        base.to_string()
    } else if base.starts_with('/') {
        base.to_string()
    } else {
        format!("/{base}")
    };
    // `//host/`, and `/\host/` (browsers read `\` as `/` in http URLs),
    // is another site: every link of the portal would lead there. Checked
    // after the leading `/` is added, so `\host` is caught too.
    if out.starts_with("//") || out.starts_with("/\\") {
        return Err(format!(
            "base URL `{}` names another host without a scheme; use a path (`/docs/`) or an http or https URL",
            base.escape_debug()
        ));
    }
    if !out.ends_with('/') {
        out.push('/');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_http_urls_become_prefixes() {
        assert_eq!(normalize_base_url("docs").unwrap(), "/docs/");
        assert_eq!(normalize_base_url(" /docs/ ").unwrap(), "/docs/");
        assert_eq!(normalize_base_url("/").unwrap(), "/");
        assert_eq!(
            normalize_base_url("https://x.example/portal").unwrap(),
            "https://x.example/portal/"
        );
    }

    #[test]
    fn other_schemes_and_hosts_are_refused() {
        for base in ["javascript://%0aalert(1)", "//evil.test/", "/\\evil.test/"] {
            assert!(normalize_base_url(base).is_err(), "{base:?}");
        }
    }

    /// Found by fuzzing (fuzz/regressions/path_confine/base-url-*): `\host`
    /// got its leading `/` after the check for `/\`, and browsers drop tabs
    /// and newlines from URLs, so `/<TAB>/host` is `//host`. Either way
    /// every link of the portal led to another host.
    #[test]
    fn regression_hosts_hidden_by_a_backslash_or_a_control_character() {
        for base in [
            "\\evil.test/",
            "\\\\evil.test/x",
            "/\t/evil.test/",
            "/\n/evil.test/",
            "/\r\\evil.test/",
            "docs\u{0}x",
        ] {
            assert!(
                normalize_base_url(base).is_err(),
                "{base:?} gave {:?}",
                normalize_base_url(base)
            );
        }
    }
}
