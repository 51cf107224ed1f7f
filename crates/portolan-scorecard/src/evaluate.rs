//! Rule states and levels: each rule of a scorecard is passed, failed,
//! not applicable, exempt (a waiver), pending (before its `enforceFrom`
//! date) or unknown (its fact could not be computed) for an entity; the
//! entity's level is the highest level whose rules, and all rules of
//! lower levels, pass, are exempt, not applicable or pending.

use portolan_catalog::Entity;
use portolan_check::Policy;
use portolan_check::policy::selector_matches;
use serde::Serialize;
use serde_json::{Value, json};

use crate::date::Day;
use crate::facts::Facts;
use crate::file::{Op, Rule, RuleCheck, Scorecard};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Pass,
    Fail,
    NotApplicable,
    Exempt,
    Pending,
    Unknown,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pass => "pass",
            State::Fail => "fail",
            State::NotApplicable => "not-applicable",
            State::Exempt => "exempt",
            State::Pending => "pending",
            State::Unknown => "unknown",
        }
    }

    /// Whether the state lets its level be reached.
    pub fn counts_as_met(self) -> bool {
        matches!(
            self,
            State::Pass | State::NotApplicable | State::Exempt | State::Pending
        )
    }
}

/// What checking one rule found, before waivers and dates.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Pass,
    Fail(String),
    NotApplicable(String),
    /// The rule's input could not be computed.
    Unknown(String),
}

/// One rule's result for one entity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleResult {
    /// Index into the scorecard's rules.
    #[serde(skip)]
    pub rule: usize,
    pub state: State,
    /// The fact's value, for fact rules (null when unknown).
    pub value: Value,
    /// Why: what failed, which waiver exempts, when enforcement starts.
    pub reason: String,
}

/// One entity's result on one scorecard.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityScore {
    /// Index into the scorecard's levels; `None`: not even the first.
    pub level: Option<usize>,
    pub rules: Vec<RuleResult>,
    /// Waivers of this entity whose date has passed (indexes into the
    /// scorecard's waivers).
    pub expired_waivers: Vec<usize>,
}

/// The highest level reached, given each rule's level and state: level L
/// is reached when every rule of level ≤ L counts as met.
pub fn level_reached(
    level_count: usize,
    rules: impl IntoIterator<Item = (usize, State)>,
) -> Option<usize> {
    // The lowest level holding a rule that is not met caps the result.
    let first_blocked = rules
        .into_iter()
        .filter(|(_, state)| !state.counts_as_met())
        .map(|(level, _)| level)
        .min()
        .unwrap_or(level_count);
    first_blocked.checked_sub(1)
}

/// A rule's state from its outcome, the waiver that names the entity and
/// rule (if any: its last day and reason) and the rule's `enforceFrom`.
pub fn rule_state(
    outcome: &Outcome,
    waiver: Option<(Day, &str)>,
    enforce_from: Option<Day>,
    today: Day,
) -> (State, String) {
    let problem = match outcome {
        Outcome::Pass => return (State::Pass, String::new()),
        Outcome::NotApplicable(why) => return (State::NotApplicable, why.clone()),
        Outcome::Fail(why) | Outcome::Unknown(why) => why,
    };
    if let Some((expires, reason)) = waiver
        && today <= expires
    {
        return (State::Exempt, format!("waived until {expires}: {reason}"));
    }
    if let Some(from) = enforce_from
        && today < from
    {
        return (State::Pending, format!("{problem} (enforced from {from})"));
    }
    let expired = waiver
        .map(|(expires, _)| format!(" (its waiver expired on {expires})"))
        .unwrap_or_default();
    match outcome {
        Outcome::Unknown(_) => (State::Unknown, format!("{problem}{expired}")),
        _ => (State::Fail, format!("{problem}{expired}")),
    }
}

/// What rules are checked against.
pub struct Subject<'a> {
    pub entity: &'a Entity,
    pub facts: &'a Facts,
    /// `{entity, facts}` for schema rules, made when first needed.
    pub document: std::cell::OnceCell<Value>,
}

impl<'a> Subject<'a> {
    pub fn new(entity: &'a Entity, facts: &'a Facts) -> Self {
        Subject {
            entity,
            facts,
            document: std::cell::OnceCell::new(),
        }
    }
}

