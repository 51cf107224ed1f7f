//! Code samples for an operation: one request, written for curl,
//! JavaScript (`fetch`), Python (`requests`) and Go (`net/http`).
//!
//! Everything in a sample that comes from the definition is written as a
//! string literal of the sample's language (a reader copies these into a
//! shell or a program, and the definition is untrusted): the URL, header
//! values and the body. Header *names* are tokens, so only those made of
//! `[A-Za-z0-9_.-]` are written at all. Credentials are placeholders
//! (`<TOKEN>`), never environment expansions.

use std::fmt::Write as _;

use portolan_apis::model::{ApiModel, Operation};
use serde_json::Value as Json;

/// One sample: (label, language token for the switch, source).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Sample {
    pub label: &'static str,
    pub lang: &'static str,
    pub source: String,
}

/// A request body as the samples send it.
pub enum Body<'a> {
    /// JSON (`application/json` and `+json` media types).
    Json(&'a Json),
    /// `application/x-www-form-urlencoded`: the example flattened into
    /// `key[sub]=value` pairs, as form encoders of Rails, PHP and Stripe do.
    Form(&'a Json),
    /// Any other media type: the example as text.
    Text(String),
}

/// The request the samples make.
pub struct Request<'a> {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub content_type: Option<String>,
    pub body: Option<Body<'a>>,
}

/// Whether `name` can be written as a header name in every sample.
fn plain_header_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The URL of an operation against the first server (its variables at
/// their defaults), with required query parameters and API keys that go in
/// the query; and the headers its credentials and required header
/// parameters need.
pub fn request<'a>(
    model: &ApiModel,
    op: &Operation,
    content_type: Option<&str>,
    body: Option<Body<'a>>,
) -> Request<'a> {
    let server = model
        .servers
        .first()
        .map(|s| {
            let mut url = s.url.clone();
            for (name, variable) in &s.variables {
                if let Some(default) = &variable.default {
                    url = url.replace(&format!("{{{name}}}"), default);
                }
            }
            url
        })
        .unwrap_or_default();
    let mut url = format!("{}{}", server.trim_end_matches('/'), op.path);
    let mut query: Vec<(String, String)> = Vec::new();
    let mut headers: Vec<(String, String)> = Vec::new();
    // Credentials of the first alternative the operation accepts.
    let alternative = op
        .security
        .as_ref()
        .unwrap_or(&model.security)
        .first()
        .cloned()
        .unwrap_or_default();
    for name in &alternative {
        let Some(scheme) = model.security_schemes.iter().find(|s| &s.name == name) else {
            continue;
        };
        let detail = |key: &str| scheme.details.get(key).and_then(Json::as_str);
        match scheme.scheme_type.as_str() {
            "http" if detail("scheme").is_some_and(|s| s.eq_ignore_ascii_case("basic")) => {
                headers.push(("Authorization".into(), "Basic <CREDENTIALS>".into()))
            }
            "basic" => headers.push(("Authorization".into(), "Basic <CREDENTIALS>".into())),
            "http" | "oauth2" | "openIdConnect" => {
                headers.push(("Authorization".into(), "Bearer <TOKEN>".into()))
            }
            "apiKey" => {
                let key = detail("name").unwrap_or("api_key").to_string();
                match detail("in") {
                    Some("query") => query.push((key, "<API_KEY>".into())),
                    Some("cookie") => headers.push(("Cookie".into(), format!("{key}=<API_KEY>"))),
                    _ => headers.push((key, "<API_KEY>".into())),
                }
            }
            _ => {}
        }
    }
    for p in op.parameters.iter().filter(|p| p.required) {
        let value = p
            .example
            .clone()
            .or_else(|| p.schema.as_ref().and_then(|s| s.examples.first().cloned()))
            .or_else(|| p.schema.as_ref().and_then(|s| s.default.clone()))
            .or_else(|| {
                p.schema
                    .as_ref()
                    .and_then(|s| s.enum_values.first().cloned())
            });
        let text = value.as_ref().map(scalar_text);
        match p.location.as_str() {
            "query" => query.push((
                p.name.clone(),
                text.unwrap_or_else(|| format!("<{}>", p.name)),
            )),
            "header" => headers.push((p.name.clone(), text.unwrap_or_else(|| "…".into()))),
            "path" => {
                if let Some(text) = text {
                    url = url.replace(&format!("{{{}}}", p.name), &percent_encode(&text));
                }
            }
            _ => {}
        }
    }
    if !query.is_empty() {
        url.push(if url.contains('?') { '&' } else { '?' });
        let pairs: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
            .collect();
        url.push_str(&pairs.join("&"));
    }
    headers.retain(|(name, _)| plain_header_name(name));
    Request {
        method: op.method.to_ascii_uppercase(),
        url,
        headers,
        content_type: content_type.map(str::to_string),
        body,
    }
}

