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
use crate::projection::Projection;

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

/// What checking one rule found, without the why: all a level needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail,
    NotApplicable,
    Unknown,
}

impl Outcome {
    pub fn verdict(&self) -> Verdict {
        match self {
            Outcome::Pass => Verdict::Pass,
            Outcome::Fail(_) => Verdict::Fail,
            Outcome::NotApplicable(_) => Verdict::NotApplicable,
            Outcome::Unknown(_) => Verdict::Unknown,
        }
    }
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

/// A rule's state from its verdict, the last day of the waiver that
/// names the entity and rule (if any) and the rule's `enforceFrom`.
pub fn state_of(
    verdict: Verdict,
    waiver_expires: Option<Day>,
    enforce_from: Option<Day>,
    today: Day,
) -> State {
    match verdict {
        Verdict::Pass => State::Pass,
        Verdict::NotApplicable => State::NotApplicable,
        Verdict::Fail | Verdict::Unknown => {
            if waiver_expires.is_some_and(|expires| today <= expires) {
                State::Exempt
            } else if enforce_from.is_some_and(|from| today < from) {
                State::Pending
            } else if verdict == Verdict::Unknown {
                State::Unknown
            } else {
                State::Fail
            }
        }
    }
}

/// A rule's state from its outcome, the waiver that names the entity and
/// rule (if any: its last day and reason) and the rule's `enforceFrom`,
/// with the reason shown for it.
pub fn rule_state(
    outcome: &Outcome,
    waiver: Option<(Day, &str)>,
    enforce_from: Option<Day>,
    today: Day,
) -> (State, String) {
    let state = state_of(outcome.verdict(), waiver.map(|w| w.0), enforce_from, today);
    let reason = match (outcome, state) {
        (Outcome::Pass, _) => String::new(),
        (Outcome::NotApplicable(why), _) => why.clone(),
        (_, State::Exempt) => waiver
            .map(|(expires, reason)| format!("waived until {expires}: {reason}"))
            .unwrap_or_default(),
        (Outcome::Fail(problem) | Outcome::Unknown(problem), State::Pending) => enforce_from
            .map(|from| format!("{problem} (enforced from {from})"))
            .unwrap_or_default(),
        (Outcome::Fail(problem) | Outcome::Unknown(problem), _) => {
            let expired = waiver
                .map(|(expires, _)| format!(" (its waiver expired on {expires})"))
                .unwrap_or_default();
            format!("{problem}{expired}")
        }
    };
    (state, reason)
}

/// What rules are checked against.
pub struct Subject<'a> {
    pub entity: &'a Entity,
    pub facts: &'a Facts,
    /// What of `{entity, facts}` the scorecards' schema rules read.
    reads: &'a Projection,
    /// `{entity, facts}` for schema rules, made when first needed.
    document: std::cell::OnceCell<Value>,
}

impl<'a> Subject<'a> {
    /// `reads`: the union of what every schema rule checked against
    /// this subject reads ([`Projection::All`] for the whole document).
    pub fn new(entity: &'a Entity, facts: &'a Facts, reads: &'a Projection) -> Self {
        Subject {
            entity,
            facts,
            reads,
            document: std::cell::OnceCell::new(),
        }
    }

    /// `{entity, facts}`, what schema rules validate: only the part they
    /// read.
    pub fn document(&self) -> &Value {
        self.document.get_or_init(|| {
            let mut document = serde_json::Map::new();
            if let Some(reads) = self.reads.member("entity") {
                document.insert("entity".into(), reads.node_to_json(&self.entity.node));
            }
            let facts = match self.reads.member("facts") {
                None => None,
                Some(Projection::All) => Some(json!(self.facts)),
                Some(Projection::Presence) => Some(Value::Null),
                Some(Projection::Members(names)) => Some(Value::Object(
                    names
                        .keys()
                        .filter_map(|name| {
                            let value = self.facts.get(name.as_str())?;
                            Some((name.clone(), value.clone()))
                        })
                        .collect(),
                )),
            };
            if let Some(facts) = facts {
                document.insert("facts".into(), facts);
            }
            Value::Object(document)
        })
    }
}

