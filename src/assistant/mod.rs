//! Natural language → a shell command. Today: the embedded Spanish/English rule engine.
//! Nothing here executes anything; every translation is judged by the policy afterwards.

mod rules;
mod words;

pub use words::fold;

use serde::Serialize;

use crate::lang::Lang;

/// The `translate --json` contract: `command` is null when there is nothing safe to run.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Translation {
    pub command: Option<String>,
    pub explanation: String,
    pub source: String,
    pub confidence: f64,
    /// The language of the explanation (and of any refusal that follows).
    #[serde(skip)]
    pub lang: Lang,
}

/// Translates one instruction. `lang` forces the language of the explanation; otherwise it
/// is detected from the instruction.
pub fn translate(text: &str, lang: Option<Lang>) -> Translation {
    rules::translate(text, lang)
}
