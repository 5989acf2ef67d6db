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

    /// The preferred of the two in an `Accept-Language` header (`es-ES,es;q=0.9,en;q=0.8`):
    /// the first by weight that atajo speaks.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut fields = part.split(';');
            let tag = fields.next().unwrap_or("");
            let q = fields
                .filter_map(|f| f.trim().strip_prefix("q="))
                .find_map(|v| v.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(lang) = Lang::from_tag(tag)
                && q > 0.0
                && best.is_none_or(|(b, _)| q > b)
            {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
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

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn accept_language_picks_the_heaviest_known_tag() {
        assert_eq!(
            Lang::from_accept_language("es-ES,es;q=0.9,en;q=0.8"),
            Some(Lang::Es)
        );
        assert_eq!(
            Lang::from_accept_language("fr-FR,fr;q=0.9,en;q=0.5,es;q=0.4"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_accept_language("de;q=1, es;q=0"), None);
        assert_eq!(
            Lang::from_accept_language("en-US;q=0.3, es-MX"),
            Some(Lang::Es)
        );
        assert_eq!(Lang::from_accept_language(""), None);
    }
}