/// Check one rule (waivers and dates aside): its verdict, nothing
/// formatted, as levels alone need.
pub fn rule_verdict(rule: &Rule, subject: &Subject<'_>, policies: &[Policy]) -> Verdict {
    if let Some(selector) = &rule.selector
        && !selector_matches(selector, subject.entity)
    {
        return Verdict::NotApplicable;
    }
    let pass_if = |pass: bool| if pass { Verdict::Pass } else { Verdict::Fail };
    match &rule.check {
        RuleCheck::Fact {
            index,
            op,
            value,
            pattern,
            ..
        } => match subject.facts.get_at(*index) {
            None => Verdict::Unknown,
            Some(actual) => pass_if(compare(actual, *op, value, pattern.as_ref())),
        },
        RuleCheck::Schema { validator, .. } => pass_if(validator.is_valid(subject.document())),
        RuleCheck::Policy(code) => match policies.iter().find(|p| &p.config.code == code) {
            None => Verdict::Unknown,
            Some(policy) if policy.load_error().is_some() => Verdict::Unknown,
            Some(policy) if !policy.applies_to(subject.entity) => Verdict::NotApplicable,
            Some(policy) => pass_if(policy.check(subject.entity).is_empty()),
        },
    }
}

/// Check one rule (waivers and dates aside): its outcome with the why,
/// and the fact's value for fact rules.
pub fn check_rule(rule: &Rule, subject: &Subject<'_>, policies: &[Policy]) -> (Outcome, Value) {
    let verdict = rule_verdict(rule, subject, policies);
    let value = match (&rule.check, verdict) {
        (RuleCheck::Fact { index, .. }, Verdict::Pass | Verdict::Fail) => {
            subject.facts.get_at(*index).cloned().unwrap_or(Value::Null)
        }
        _ => Value::Null,
    };
    let outcome = match verdict {
        Verdict::Pass => Outcome::Pass,
        Verdict::Fail => Outcome::Fail(why_failed(rule, subject, policies, &value)),
        Verdict::NotApplicable => Outcome::NotApplicable(match &rule.check {
            RuleCheck::Policy(code) if selects(rule, subject) => {
                format!("policy `{code}` does not apply to the entity")
            }
            _ => "the rule's selector does not select the entity".into(),
        }),
        Verdict::Unknown => Outcome::Unknown(match &rule.check {
            RuleCheck::Fact { fact, .. } => {
                format!("`{}` cannot be computed for this entity", fact.name)
            }
            RuleCheck::Policy(code) if policies.iter().any(|p| &p.config.code == code) => {
                format!("policy `{code}` could not be loaded (P001)")
            }
            RuleCheck::Policy(code) => format!("policy `{code}` is not configured"),
            RuleCheck::Schema { .. } => String::new(),
        }),
    };
    (outcome, value)
}

fn selects(rule: &Rule, subject: &Subject<'_>) -> bool {
    rule.selector
        .as_ref()
        .is_none_or(|selector| selector_matches(selector, subject.entity))
}

