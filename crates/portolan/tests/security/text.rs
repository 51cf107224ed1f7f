//! Findings 8 and 9 of issue 17: text a catalog's files put in front of a
//! terminal or a CI log, and control bytes in YAML.
//!
//! Every diagnostic quotes user values (entity names, references, paths).
//! Before the fix they were printed raw: a newline in a value started a
//! line of its own (a forged `::error` annotation in GitHub's log) and ESC
//! drove the terminal. A NUL byte ended the file for the YAML scanner, so
//! every document after it vanished with exit 0.

use crate::hostile::{self, Hostile, OWNER, Run};

/// A forged annotation on a line of its own, then "clear the screen", then
/// a right-to-left override that would flip the rest of the line.
const FORGED: &str = "\\n::error file=src/main.rs,line=1::forged by the catalog\\e[2J\\u202e";

/// One group and one component whose name and owner carry [`FORGED`]
/// (double-quoted YAML, so the escapes become real control characters).
/// It yields exactly two findings: E002 (the name) and E011 (the owner).
fn forging_catalog() -> Hostile {
    let hostile = Hostile::new();
    hostile.write(
        "root/catalog-info.yaml",
        format!(
            "{OWNER}---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: \"orders{FORGED}\"\nspec:\n  type: service\n  lifecycle: production\n  owner: \"team-a{FORGED}\"\n"
        ),
    );
    hostile
}

fn assert_no_control_output(run: &Run) {
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(!text.contains('\u{1b}'), "ESC on {stream}:\n{text}");
        assert!(
            !text.contains('\u{202e}'),
            "bidi override on {stream}:\n{text}"
        );
        assert!(!text.contains('\r'), "CR on {stream}:\n{text}");
    }
}

