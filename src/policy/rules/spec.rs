//! One program's rule, as written in TOML and as the policy uses it.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;

use crate::protocol::Risk;

/// What an argument is to the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A path that is only read.
    Read,
    /// A path created or changed.
    Write,
    /// A destination: replacing something that exists there is destructive.
    Target,
    /// A path removed: always destructive.
    Delete,
    /// An existing file changed in place.
    Modify,
    /// Not a path (a pattern, a number, a message).
    Text,
    /// A sed program, checked for commands that run programs or touch other files.
    SedScript,
    /// A file mode (chmod's, mkdir -m): setting the setuid or setgid bit is refused.
    Mode,
    /// An awk program: system(), pipes and computed file names are refused; the files it
    /// names are judged as paths.
    AwkProgram,
    /// What a link will lead to (ln): judged from where the link will be, since that is
    /// where a symbolic link's text is read from.
    LinkTarget,
    /// A find predicate without a value.
    None,
}

/// Why an option is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Why {
    RunsProgram,
    FollowsLinks,
    AbsoluteNames,
    Interactive,
    WritesElsewhere,
    Remote,
    NeverEnds,
    HardLinks,
    SymbolicLinks,
    NeverAllowed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Style {
    #[default]
    Getopt,
    Find,
    Echo,
    /// test and [: an expression whose file operators (the rule's predicates) take a path.
    Test,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    One,
    Optional,
    Many,
    OneOrMore,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub kind: Kind,
    pub repeat: Repeat,
}

impl<'de> Deserialize<'de> for Slot {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let (name, repeat) = match s.chars().last() {
            Some('?') => (&s[..s.len() - 1], Repeat::Optional),
            Some('*') => (&s[..s.len() - 1], Repeat::Many),
            Some('+') => (&s[..s.len() - 1], Repeat::OneOrMore),
            _ => (s.as_str(), Repeat::One),
        };
        let kind = Kind::deserialize(serde::de::value::StrDeserializer::<D::Error>::new(name))?;
        Ok(Slot { kind, repeat })
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default)]
    pub allow: Vec<String>,
    #[serde(default)]
    pub deny: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayoutDef {
    when: Vec<String>,
    #[serde(default)]
    operands: Option<Vec<Slot>>,
    #[serde(default)]
    values: BTreeMap<String, Kind>,
    #[serde(default)]
    risk: Option<Risk>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramDef {
    #[serde(default)]
    style: Style,
    #[serde(default)]
    risk: Option<Risk>,
    #[serde(default)]
    flags: String,
    #[serde(default)]
    long: Vec<String>,
    #[serde(default)]
    values: BTreeMap<String, Kind>,
    #[serde(default)]
    optional: BTreeMap<String, Kind>,
    #[serde(default)]
    numeric: bool,
    #[serde(default)]
    old_style: bool,
    #[serde(default)]
    denied: BTreeMap<String, Why>,
    #[serde(default)]
    risky: BTreeMap<String, Risk>,
    #[serde(default)]
    no_clobber: Vec<String>,
    #[serde(default)]
    operands: Vec<Slot>,
    #[serde(default)]
    layouts: Vec<LayoutDef>,
    #[serde(default)]
    predicates: BTreeMap<String, Kind>,
    #[serde(default)]
    examples: Examples,
    #[serde(default)]
    about: Option<[String; 2]>,
    #[serde(default)]
    say: BTreeMap<String, [String; 2]>,
    /// A symbolic link named as an operand is acted on itself, never followed (rm, mv's
    /// sources): `[]` always, else only while one of these options is given (ls -l).
    #[serde(default)]
    links_itself: Option<Vec<String>>,
    /// Options that make the program follow links named as operands after all (ls -H).
    #[serde(default)]
    links_follow: Vec<String>,
}

/// Alternative operand slots, value kinds or risk while some options are present.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Each entry holds when any of its options is present; all entries must hold.
    pub when: Vec<Vec<String>>,
    pub operands: Option<Vec<Slot>>,
    pub values: HashMap<String, Kind>,
    pub risk: Option<Risk>,
}

