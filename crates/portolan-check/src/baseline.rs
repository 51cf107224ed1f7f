//! The lint baseline: design-lint findings a team accepted when it adopted
//! the lint, by fingerprint (rule, file, JSON pointer: stable when lines
//! move), with how many of each. Findings listed are not reported; new
//! ones are. Only `L` findings are ever baselined: validity and safety
//! findings cannot be hidden this way.

use std::collections::BTreeMap;

use portolan_core::diagnostic::Diagnostic;

/// The key that marks a baseline file (and its format's version).
pub const MARKER: &str = "portolanLintBaseline";

/// Where `--write-baseline` writes when `[lint] baseline` is not set.
pub const DEFAULT_PATH: &str = "lint-baseline.json";

/// Fingerprint → how many findings have it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    pub entries: BTreeMap<String, usize>,
}

/// What applying a baseline did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub path: String,
    /// Findings not reported because the baseline lists them.
    pub suppressed: usize,
    /// Baseline entries no finding matched any more (fixed since).
    pub stale: usize,
}

fn baselined(d: &Diagnostic) -> Option<&str> {
    if d.code.starts_with('L') || d.code == portolan_core::codes::CUSTOM_RULE.code {
        d.fingerprint.as_deref()
    } else {
        None
    }
}

impl Baseline {
    /// The baseline of these findings.
    pub fn of(diagnostics: &[Diagnostic]) -> Baseline {
        let mut entries = BTreeMap::new();
        for fingerprint in diagnostics.iter().filter_map(baselined) {
            *entries.entry(fingerprint.to_string()).or_insert(0) += 1;
        }
        Baseline { entries }
    }

    /// Parse a baseline file; the error says what is wrong.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("it is not JSON: {e}"))?;
        if value.get(MARKER).and_then(serde_json::Value::as_u64) != Some(1) {
            return Err(format!("it has no `\"{MARKER}\": 1`"));
        }
        let Some(findings) = value.get("findings").and_then(serde_json::Value::as_object) else {
            return Err("its `findings` is not an object".into());
        };
        let mut entries = BTreeMap::new();
        for (fingerprint, count) in findings {
            let Some(count) = count.as_u64().filter(|&c| c > 0) else {
                return Err(format!(
                    "the count of `{fingerprint}` is not a positive number"
                ));
            };
            entries.insert(
                fingerprint.clone(),
                usize::try_from(count).unwrap_or(usize::MAX),
            );
        }
        Ok(Baseline { entries })
    }

    /// The file's text: sorted, one finding per line, so a change to the
    /// baseline reads well in a pull request.
    pub fn render(&self) -> String {
        let mut out = format!("{{\n  \"{MARKER}\": 1,\n  \"findings\": {{");
        for (i, (fingerprint, count)) in self.entries.iter().enumerate() {
            let key = serde_json::to_string(fingerprint).unwrap_or_default();
            out.push_str(if i == 0 { "\n" } else { ",\n" });
            out.push_str(&format!("    {key}: {count}"));
        }
        out.push_str(if self.entries.is_empty() {
            "}\n}\n"
        } else {
            "\n  }\n}\n"
        });
        out
    }

    /// Drop the findings the baseline lists (as many of each as it counts).
    pub fn apply(&self, diagnostics: &mut Vec<Diagnostic>, path: &str) -> Applied {
        let mut left = self.entries.clone();
        let before = diagnostics.len();
        diagnostics.retain(|d| match baselined(d).and_then(|f| left.get_mut(f)) {
            Some(count) if *count > 0 => {
                *count -= 1;
                false
            }
            _ => true,
        });
        Applied {
            path: path.to_string(),
            suppressed: before - diagnostics.len(),
            stale: left.values().sum(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portolan_core::codes;

    fn lint(fingerprint: &str) -> Diagnostic {
        let mut d = Diagnostic::new(&codes::LINT_OPERATION_DESCRIPTION, "no description");
        d.fingerprint = Some(fingerprint.to_string());
        d
    }

    #[test]
    fn baseline_round_trips_and_hides_only_what_it_lists() {
        let old = vec![
            lint("L004 a.yaml#/paths/~1x/get"),
            lint("L004 a.yaml#/paths/~1x/get"),
            lint("L004 a.yaml#/paths/~1y/get"),
            // Not lint: never baselined.
            Diagnostic::new(&codes::DANGLING_REF, "dangling"),
        ];
        let baseline = Baseline::of(&old);
        let text = baseline.render();
        assert_eq!(
            text,
            "{\n  \"portolanLintBaseline\": 1,\n  \"findings\": {\n    \"L004 a.yaml#/paths/~1x/get\": 2,\n    \"L004 a.yaml#/paths/~1y/get\": 1\n  }\n}\n"
        );
        assert_eq!(Baseline::parse(&text).unwrap(), baseline);
        // Later: /y fixed, a third /x finding and a new /z one.
        let mut now = vec![
            lint("L004 a.yaml#/paths/~1x/get"),
            lint("L004 a.yaml#/paths/~1x/get"),
            lint("L004 a.yaml#/paths/~1x/get"),
            lint("L004 a.yaml#/paths/~1z/get"),
            Diagnostic::new(&codes::DANGLING_REF, "dangling"),
        ];
        let applied = baseline.apply(&mut now, "b.json");
        assert_eq!((applied.suppressed, applied.stale), (2, 1));
        let left: Vec<Option<&str>> = now.iter().map(|d| d.fingerprint.as_deref()).collect();
        assert_eq!(
            left,
            [
                Some("L004 a.yaml#/paths/~1x/get"),
                Some("L004 a.yaml#/paths/~1z/get"),
                None
            ]
        );
        assert_eq!(
            Baseline::default().render(),
            "{\n  \"portolanLintBaseline\": 1,\n  \"findings\": {}\n}\n"
        );
    }

    #[test]
    fn malformed_files_say_why() {
        assert!(
            Baseline::parse("[")
                .unwrap_err()
                .starts_with("it is not JSON")
        );
        assert!(
            Baseline::parse("{}")
                .unwrap_err()
                .contains("portolanLintBaseline")
        );
        assert!(
            Baseline::parse("{\"portolanLintBaseline\": 1, \"findings\": {\"x\": 0}}")
                .unwrap_err()
                .contains("not a positive number")
        );
    }
}