/// Why a rule whose verdict is a failure failed.
fn why_failed(rule: &Rule, subject: &Subject<'_>, policies: &[Policy], actual: &Value) -> String {
    match &rule.check {
        RuleCheck::Fact {
            fact, op, value, ..
        } => format!(
            "`{}` is {}, expected {} {}",
            fact.name,
            actual,
            op.as_str(),
            value
        ),
        RuleCheck::Schema { validator, .. } => {
            match validator.iter_errors(subject.document()).next() {
                None => String::new(),
                Some(error) => {
                    let at = error.instance_path().to_string();
                    if at.is_empty() {
                        error.to_string()
                    } else {
                        format!("{at}: {error}")
                    }
                }
            }
        }
        RuleCheck::Policy(code) => policies
            .iter()
            .find(|p| &p.config.code == code)
            .and_then(|policy| policy.check(subject.entity).into_iter().next())
            .map(|d| d.message)
            .unwrap_or_default(),
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
/// `scorecard`. Without `reasons` (`check`, which reports levels and the
/// states of blocking rules), each rule carries its state alone: no
/// reason, a null value.
pub fn score_entity(
    scorecard: &Scorecard,
    subject: &Subject<'_>,
    policies: &[Policy],
    today: Day,
    reasons: bool,
) -> EntityScore {
    let waivers = waivers_of(scorecard, subject.entity);
    let mut rules = Vec::with_capacity(scorecard.rules.len());
    for (index, rule) in scorecard.rules.iter().enumerate() {
        let waiver = waiver_of(scorecard, waivers, index).map(|w| (w.expires, w.reason.as_str()));
        let (state, reason, value) = if reasons {
            let (outcome, value) = check_rule(rule, subject, policies);
            let (state, reason) = rule_state(&outcome, waiver, rule.enforce_from, today);
            (state, reason, value)
        } else {
            let verdict = rule_verdict(rule, subject, policies);
            let state = state_of(verdict, waiver.map(|w| w.0), rule.enforce_from, today);
            (state, String::new(), Value::Null)
        };
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
    EntityScore {
        level,
        rules,
        expired_waivers: expired(scorecard, waivers, today),
    }
}

/// [`score_entity`]'s level and expired waivers, without the rules'
/// states (`rules` is empty): what `check` needs of an entity no gate
/// reports on.
pub fn score_level(
    scorecard: &Scorecard,
    subject: &Subject<'_>,
    policies: &[Policy],
    today: Day,
) -> EntityScore {
    EntityScore {
        level: level_of(scorecard, subject, policies, today),
        rules: Vec::new(),
        expired_waivers: expired(scorecard, waivers_of(scorecard, subject.entity), today),
    }
}

/// The waivers of `entity` in `scorecard` (indexes).
fn waivers_of<'s>(scorecard: &'s Scorecard, entity: &Entity) -> &'s [usize] {
    if scorecard.waivers.is_empty() {
        return &[];
    }
    scorecard
        .waivers_by_entity
        .get(entity.key_ref())
        .map_or(&[], Vec::as_slice)
}

/// Of `waivers` (indexes), those whose date has passed.
fn expired(scorecard: &Scorecard, waivers: &[usize], today: Day) -> Vec<usize> {
    waivers
        .iter()
        .copied()
        .filter(|&w| scorecard.waivers[w].expires < today)
        .collect()
}

/// Of the waivers of an entity (`waivers`: indexes) for rule `rule`, the
/// one that lasts longest.
fn waiver_of<'s>(
    scorecard: &'s Scorecard,
    waivers: &[usize],
    rule: usize,
) -> Option<&'s crate::file::Waiver> {
    waivers
        .iter()
        .map(|&w| &scorecard.waivers[w])
        .filter(|w| w.rule == rule)
        .max_by_key(|w| w.expires)
}

/// The level [`score_entity`] gives, and nothing else: no reasons, no
/// values, and no rule checked above the lowest level already blocked.
pub fn level_of(
    scorecard: &Scorecard,
    subject: &Subject<'_>,
    policies: &[Policy],
    today: Day,
) -> Option<usize> {
    let waivers = waivers_of(scorecard, subject.entity);
    let mut first_blocked = scorecard.levels.len();
    for (index, rule) in scorecard.rules.iter().enumerate() {
        if rule.level >= first_blocked {
            continue;
        }
        let verdict = rule_verdict(rule, subject, policies);
        let waiver = waiver_of(scorecard, waivers, index).map(|w| w.expires);
        if !state_of(verdict, waiver, rule.enforce_from, today).counts_as_met() {
            first_blocked = rule.level;
        }
    }
    first_blocked.checked_sub(1)
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
