//! Verdicts, their tallies by language and intent, and the tables and JSON `atajo eval` prints.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::cases::Case;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Verdict {
    /// Did what one accepted command does, or refused what must be refused.
    Pass,
    /// Expected a command, got none.
    Miss,
    /// Did something else.
    Wrong,
    /// A command for a request that must be refused, and the policy allows it.
    Unsafe,
    /// The case could not be judged.
    Error,
}

/// One setup's answer to one case.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub id: String,
    pub lang: String,
    pub intent: String,
    pub verdict: Verdict,
    pub destructive: bool,
    pub command: Option<String>,
    /// The policy's reason when it would refuse the command.
    pub denied: Option<String>,
    pub micros: Option<u64>,
    pub reasons: Vec<String>,
    #[serde(skip)]
    pub nl: String,
    #[serde(skip)]
    pub expect: Option<Vec<String>>,
    #[serde(skip)]
    pub fixture: String,
    #[serde(skip)]
    pub cwd: String,
}

impl Outcome {
    pub fn new(case: &Case, verdict: Verdict, command: Option<String>) -> Self {
        Self {
            id: case.id.clone(),
            lang: case.lang.clone(),
            intent: case.intent.clone(),
            verdict,
            destructive: false,
            command,
            denied: None,
            micros: None,
            reasons: Vec::new(),
            nl: case.nl.clone(),
            expect: case.expect.clone(),
            fixture: case.fixture.clone(),
            cwd: case.cwd.clone(),
        }
    }

    pub fn because(mut self, why: String) -> Self {
        self.reasons.push(why);
        self
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Tally {
    pub total: usize,
    pub pass: usize,
    pub miss: usize,
    pub wrong: usize,
    pub wrong_destructive: usize,
    #[serde(rename = "unsafe")]
    pub unsafe_: usize,
    pub error: usize,
}

impl Tally {
    fn add(&mut self, o: &Outcome) {
        self.total += 1;
        match o.verdict {
            Verdict::Pass => self.pass += 1,
            Verdict::Miss => self.miss += 1,
            Verdict::Wrong => self.wrong += 1,
            Verdict::Unsafe => self.unsafe_ += 1,
            Verdict::Error => self.error += 1,
        }
        if o.destructive {
            self.wrong_destructive += 1;
        }
    }

    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            100.0 * self.pass as f64 / self.total as f64
        }
    }
}

/// Every outcome of one setup, in case order.
#[derive(Debug, Serialize)]
pub struct SetupReport {
    pub label: String,
    pub outcomes: Vec<Outcome>,
}

impl SetupReport {
    pub fn total(&self) -> Tally {
        let mut t = Tally::default();
        self.outcomes.iter().for_each(|o| t.add(o));
        t
    }

    pub fn by(&self, key: impl Fn(&Outcome) -> &str) -> BTreeMap<String, Tally> {
        let mut groups: BTreeMap<String, Tally> = BTreeMap::new();
        for o in &self.outcomes {
            groups.entry(key(o).to_owned()).or_default().add(o);
        }
        groups
    }

    /// Median translation time, in microseconds.
    pub fn p50_micros(&self) -> Option<u64> {
        let mut t: Vec<u64> = self.outcomes.iter().filter_map(|o| o.micros).collect();
        t.sort_unstable();
        t.get(t.len() / 2).copied()
    }

    /// Commands the policy would refuse, proposed for cases that are not refusals.
    pub fn denied_ordinary(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.expect.is_some() && o.denied.is_some())
            .count()
    }
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub setups: Vec<SetupReport>,
}

const HEADS: [&str; 8] = [
    "total", "pass", "miss", "wrong", "destr", "unsafe", "error", "pass%",
];

fn table(out: &mut String, title: &str, groups: &BTreeMap<String, Tally>) {
    let width = groups
        .keys()
        .map(String::len)
        .chain([title.len()])
        .max()
        .unwrap_or(0)
        + 2;
    let _ = write!(out, "{title:<width$}");
    for h in HEADS {
        let _ = write!(out, "{h:>8}");
    }
    out.push('\n');
    for (name, g) in groups {
        let _ = writeln!(
            out,
            "{name:<width$}{:>8}{:>8}{:>8}{:>8}{:>8}{:>8}{:>8}{:>7.1}%",
            g.total,
            g.pass,
            g.miss,
            g.wrong,
            g.wrong_destructive,
            g.unsafe_,
            g.error,
            g.percent()
        );
    }
    out.push('\n');
}

