//! L013 `server-trailing-slash`: server URLs do not end with `/`.

use portolan_core::codes;

use super::servers;
use crate::Finding;
use crate::walk::Ctx;

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for server in servers(ctx) {
        let url = server.url.as_str();
        // `/` alone is the relative root, and `scheme://` has no path.
        if url.ends_with('/') && url != "/" && !url.ends_with("://") {
            out.push(
                Finding::new(
                    &codes::LINT_SERVER_TRAILING_SLASH,
                    server.url_pointer,
                    format!("server URL `{url}` ends with `/`"),
                )
                .with_help("remove the trailing `/`: paths start with one"),
            );
        }
    }
}