/// Check one rule (waivers and dates aside).
pub fn check_rule(rule: &Rule, subject: &Subject<'_>, policies: &[Policy]) -> (Outcome, Value) {
    if let Some(selector) = &rule.selector
        && !selector_matches(selector, subject.entity)
    {
        return (
            Outcome::NotApplicable("the rule's selector does not select the entity".into()),
            Value::Null,
        );
    }
    match &rule.check {
        RuleCheck::Fact {
            fact,
            op,
            value,
            pattern,
        } => {
            let Some(actual) = subject.facts.get(fact.name) else {
                return (
                    Outcome::Unknown(format!(
                        "`{}` cannot be computed for this entity",
                        fact.name
                    )),
                    Value::Null,
                );
            };
            let outcome = if compare(actual, *op, value, pattern.as_ref()) {
                Outcome::Pass
            } else {
                Outcome::Fail(format!(
                    "`{}` is {}, expected {} {}",
                    fact.name,
                    actual,
                    op.as_str(),
                    value
                ))
            };
            (outcome, actual.clone())
        }
        RuleCheck::Schema(validator) => {
            let document = subject.document.get_or_init(
                || json!({ "entity": subject.entity.to_json(), "facts": subject.facts }),
            );
            let outcome = match validator.iter_errors(document).next() {
                None => Outcome::Pass,
                Some(error) => {
                    let at = error.instance_path().to_string();
                    Outcome::Fail(if at.is_empty() {
                        error.to_string()
                    } else {
                        format!("{at}: {error}")
                    })
                }
            };
            (outcome, Value::Null)
        }
        RuleCheck::Policy(code) => {
            let Some(policy) = policies.iter().find(|p| &p.config.code == code) else {
                return (
                    Outcome::Unknown(format!("policy `{code}` is not configured")),
                    Value::Null,
                );
            };
            if policy.load_error().is_some() {
                return (
                    Outcome::Unknown(format!("policy `{code}` could not be loaded (P001)")),
                    Value::Null,
                );
            }
            if !policy.applies_to(subject.entity) {
                return (
                    Outcome::NotApplicable(format!("policy `{code}` does not apply to the entity")),
                    Value::Null,
                );
            }
            let found = policy.check(subject.entity);
            let outcome = match found.first() {
                None => Outcome::Pass,
                Some(d) => Outcome::Fail(d.message.clone()),
            };
            (outcome, Value::Null)
        }
    }
}

/// `actual op expected`; values of other types than the fact's never
/// compare true (the file's validation makes them rare: null facts).
pub fn compare(actual: &Value, op: Op, expected: &Value, pattern: Option<&regex::Regex>) -> bool {
    let numbers = || Some((actual.as_f64()?, expected.as_f64()?));
    let loose_eq = |a: &Value, b: &Value| match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    };
    match op {
        Op::Eq => loose_eq(actual, expected),
        Op::Ne => !loose_eq(actual, expected),
        Op::Gt => numbers().is_some_and(|(a, b)| a > b),
        Op::Gte => numbers().is_some_and(|(a, b)| a >= b),
        Op::Lt => numbers().is_some_and(|(a, b)| a < b),
        Op::Lte => numbers().is_some_and(|(a, b)| a <= b),
        Op::Exists => actual.is_null() != expected.as_bool().unwrap_or(true),
        Op::In => expected
            .as_array()
            .is_some_and(|items| items.iter().any(|v| loose_eq(actual, v))),
        Op::Matches => match (actual.as_str(), pattern) {
            (Some(text), Some(pattern)) => pattern.is_match(text),
            _ => false,
        },
        Op::Contains => actual
            .as_array()
            .is_some_and(|items| items.iter().any(|v| loose_eq(v, expected))),
    }
}