impl Report {
    /// What went wrong, case by case, for every setup.
    pub fn failures(&self) -> String {
        let mut out = String::new();
        for s in &self.setups {
            for o in s.outcomes.iter().filter(|o| o.verdict != Verdict::Pass) {
                let tag = if o.destructive {
                    format!("{:?} (destructive)", o.verdict).to_uppercase()
                } else {
                    format!("{:?}", o.verdict).to_uppercase()
                };
                let _ = writeln!(
                    out,
                    "{tag} [{}] {} [{}/{}] fixture={} cwd={}",
                    s.label, o.id, o.lang, o.intent, o.fixture, o.cwd
                );
                let _ = writeln!(out, "    nl:       {}", o.nl);
                let _ = writeln!(
                    out,
                    "    got:      {}",
                    o.command.as_deref().unwrap_or("null")
                );
                let expected = o
                    .expect
                    .as_ref()
                    .map_or("null (refuse)".to_owned(), |e| e.join(" | "));
                let _ = writeln!(out, "    expected: {expected}");
                for r in o.reasons.iter().filter(|r| !r.is_empty()) {
                    let _ = writeln!(out, "    why:      {r}");
                }
            }
        }
        out
    }

    /// The tables: by language and intent for one setup; intent by setup side by side for
    /// several. The last line is the last setup's `eval: N passed, M failed`.
    pub fn tables(&self) -> String {
        let mut out = String::new();
        if let [only] = self.setups.as_slice() {
            table(&mut out, "language", &only.by(|o| &o.lang));
            table(&mut out, "intent", &only.by(|o| &o.intent));
        } else {
            self.side_by_side(&mut out);
        }
        for s in &self.setups {
            let mut all = BTreeMap::new();
            all.insert(s.label.clone(), s.total());
            if self.setups.len() > 1 {
                table(&mut out, "language", &s.by(|o| &o.lang));
            }
            table(&mut out, "setup", &all);
        }
        for s in &self.setups {
            if let Some(p50) = s.p50_micros() {
                let _ = writeln!(
                    out,
                    "{}: translate p50 {} µs over {} cases; the policy would refuse {} commands proposed for cases that are not refusals",
                    s.label,
                    p50,
                    s.outcomes.len(),
                    s.denied_ordinary()
                );
            }
        }
        if let Some(last) = self.setups.last() {
            let t = last.total();
            let _ = writeln!(out, "eval: {} passed, {} failed", t.pass, t.total - t.pass);
        }
        out
    }

    fn side_by_side(&self, out: &mut String) {
        let per: Vec<BTreeMap<String, Tally>> =
            self.setups.iter().map(|s| s.by(|o| &o.intent)).collect();
        let intents: std::collections::BTreeSet<&String> =
            per.iter().flat_map(|m| m.keys()).collect();
        let width = intents.iter().map(|k| k.len()).max().unwrap_or(0).max(6) + 2;
        let col = self
            .setups
            .iter()
            .map(|s| s.label.len())
            .max()
            .unwrap_or(0)
            .max(7)
            + 2;
        let _ = write!(out, "{:<width$}{:>7}", "intent", "cases");
        for s in &self.setups {
            let _ = write!(out, "{:>col$}", s.label);
        }
        out.push('\n');
        for intent in intents {
            let total = per[0].get(intent).map_or(0, |t| t.total);
            let _ = write!(out, "{intent:<width$}{total:>7}");
            for m in &per {
                let pct = m.get(intent).map_or(0.0, Tally::percent);
                let _ = write!(out, "{:>col$}", format!("{pct:.1}%"));
            }
            out.push('\n');
        }
        let totals: Vec<Tally> = self.setups.iter().map(SetupReport::total).collect();
        let _ = write!(out, "{:<width$}{:>7}", "all", totals[0].total);
        for t in &totals {
            let _ = write!(out, "{:>col$}", format!("{:.1}%", t.percent()));
        }
        out.push('\n');
        for (name, f) in [
            ("unsafe", (|t: &Tally| t.unsafe_) as fn(&Tally) -> usize),
            ("wrong-destr", |t: &Tally| t.wrong_destructive),
        ] {
            let _ = write!(out, "{name:<width$}{:>7}", "");
            for t in &totals {
                let _ = write!(out, "{:>col$}", f(t));
            }
            out.push('\n');
        }
        out.push('\n');
    }

    /// The JSON summary: per setup, the totals, by language, by intent, and every case.
    pub fn json(&self) -> serde_json::Value {
        let setups: Vec<serde_json::Value> = self
            .setups
            .iter()
            .map(|s| {
                serde_json::json!({
                    "setup": s.label,
                    "total": s.total(),
                    "by_lang": s.by(|o| &o.lang),
                    "by_intent": s.by(|o| &o.intent),
                    "p50_translate_us": s.p50_micros(),
                    "policy_denied_non_refusals": s.denied_ordinary(),
                    "cases": s.outcomes,
                })
            })
            .collect();
        serde_json::json!({ "setups": setups })
    }
}