/// A scalar as query or header text; structures as JSON.
fn scalar_text(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Percent-encoding of a query component or a path segment: unreserved
/// characters as they are, and `<` `>` so that placeholders (`<API_KEY>`)
/// stay readable.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else if matches!(b, b'<' | b'>') {
            // Our placeholders (`<API_KEY>`) stay readable in samples.
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `key[sub]=value` pairs of a form body (top-level order kept).
fn form_pairs(value: &Json) -> Vec<(String, String)> {
    fn walk(prefix: &str, value: &Json, out: &mut Vec<(String, String)>) {
        match value {
            Json::Object(map) => {
                for (k, v) in map {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}[{k}]")
                    };
                    walk(&key, v, out);
                }
            }
            Json::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(&format!("{prefix}[{i}]"), v, out);
                }
            }
            Json::Null => out.push((prefix.to_string(), String::new())),
            other => out.push((prefix.to_string(), scalar_text(other))),
        }
    }
    // A form body is an object: a scalar has no names to send.
    let mut out = Vec::new();
    if value.is_object() {
        walk("", value, &mut out);
    }
    out
}

fn form_encoded(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A shell word in single quotes.
fn shell(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// A string literal of JavaScript, Python and Go alike (JSON's).
fn literal(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

fn pretty(value: &Json) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// All four samples of `request`.
pub fn samples(request: &Request<'_>) -> Vec<Sample> {
    vec![
        Sample {
            label: "curl",
            lang: "curl",
            source: curl(request),
        },
        Sample {
            label: "JavaScript",
            lang: "javascript",
            source: javascript(request),
        },
        Sample {
            label: "Python",
            lang: "python",
            source: python(request),
        },
        Sample {
            label: "Go",
            lang: "go",
            source: go(request),
        },
    ]
}

fn curl(r: &Request<'_>) -> String {
    let mut cmd = String::from("curl");
    if r.url.contains(['{', '}', '[', ']']) {
        // A path template's `{id}` is not a glob.
        cmd.push_str(" --globoff");
    }
    if r.method != "GET" {
        let _ = write!(cmd, " -X {}", r.method);
    }
    let _ = write!(cmd, " {}", shell(&r.url));
    for (name, value) in &r.headers {
        let _ = write!(cmd, " \\\n  -H {}", shell(&format!("{name}: {value}")));
    }
    if let Some(ct) = &r.content_type
        && r.body.is_some()
        && !matches!(r.body, Some(Body::Form(_)))
    {
        let _ = write!(cmd, " \\\n  -H {}", shell(&format!("Content-Type: {ct}")));
    }
    match &r.body {
        Some(Body::Json(value)) => {
            let _ = write!(cmd, " \\\n  -d {}", shell(&pretty(value)));
        }
        Some(Body::Form(value)) => {
            for (k, v) in form_pairs(value) {
                let _ = write!(
                    cmd,
                    " \\\n  -d {}",
                    shell(&format!("{}={}", percent_encode(&k), percent_encode(&v)))
                );
            }
        }
        Some(Body::Text(text)) => {
            let _ = write!(cmd, " \\\n  --data-binary {}", shell(text));
        }
        None => {}
    }
    cmd
}

fn javascript(r: &Request<'_>) -> String {
    let mut headers: Vec<(String, String)> = r.headers.clone();
    if let (Some(ct), Some(_)) = (&r.content_type, &r.body) {
        headers.push(("Content-Type".into(), ct.clone()));
    }
    let mut out = format!("const response = await fetch({}, {{\n", literal(&r.url));
    let _ = writeln!(out, "  method: {},", literal(&r.method));
    if !headers.is_empty() {
        out.push_str("  headers: {\n");
        for (name, value) in &headers {
            let _ = writeln!(out, "    {}: {},", literal(name), literal(value));
        }
        out.push_str("  },\n");
    }
    match &r.body {
        Some(Body::Json(value)) => {
            let body = pretty(value).replace('\n', "\n  ");
            let _ = writeln!(out, "  body: JSON.stringify({body}),");
        }
        Some(Body::Form(value)) => {
            let _ = writeln!(
                out,
                "  body: new URLSearchParams({}),",
                literal(&form_encoded(&form_pairs(value)))
            );
        }
        Some(Body::Text(text)) => {
            let _ = writeln!(out, "  body: {},", literal(text));
        }
        None => {}
    }
    out.push_str("});\nconsole.log(response.status, await response.text());");
    out
}

/// A JSON value as a Python expression.
fn python_value(value: &Json, indent: usize, out: &mut String) {
    let pad = "    ".repeat(indent + 1);
    let end = "    ".repeat(indent);
    match value {
        Json::Null => out.push_str("None"),
        Json::Bool(true) => out.push_str("True"),
        Json::Bool(false) => out.push_str("False"),
        Json::Number(n) => out.push_str(&n.to_string()),
        Json::String(s) => out.push_str(&literal(s)),
        Json::Array(items) if items.is_empty() => out.push_str("[]"),
        Json::Array(items) => {
            out.push_str("[\n");
            for item in items {
                out.push_str(&pad);
                python_value(item, indent + 1, out);
                out.push_str(",\n");
            }
            out.push_str(&end);
            out.push(']');
        }
        Json::Object(map) if map.is_empty() => out.push_str("{}"),
        Json::Object(map) => {
            out.push_str("{\n");
            for (k, v) in map {
                out.push_str(&pad);
                out.push_str(&literal(k));
                out.push_str(": ");
                python_value(v, indent + 1, out);
                out.push_str(",\n");
            }
            out.push_str(&end);
            out.push('}');
        }
    }
}

fn python(r: &Request<'_>) -> String {
    let mut out = String::from("import requests\n\n");
    let mut args = vec![literal(&r.url)];
    let mut headers = r.headers.clone();
    match &r.body {
        Some(Body::Json(value)) => {
            let mut body = String::new();
            python_value(value, 1, &mut body);
            args.push(format!("json={body}"));
        }
        Some(Body::Form(value)) => {
            let mut pairs = String::from("{\n");
            for (k, v) in form_pairs(value) {
                let _ = writeln!(pairs, "        {}: {},", literal(&k), literal(&v));
            }
            pairs.push_str("    }");
            args.push(format!("data={pairs}"));
        }
        Some(Body::Text(text)) => {
            if let Some(ct) = &r.content_type {
                headers.push(("Content-Type".into(), ct.clone()));
            }
            args.push(format!("data={}", literal(text)));
        }
        None => {}
    }
    if !headers.is_empty() {
        let mut map = String::from("{\n");
        for (name, value) in &headers {
            let _ = writeln!(map, "        {}: {},", literal(name), literal(value));
        }
        map.push_str("    }");
        args.push(format!("headers={map}"));
    }
    let method = r.method.to_ascii_lowercase();
    let call = if matches!(
        method.as_str(),
        "get" | "post" | "put" | "patch" | "delete" | "head" | "options"
    ) {
        format!("requests.{method}(")
    } else {
        format!("requests.request({}, ", literal(&r.method))
    };
    let _ = write!(out, "response = {call}\n    {},\n)\n", args.join(",\n    "));
    out.push_str("print(response.status_code, response.text)");
    out
}

/// A Go string literal: raw when it can be, interpreted otherwise.
fn go_string(text: &str) -> String {
    if text.contains('`') || text.contains('\r') {
        literal(text)
    } else {
        format!("`{text}`")
    }
}

fn go(r: &Request<'_>) -> String {
    let body = match &r.body {
        Some(Body::Json(value)) => Some(pretty(value)),
        Some(Body::Form(value)) => Some(form_encoded(&form_pairs(value))),
        Some(Body::Text(text)) => Some(text.clone()),
        None => None,
    };
    let mut out = String::from("package main\n\nimport (\n\t\"fmt\"\n\t\"io\"\n\t\"net/http\"\n");
    if body.is_some() {
        out.push_str("\t\"strings\"\n");
    }
    out.push_str(")\n\nfunc main() {\n");
    match &body {
        Some(body) => {
            let _ = writeln!(out, "\tbody := strings.NewReader({})", go_string(body));
            let _ = writeln!(
                out,
                "\treq, err := http.NewRequest({}, {}, body)",
                literal(&r.method),
                literal(&r.url)
            );
        }
        None => {
            let _ = writeln!(
                out,
                "\treq, err := http.NewRequest({}, {}, nil)",
                literal(&r.method),
                literal(&r.url)
            );
        }
    }
    out.push_str("\tif err != nil {\n\t\tpanic(err)\n\t}\n");
    for (name, value) in &r.headers {
        let _ = writeln!(
            out,
            "\treq.Header.Set({}, {})",
            literal(name),
            literal(value)
        );
    }
    if let (Some(ct), Some(_)) = (&r.content_type, &body) {
        let _ = writeln!(out, "\treq.Header.Set(\"Content-Type\", {})", literal(ct));
    }
    out.push_str(
        "\tresp, err := http.DefaultClient.Do(req)\n\tif err != nil {\n\t\tpanic(err)\n\t}\n\tdefer resp.Body.Close()\n\tout, _ := io.ReadAll(resp.Body)\n\tfmt.Println(resp.Status, string(out))\n}",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn post_json(body: &Json) -> Request<'_> {
        Request {
            method: "POST".into(),
            url: "https://api.example.com/v1/pets/{petId}".into(),
            headers: vec![("Authorization".into(), "Bearer <TOKEN>".into())],
            content_type: Some("application/json".into()),
            body: Some(Body::Json(body)),
        }
    }

    #[test]
    fn each_language_gets_the_method_url_headers_and_body() {
        let body = json!({"name": "Rex", "tags": ["good"], "vaccinated": true, "owner": null});
        let all = samples(&post_json(&body));
        let langs: Vec<&str> = all.iter().map(|s| s.lang).collect();
        assert_eq!(langs, ["curl", "javascript", "python", "go"]);
        let curl = &all[0].source;
        assert!(
            curl.starts_with("curl --globoff -X POST 'https://api.example.com/v1/pets/{petId}'"),
            "{curl}"
        );
        assert!(
            curl.contains("-H 'Authorization: Bearer <TOKEN>'"),
            "{curl}"
        );
        assert!(
            curl.contains("-H 'Content-Type: application/json'"),
            "{curl}"
        );
        assert!(curl.contains("\"vaccinated\": true"), "{curl}");
        let js = &all[1].source;
        assert!(js.contains("method: \"POST\""), "{js}");
        assert!(js.contains("body: JSON.stringify({"), "{js}");
        let py = &all[2].source;
        assert!(py.contains("requests.post("), "{py}");
        assert!(py.contains("\"vaccinated\": True"), "{py}");
        assert!(py.contains("\"owner\": None"), "{py}");
        let go = &all[3].source;
        assert!(
            go.contains(
                "http.NewRequest(\"POST\", \"https://api.example.com/v1/pets/{petId}\", body)"
            ),
            "{go}"
        );
        assert!(go.contains("\"strings\""), "{go}");
    }

    #[test]
    fn hostile_text_stays_inside_its_literal() {
        let body = json!({"note": "it's `$(rm -rf ~)` \"quoted\"\n"});
        let mut r = post_json(&body);
        r.url = "https://x.example/a'b".into();
        let all = samples(&r);
        let curl = &all[0].source;
        // The quote closes and reopens: the shell sees one word.
        assert!(curl.contains("'https://x.example/a'\\''b'"), "{curl}");
        assert!(curl.contains("it'\\''s"), "{curl}");
        // Go falls back to an interpreted literal when a backtick is there.
        let go = &all[3].source;
        assert!(!go.contains("strings.NewReader(`"), "{go}");
        // The body's JSON escapes, escaped again for Go's literal.
        assert!(go.contains(r#"\\\"quoted\\\""#), "{go}");
    }

    #[test]
    fn form_bodies_are_flattened_with_brackets() {
        let body = json!({"amount": 2000, "metadata": {"order": "6735"}, "expand": ["customer"]});
        let r = Request {
            method: "POST".into(),
            url: "https://api.stripe.com/v1/charges".into(),
            headers: vec![],
            content_type: Some("application/x-www-form-urlencoded".into()),
            body: Some(Body::Form(&body)),
        };
        let all = samples(&r);
        let curl = &all[0].source;
        assert!(curl.contains("-d 'amount=2000'"), "{curl}");
        assert!(curl.contains("-d 'metadata%5Border%5D=6735'"), "{curl}");
        assert!(curl.contains("-d 'expand%5B0%5D=customer'"), "{curl}");
        let py = &all[2].source;
        assert!(py.contains("\"metadata[order]\": \"6735\""), "{py}");
    }

    #[test]
    fn header_names_that_are_not_plain_tokens_are_left_out() {
        assert!(plain_header_name("X-Api-Key"));
        assert!(!plain_header_name("X$(id)"));
        assert!(!plain_header_name("a b"));
        assert!(!plain_header_name(""));
    }
}
