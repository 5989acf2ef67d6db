//! The two languages atajo speaks. Messages meant for a person come in both.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Es,
    #[default]
    En,
}

impl Lang {
    /// `"es"`, `"es-MX"`, `"en_US.UTF-8"`, … ; anything else is `None`.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let t = tag.trim().to_ascii_lowercase();
        if t.starts_with("es") {
            Some(Lang::Es)
        } else if t.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// From the locale variables (LC_ALL, LC_MESSAGES, LANG), English when none says.
    pub fn from_env() -> Self {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find(|v| !v.is_empty())
            .and_then(|v| Lang::from_tag(&v))
            .unwrap_or_default()
    }

    /// The language's code, as the language files name it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Es => "es",
            Lang::En => "en",
        }
    }

    pub fn pick(self, es: &str, en: &str) -> String {
        match self {
            Lang::Es => es.to_owned(),
            Lang::En => en.to_owned(),
        }
    }
}