/// `--format concise` printed `metadata.name` raw: the newline in it put
/// `::error file=src/main.rs,line=1::forged` at the start of a line, which
/// GitHub Actions turns into an annotation on a file the PR never touched,
/// and `ESC[2J` cleared the terminal of whoever ran `check`.
#[test]
fn concise_output_cannot_forge_lines_or_send_escape_codes() {
    let hostile = forging_catalog();
    let run = hostile.run(&["check", "--format", "concise", "--color", "never"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_no_control_output(&run);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "one line per finding:\n{}", run.stdout);
    assert!(lines[0].starts_with("catalog-info.yaml:12:3: error[E002]"));
    assert!(lines[1].starts_with("catalog-info.yaml:16:10: warning[E011]"));
    // The value is still shown, made visible rather than dropped.
    assert!(
        lines[0].contains(
            r"orders\n::error file=src/main.rs,line=1::forged by the catalog\u{1b}[2J\u{202e}"
        ),
        "{}",
        lines[0]
    );
}

/// `--format github` escaped the newline (`%0A`) but passed ESC and the
/// bidi override through into the workflow log.
#[test]
fn github_output_is_one_annotation_per_finding_without_escape_codes() {
    let hostile = forging_catalog();
    let run = hostile.run(&["check", "--format", "github"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_no_control_output(&run);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "one annotation per finding:\n{}",
        run.stdout
    );
    assert!(lines[0].starts_with("::error file=catalog-info.yaml,line=12,"));
    assert!(lines[1].starts_with("::warning file=catalog-info.yaml,line=16,"));
    for line in &lines {
        // The only `::` that opens a command is the first one.
        assert_eq!(line.matches("\n").count(), 0);
        assert!(!line[2..].starts_with("::"));
    }
}

/// The human format (with its code frame) and the machine formats carry no
/// raw control characters either. JSON keeps the exact value, escaped.
#[test]
fn human_json_and_sarif_output_carry_no_raw_control_characters() {
    let hostile = forging_catalog();
    let human = hostile.run(&["check", "--color", "never"]);
    assert_eq!(human.code, 1);
    assert_no_control_output(&human);
    assert_eq!(human.stdout.matches("error[E002]").count(), 1);
    assert!(
        !human.stdout.lines().any(|l| l.starts_with("::")),
        "{}",
        human.stdout
    );
    for format in ["json", "sarif"] {
        let run = hostile.run(&["check", "--format", format]);
        assert_eq!(run.code, 1);
        assert_no_control_output(&run);
        let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let text = doc.to_string();
        assert!(text.contains("orders\\n::error"), "{format}: {text}");
        assert!(
            doc.to_string().contains('\u{202e}'),
            "{format}: the exact value survives JSON escaping"
        );
    }
}

/// A file name is user input too: a `$text` substitution naming a missing
/// file whose name carries a newline and ESC is reported with the name
/// made visible.
#[test]
fn paths_in_messages_are_escaped() {
    let hostile = Hostile::new();
    hostile.write(
        "root/catalog-info.yaml",
        format!(
            "{OWNER}---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: orders\n  description:\n    $text: \"./x\\n::error::forged\\e[31m.md\"\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
        ),
    );
    let run = hostile.run(&["check", "--format", "concise"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_no_control_output(&run);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(run.stdout.contains("F001"), "{}", run.stdout);
}

const BROKEN_COMPONENT: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: bad name\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n";

/// A NUL in a plain scalar ended the YAML stream: the document after it
/// (with an invalid name) was never read and `check` exited 0.
#[test]
fn nul_byte_does_not_hide_the_documents_after_it() {
    let hostile = Hostile::new();
    hostile.write(
        "root/catalog-info.yaml",
        format!("{OWNER}---\nfoo: a\0b\n---\n{BROKEN_COMPONENT}"),
    );
    let run = hostile.run(&["check", "--format", "concise"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert!(
        lines[0].starts_with("catalog-info.yaml:9:7: error[Y010]"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("U+0000"), "{}", lines[0]);
    assert!(lines[1].starts_with("catalog-info.yaml:14:3: error[E002]"));
}

/// A NUL as the first byte made the whole file empty: "checked 0 entities",
/// exit 0.
#[test]
fn nul_byte_at_the_start_is_reported_not_an_empty_file() {
    let hostile = Hostile::new();
    hostile.write(
        "root/catalog-info.yaml",
        format!("\0{}", hostile::component("orders")),
    );
    hostile.write(
        "root/b/catalog-info.yaml",
        format!("{OWNER}---\n{BROKEN_COMPONENT}"),
    );
    let run = hostile.run(&["check", "--format", "concise"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    // The rest of the catalog is checked.
    assert!(lines[0].starts_with("b/catalog-info.yaml:12:3: error[E002]"));
    assert!(
        lines[1].starts_with("catalog-info.yaml:1:1: error[Y010]"),
        "{}",
        lines[1]
    );
}

/// Other C0 controls (here BEL and ESC inside a quoted string) are not
/// YAML either, and DEL in a plain scalar is allowed only in quoted ones.
#[test]
fn other_control_characters_in_yaml_are_reported_with_their_position() {
    let hostile = Hostile::new();
    hostile.write(
        "root/catalog-info.yaml",
        format!(
            "{OWNER}---\n{}  description: \"ring\x07 \x1b[2J\"\n---\n{}  title: a\x7fb\n",
            BROKEN_COMPONENT.replace("bad name", "one"),
            BROKEN_COMPONENT.replace("bad name", "two"),
        ),
    );
    let run = hostile.run(&["check", "--format", "concise"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_no_control_output(&run);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert!(
        lines[0].starts_with("catalog-info.yaml:17:21: error[Y010]"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("U+0007"), "{}", lines[0]);
    assert!(
        lines[1].starts_with("catalog-info.yaml:27:11: error[Y010]"),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains("U+007F"), "{}", lines[1]);
}

/// JSON inputs: an API definition in a `.json` file goes through the YAML
/// reader (the same finding); a `$json` substitution through a JSON parser,
/// which refuses raw control characters in strings (F004 at the byte).
#[test]
fn nul_bytes_in_json_inputs_are_reported() {
    let hostile = Hostile::new();
    hostile.write(
        "root/catalog-info.yaml",
        format!(
            "{OWNER}---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: orders-api\n  annotations:\n    extra: {{ $json: ./extra.json }}\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ./openapi.json\n"
        ),
    );
    hostile.write("root/extra.json", "{\"a\": \"x\0y\"}\n");
    hostile.write(
        "root/openapi.json",
        "{\n  \"openapi\": \"3.0.3\",\n  \"info\": {\"title\": \"t\0\", \"version\": \"1\"},\n  \"paths\": {}\n}\n",
    );
    let run = hostile.run(&["check", "--format", "concise"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_no_control_output(&run);
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("extra.json:1:") && l.contains("error[F004]")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("openapi.json:3:23: error[Y010]")),
        "{}",
        run.stdout
    );
}