#[derive(Debug, Clone)]
pub struct Spec {
    pub name: String,
    pub style: Style,
    pub risk: Risk,
    pub short_flags: HashSet<char>,
    pub long_flags: HashSet<String>,
    pub values: HashMap<String, Kind>,
    pub optional: HashMap<String, Kind>,
    pub numeric: bool,
    pub old_style: bool,
    pub denied: HashMap<String, Why>,
    pub risky: HashMap<String, Risk>,
    pub no_clobber: Vec<String>,
    pub operands: Vec<Slot>,
    pub layouts: Vec<Layout>,
    pub predicates: HashMap<String, Kind>,
    pub examples: Examples,
    /// What the program does, in Spanish and English.
    pub about: Option<[String; 2]>,
    /// What each option means, in Spanish and English.
    pub say: HashMap<String, [String; 2]>,
    pub links_itself: Option<Vec<String>>,
    pub links_follow: Vec<String>,
}

fn is_option_name(o: &str) -> bool {
    (o.len() == 2 && o.starts_with('-') && o != "--") || (o.len() > 2 && o.starts_with("--"))
}

impl Spec {
    pub fn compile(name: &str, def: ProgramDef) -> Result<Spec, String> {
        let find = matches!(def.style, Style::Find | Style::Test);
        let check_name = |o: &str| -> Result<(), String> {
            let ok = if find {
                o.starts_with('-') && o.len() > 1
            } else {
                is_option_name(o)
            };
            if ok {
                Ok(())
            } else {
                Err(format!("`{o}` is not an option name"))
            }
        };
        for o in def.long.iter() {
            if !o.starts_with("--") || o.len() < 3 {
                return Err(format!("long option `{o}` must start with --"));
            }
        }
        for o in def
            .values
            .keys()
            .chain(def.optional.keys())
            .chain(def.denied.keys())
            .chain(def.risky.keys())
        {
            check_name(o)?;
        }
        for k in def.predicates.keys() {
            check_name(k)?;
        }
        if def.flags.chars().any(|c| c == '-' || c.is_whitespace()) {
            return Err("flags are letters, without dashes".into());
        }
        let allowed = |o: &str| {
            def.long.iter().any(|l| l == o)
                || def.values.contains_key(o)
                || def.optional.contains_key(o)
                || def.predicates.contains_key(o)
                || o.strip_prefix('-')
                    .filter(|c| c.chars().count() == 1)
                    .is_some_and(|c| def.flags.contains(c))
        };
        for o in def.denied.keys() {
            if allowed(o) {
                return Err(format!("`{o}` is both allowed and denied"));
            }
        }
        let echo_flag = |o: &str| def.style == Style::Echo && matches!(o, "-n" | "-e" | "-E");
        for o in def.say.keys() {
            if !allowed(o) && !echo_flag(o) {
                return Err(format!("say: `{o}` is not an option this rule accepts"));
            }
        }
        let variadic = def
            .operands
            .iter()
            .filter(|s| matches!(s.repeat, Repeat::Many | Repeat::OneOrMore))
            .count();
        if variadic > 1 {
            return Err("at most one operand slot may repeat (* or +)".into());
        }
        if def
            .values
            .values()
            .chain(def.optional.values())
            .any(|k| *k == Kind::SedScript)
            && name != "sed"
        {
            return Err("sed-script is only for sed".into());
        }
        // awk runs any program it is given: allowed only with that program checked.
        if name == "awk"
            && (def.operands.first().map(|s| s.kind) != Some(Kind::AwkProgram)
                || !def.denied.contains_key("-f"))
        {
            return Err(
                "awk is allowed only with its program checked: operands = [\"awk-program\", …] and -f denied"
                    .into(),
            );
        }
        let layouts = def
            .layouts
            .into_iter()
            .map(|l| Layout {
                when: l
                    .when
                    .iter()
                    .map(|w| w.split('|').map(str::to_owned).collect())
                    .collect(),
                operands: l.operands,
                values: l.values.into_iter().collect(),
                risk: l.risk,
            })
            .collect();
        Ok(Spec {
            name: name.to_owned(),
            style: def.style,
            risk: def.risk.unwrap_or(Risk::Read),
            short_flags: def.flags.chars().collect(),
            long_flags: def.long.into_iter().collect(),
            values: def.values.into_iter().collect(),
            optional: def.optional.into_iter().collect(),
            numeric: def.numeric,
            old_style: def.old_style,
            denied: def.denied.into_iter().collect(),
            risky: def.risky.into_iter().collect(),
            no_clobber: def.no_clobber,
            operands: def.operands,
            layouts,
            predicates: def.predicates.into_iter().collect(),
            examples: def.examples,
            about: def.about,
            say: def.say.into_iter().collect(),
            links_itself: def.links_itself,
            links_follow: def.links_follow,
        })
    }
}
