//! The assistant as the pipeline sees it: plugins, the rule engine and an optional model,
//! asked in a configurable order, behind a translation cache. The first one that understands
//! the instruction answers; a refusal or a question from the rules is an answer too (a model
//! is never asked to overrule it).

use std::path::{Path, PathBuf};

use crate::workspace::{Tree, rel_to_string};
use std::str::FromStr;
use std::time::Duration;

use super::cache::{Cached, TranslationCache};
use super::context::Context;
use super::model::{LISTING_NAMES, ModelClient, ModelError, ModelSettings, Prompt};
use super::plugins::{PluginError, Plugins};
use super::say::Say;
use super::{Translation, detect, translate, words};
use crate::lang::Lang;

/// Who may answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Plugins,
    Rules,
    Model,
}

impl FromStr for Source {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "plugins" => Ok(Source::Plugins),
            "rules" => Ok(Source::Rules),
            "model" => Ok(Source::Model),
            other => Err(format!(
                "unknown assistant source {other:?} (use plugins, rules and model)"
            )),
        }
    }
}

/// Examples from the language files shown to a model with each instruction.
const PROMPT_EXAMPLES: usize = 4;

pub const DEFAULT_ORDER: [Source; 3] = [Source::Plugins, Source::Rules, Source::Model];

#[derive(Debug, Clone)]
pub struct AssistantSettings {
    pub order: Vec<Source>,
    pub model: Option<ModelSettings>,
    pub cache_capacity: u64,
    pub redis_url: Option<String>,
    pub plugin_dirs: Vec<PathBuf>,
    /// Whether the tree's root is the workspace's top. `atajo translate` run without `--root`
    /// guesses one (the folder above the current one): then nothing is known to lie above it
    /// or not, and "the parent folder" is never declined for being out of reach.
    pub top_known: bool,
}

