//! A009 `invalid-response-code`: response keys are HTTP status codes.
//!
//! **What it checks.** Each key of an OpenAPI operation's `responses` is
//! `default`, a specification extension (`x-...`), a status code from
//! `100` to `599`, or, in OpenAPI 3.x, a range `1XX` to `5XX` (upper-case
//! `X`, as the specification writes it; Swagger 2.0 has no ranges).
//!
//! **Why.** [OpenAPI 3.1 §4.8.16][responses] allows only these; HTTP status
//! codes are three digits from 100 to 599 ([RFC 9110 §15][rfc]). Anything
//! else (`200 OK`, `20`, `2xx`, `600`) is a typo that tools either reject
//! or silently ignore, dropping the response from generated clients and
//! documentation.
//!
//! **Example.**
//!
//! ```yaml
//! responses:
//!   '200': { description: ok }
//!   '2xx': { description: other success }   # A009: ranges use upper-case X
//! ```
//!
//! [responses]: https://spec.openapis.org/oas/v3.1.0#patterned-fields-0
//! [rfc]: https://www.rfc-editor.org/rfc/rfc9110#section-15

use portolan_core::codes;

use super::Finding;
use super::document::{Document, is_extension};
use super::operations::openapi_operations;
use crate::detect::SpecFormat;

pub(crate) fn check(format: SpecFormat, doc: &Document<'_>, out: &mut Vec<Finding>) {
    if !format.is_openapi() {
        return;
    }
    let ranges = format != SpecFormat::OpenApi20;
    for operation in openapi_operations(format, doc) {
        let Some(responses) = operation.location.member("responses") else {
            continue;
        };
        for (key, response) in responses.members() {
            if key == "default" || is_extension(key) || is_status_code(key, ranges) {
                continue;
            }
            let help = if ranges {
                "use a status code from `100` to `599`, a range from `1XX` to `5XX`, or `default`"
            } else {
                "use a status code from `100` to `599` or `default` (Swagger 2.0 has no ranges such as `2XX`)"
            };
            out.push(
                Finding::new(
                    &codes::INVALID_RESPONSE_CODE,
                    response.pointer,
                    format!(
                        "response key `{key}` of {} is not an HTTP status code",
                        operation.label
                    ),
                )
                .with_help(help),
            );
        }
    }
}

/// `100`-`599`, or with `ranges` also `1XX`-`5XX`.
fn is_status_code(key: &str, ranges: bool) -> bool {
    match key.as_bytes() {
        [b'1'..=b'5', b'X', b'X'] => ranges,
        [b'1'..=b'5', tens, units] => tens.is_ascii_digit() && units.is_ascii_digit(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_status_code;

    #[test]
    fn status_codes_and_ranges() {
        for good in ["100", "200", "599", "2XX", "5XX"] {
            assert!(is_status_code(good, true), "{good}");
        }
        for bad in [
            "099", "600", "20", "2000", "2xx", "6XX", "X00", " 200", "200 OK",
        ] {
            assert!(!is_status_code(bad, true), "{bad}");
        }
        assert!(!is_status_code("2XX", false));
    }
}