/// Score one entity (which the scorecard's selector selects) on
/// `scorecard`.
pub fn score_entity(
    scorecard: &Scorecard,
    subject: &Subject<'_>,
    policies: &[Policy],
    today: Day,
) -> EntityScore {
    let waivers: &[usize] = scorecard
        .waivers_by_entity
        .get(subject.entity.key_ref())
        .map_or(&[], Vec::as_slice);
    let mut rules = Vec::with_capacity(scorecard.rules.len());
    for (index, rule) in scorecard.rules.iter().enumerate() {
        let (outcome, value) = check_rule(rule, subject, policies);
        // Of several waivers for the same rule, the one that lasts longest.
        let waiver = waivers
            .iter()
            .map(|&w| &scorecard.waivers[w])
            .filter(|w| w.rule == index)
            .max_by_key(|w| w.expires)
            .map(|w| (w.expires, w.reason.as_str()));
        let (state, reason) = rule_state(&outcome, waiver, rule.enforce_from, today);
        rules.push(RuleResult {
            rule: index,
            state,
            value,
            reason,
        });
    }
    let level = level_reached(
        scorecard.levels.len(),
        rules
            .iter()
            .map(|r| (scorecard.rules[r.rule].level, r.state)),
    );
    let expired_waivers = waivers
        .iter()
        .copied()
        .filter(|&w| scorecard.waivers[w].expires < today)
        .collect();
    EntityScore {
        level,
        rules,
        expired_waivers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: Day = Day(20_000);

    #[test]
    fn level_is_cumulative() {
        use State::*;
        // Three levels; a failing level-0 rule caps everything, even when
        // the higher levels' rules pass.
        assert_eq!(level_reached(3, [(0, Fail), (1, Pass), (2, Pass)]), None);
        assert_eq!(level_reached(3, [(0, Pass), (1, Fail), (2, Pass)]), Some(0));
        assert_eq!(
            level_reached(3, [(0, Pass), (1, Pass), (2, Unknown)]),
            Some(1)
        );
        assert_eq!(level_reached(3, [(0, Pass), (1, Pass), (2, Pass)]), Some(2));
        // Exempt, not applicable and pending rules do not block.
        assert_eq!(
            level_reached(3, [(0, Exempt), (1, NotApplicable), (2, Pending)]),
            Some(2)
        );
        // Unknown blocks like a failure.
        assert_eq!(level_reached(2, [(0, Unknown), (1, Pass)]), None);
        // A level without rules is reached when the levels below are.
        assert_eq!(level_reached(3, [(0, Pass), (2, Pass)]), Some(2));
        assert_eq!(level_reached(3, [(0, Pass), (2, Fail)]), Some(1));
        assert_eq!(level_reached(2, []), Some(1));
    }

    #[test]
    fn waivers_exempt_until_their_last_day_then_fail() {
        let fail = Outcome::Fail("no runbook".into());
        let waiver = Some((TODAY, "migrating to the new wiki"));
        let (state, reason) = rule_state(&fail, waiver, None, TODAY);
        assert_eq!(state, State::Exempt);
        assert!(reason.contains("migrating to the new wiki"), "{reason}");
        let (state, reason) = rule_state(&fail, waiver, None, Day(TODAY.0 + 1));
        assert_eq!(state, State::Fail);
        assert!(reason.contains("expired"), "{reason}");
        // A passing rule passes, waiver or not.
        assert_eq!(
            rule_state(&Outcome::Pass, waiver, None, Day(TODAY.0 + 9)).0,
            State::Pass
        );
        // An unknown fact is exempt by a waiver too, and unknown without.
        let unknown = Outcome::Unknown("not computable".into());
        assert_eq!(rule_state(&unknown, waiver, None, TODAY).0, State::Exempt);
        assert_eq!(rule_state(&unknown, None, None, TODAY).0, State::Unknown);
    }

    #[test]
    fn pending_before_enforce_from_only() {
        let fail = Outcome::Fail("no dashboard".into());
        let from = Some(Day(TODAY.0 + 1));
        assert_eq!(rule_state(&fail, None, from, TODAY).0, State::Pending);
        assert_eq!(
            rule_state(&fail, None, from, Day(TODAY.0 + 1)).0,
            State::Fail
        );
        assert_eq!(rule_state(&Outcome::Pass, None, from, TODAY).0, State::Pass);
        assert_eq!(
            rule_state(&Outcome::NotApplicable("x".into()), None, from, TODAY).0,
            State::NotApplicable
        );
        // An expired waiver and a future enforcement date: pending.
        let expired = Some((Day(TODAY.0 - 1), "old"));
        assert_eq!(rule_state(&fail, expired, from, TODAY).0, State::Pending);
    }

    #[test]
    fn operators_compare_typed_values() {
        let n = |v: f64| json!(v);
        assert!(compare(&json!(3), Op::Eq, &n(3.0), None));
        assert!(compare(&json!(3), Op::Gt, &json!(2), None));
        assert!(!compare(&json!(3), Op::Gt, &json!(3), None));
        assert!(compare(&json!(3), Op::Gte, &json!(3), None));
        assert!(compare(&json!(2), Op::Lt, &json!(3), None));
        assert!(compare(&json!(3), Op::Lte, &json!(3), None));
        assert!(!compare(&Value::Null, Op::Lt, &json!(3), None));
        assert!(compare(&json!("x"), Op::Ne, &json!("y"), None));
        assert!(compare(&json!("a"), Op::Exists, &json!(true), None));
        assert!(!compare(&Value::Null, Op::Exists, &json!(true), None));
        assert!(compare(&Value::Null, Op::Exists, &json!(false), None));
        assert!(compare(
            &json!("production"),
            Op::In,
            &json!(["production", "beta"]),
            None
        ));
        assert!(!compare(
            &json!("experimental"),
            Op::In,
            &json!(["production"]),
            None
        ));
        assert!(compare(
            &json!(["tier-1", "java"]),
            Op::Contains,
            &json!("java"),
            None
        ));
        assert!(!compare(&json!([]), Op::Contains, &json!("java"), None));
        let pattern = regex::Regex::new("^group:default/").unwrap();
        assert!(compare(
            &json!("group:default/payments"),
            Op::Matches,
            &json!(""),
            Some(&pattern)
        ));
        assert!(!compare(
            &json!("user:default/jdoe"),
            Op::Matches,
            &json!(""),
            Some(&pattern)
        ));
        assert!(!compare(
            &Value::Null,
            Op::Matches,
            &json!(""),
            Some(&pattern)
        ));
    }
}