impl Default for AssistantSettings {
    fn default() -> Self {
        Self {
            order: DEFAULT_ORDER.to_vec(),
            model: None,
            cache_capacity: 10_000,
            redis_url: None,
            plugin_dirs: Vec::new(),
            top_known: true,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AssistantError {
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Cache(#[from] super::cache::CacheError),
}

pub struct Assistant {
    /// Who may answer, as part of every cache key.
    salt: String,
    order: Vec<Source>,
    plugins: Plugins,
    model: Option<ModelClient>,
    cache: TranslationCache,
    top_known: bool,
}

impl Assistant {
    /// Loads plugins and connects what is configured. Plugin files with errors are left out
    /// and returned, so the caller can say so; everything else still works.
    pub async fn new(s: AssistantSettings) -> Result<(Self, Vec<PluginError>), AssistantError> {
        let (plugins, errors) = Plugins::load(&s.plugin_dirs);
        let salt = format!(
            "{}|{:?}|{}|{}|{}|{}",
            env!("CARGO_PKG_VERSION"),
            s.order,
            s.top_known,
            s.model.as_ref().map_or("", |m| m.url.as_str()),
            s.model.as_ref().map_or("", |m| m.model.as_str()),
            plugins
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(",")
        );
        let model = s.model.map(ModelClient::new).transpose()?;
        let cache = match &s.redis_url {
            Some(url) => TranslationCache::with_redis(s.cache_capacity, url)?,
            None => TranslationCache::local(s.cache_capacity),
        };
        Ok((
            Self {
                salt,
                order: s.order,
                plugins,
                model,
                cache,
                top_known: s.top_known,
            },
            errors,
        ))
    }

    pub fn plugins(&self) -> &Plugins {
        &self.plugins
    }

    pub fn has_model(&self) -> bool {
        self.model.is_some()
    }

    /// Translates `text` said in `cwd` (root-relative), with what the workspace model holds.
    /// The model is read only for the moment each source needs it, never across a wait.
    pub async fn translate(
        &self,
        text: &str,
        lang: Option<Lang>,
        tree: &Tree,
        cwd: &Path,
    ) -> Translation {
        let rel = rel_to_string(cwd);
        let fingerprint = tree.read().fingerprint();
        let key = TranslationCache::key(text, lang, &rel, fingerprint, &self.salt);
        if let Some(hit) = self.cache.get(&key).await {
            tracing::debug!(source = %hit.source, "translation from the cache");
            return from_cache(hit);
        }
        let (t, keep) = self.answer(text, lang, &rel, tree, cwd).await;
        if keep {
            self.cache.put(&key, to_cache(&t)).await;
        }
        t
    }

    /// The answer, and whether it may be cached (not when a model failure shaped it).
    async fn answer(
        &self,
        text: &str,
        lang: Option<Lang>,
        rel: &str,
        tree: &Tree,
        cwd: &Path,
    ) -> (Translation, bool) {
        let mut fallback: Option<Translation> = None;
        let mut trouble: Option<ModelError> = None;
        for source in &self.order {
            match source {
                Source::Plugins => {
                    if let Some((m, said)) = self.plugins.find(text, lang) {
                        let t = Translation {
                            command: Some(m.command),
                            explanation: m.explanation,
                            source: format!("plugin:{}", m.name),
                            confidence: 0.9,
                            lang: lang.unwrap_or(said),
                            understood: true,
                            details: None,
                        };
                        return (t, true);
                    }
                }
                Source::Rules => {
                    let t = {
                        let ctx = Context::new(tree.read(), cwd);
                        let ctx = if self.top_known { ctx } else { ctx.unrooted() };
                        translate(text, lang, &ctx)
                    };
                    if t.understood {
                        return (t, true);
                    }
                    fallback = Some(t);
                }
                Source::Model => {
                    let Some(model) = &self.model else {
                        continue;
                    };
                    let lang = lang.unwrap_or_else(|| detect::language(&words::tokenize(text)));
                    let listing = Context::new(tree.read(), cwd).own_names(LISTING_NAMES);
                    let examples = super::shots::for_instruction(text, lang, PROMPT_EXAMPLES);
                    let prompt = Prompt {
                        text,
                        lang,
                        cwd: rel,
                        listing: &listing,
                        examples: &examples,
                    };
                    match model.translate(&prompt).await {
                        Ok(a) => {
                            let explanation = if a.explanation.is_empty() {
                                Say::new("proposed_by_model").render(lang.code())
                            } else {
                                a.explanation
                            };
                            let t = Translation {
                                understood: a.command.is_some(),
                                command: a.command,
                                explanation,
                                source: "model".into(),
                                confidence: 0.6,
                                lang,
                                details: None,
                            };
                            return (t, true);
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "the model did not answer");
                            trouble = Some(e);
                        }
                    }
                }
            }
        }
        let tokens = words::tokenize(text);
        let code = lang.map_or_else(|| detect::code(&tokens), Lang::code);
        let mut t = fallback.unwrap_or_else(|| super::not_understood(code, &tokens));
        match trouble {
            Some(e) => {
                t.explanation.push_str(
                    &Say::new("model_failed")
                        .plain("error", e.to_string())
                        .render(code),
                );
                (t, false)
            }
            None => (t, true),
        }
    }
}

fn to_cache(t: &Translation) -> Cached {
    Cached {
        command: t.command.clone(),
        explanation: t.explanation.clone(),
        source: t.source.clone(),
        confidence: t.confidence,
        lang: t.lang,
        understood: t.understood,
    }
}

fn from_cache(c: Cached) -> Translation {
    Translation {
        command: c.command,
        explanation: c.explanation,
        source: c.source,
        confidence: c.confidence,
        lang: c.lang,
        understood: c.understood,
        details: None,
    }
}

/// The model's key: `ATAJO_MODEL_KEY`, else the trimmed contents of `key_file`. Never a setting
/// of its own, so it cannot end up in a settings file or a debug print of the settings.
pub fn model_key(key_file: Option<&Path>) -> Result<Option<String>, String> {
    if let Some(k) = std::env::var("ATAJO_MODEL_KEY")
        .ok()
        .filter(|k| !k.is_empty())
    {
        return Ok(Some(k));
    }
    match key_file {
        Some(f) => std::fs::read_to_string(f)
            .map(|k| Some(k.trim().to_owned()).filter(|k| !k.is_empty()))
            .map_err(|e| format!("the model key file {}: {e}", f.display())),
        None => Ok(None),
    }
}

/// `"plugins,rules,model"` → the order; every source at most once.
pub fn parse_order(s: &str) -> Result<Vec<Source>, String> {
    let mut order = Vec::new();
    for part in s.split(',').filter(|p| !p.trim().is_empty()) {
        let source: Source = part.parse()?;
        if order.contains(&source) {
            return Err(format!(
                "{} appears twice in the assistant order",
                part.trim()
            ));
        }
        order.push(source);
    }
    if order.is_empty() {
        return Err("the assistant order is empty".into());
    }
    Ok(order)
}

/// Model settings, when a URL is set.
pub fn model_settings(
    url: Option<&str>,
    model: Option<&str>,
    key_file: Option<&Path>,
    timeout: Duration,
    retries: u32,
) -> Result<Option<ModelSettings>, String> {
    let Some(url) = url.filter(|u| !u.is_empty()) else {
        return Ok(None);
    };
    let model = model
        .filter(|m| !m.is_empty())
        .ok_or("a model URL is set but no model name (ATAJO_MODEL / model)")?;
    Ok(Some(ModelSettings {
        url: url.to_owned(),
        model: model.to_owned(),
        key: model_key(key_file)?,
        timeout,
        retries,
    }))
}
