//! Server settings, layered: defaults < atajo.toml < ATAJO_* environment < flags.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::cli::ServeArgs;
use crate::exec::{ResourceLimits, SandboxSettings};

pub const DEFAULT_BIND: &str = "127.0.0.1:8470";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The folder served; `None` means the current directory.
    pub root: Option<PathBuf>,
    pub bind: String,
    pub token: Option<String>,
    pub allow_origin: Vec<String>,
    /// Seconds before a command is killed.
    pub timeout: u64,
    /// Bytes of output kept per command before it is cut with a marker.
    pub output_limit: usize,
    /// Confine every command (landlock, seccomp, namespaces, limits). Turning it off leaves the
    /// policy as the only layer; start-up refuses to run without landlock unless it is off.
    pub sandbox: bool,
    /// When the server runs as root: the user commands run as (name or uid).
    pub run_as: Option<String>,
    /// Resource limits for every command (`[limits]` in atajo.toml).
    pub limits: ResourceLimits,
    /// Extra program-rule files, loaded after the built-in rules,
    /// ~/.config/atajo/rules.toml and the workspace's .atajo/rules.toml.
    pub rules: Vec<PathBuf>,
    /// Who answers instructions, in order: "plugins,rules,model".
    pub assistant_order: String,
    /// An OpenAI-compatible endpoint up to /v1 (the key comes from ATAJO_MODEL_KEY or
    /// model_key_file, never from this file).
    pub model_url: Option<String>,
    pub model: Option<String>,
    pub model_key_file: Option<PathBuf>,
    /// Seconds to wait for the model per attempt.
    pub model_timeout: u64,
    pub model_retries: u32,
    /// Translations kept in memory.
    pub cache_size: u64,
    /// A Redis server shared as a translation cache, e.g. redis://127.0.0.1:6379/.
    pub redis_url: Option<String>,
    /// Entries the workspace model loads on its first walk at most (about 150–200 bytes each);
    /// folders beyond are loaded when someone opens them.
    pub tree_max_entries: usize,
    /// Where atajo keeps its own state (the history): outside the workspace, so the user's
    /// `grep -r` and `find` never meet it. [default: $XDG_DATA_HOME/atajo, else
    /// ~/.local/share/atajo]
    pub data_dir: Option<PathBuf>,
    /// Let clients open shell terminals: bash in a PTY, confined by the sandbox but not judged
    /// by the policy (`--shell`, ATAJO_SHELL=1).
    #[serde(deserialize_with = "flag")]
    pub shell: bool,
    /// Seconds a shell terminal without clients waits for one to come back.
    pub shell_grace: u64,
    /// Shell terminals the server keeps at most.
    pub shell_max: usize,
    /// Lines that scrolled off kept per shell terminal, for a client that comes back.
    pub shell_history: usize,
    /// History and audit rows kept (the newest).
    pub history_max_rows: u64,
    /// Days history and audit rows are kept.
    pub history_max_days: u64,
    /// Seconds running commands get to finish when the server is told to stop (SIGTERM,
    /// SIGINT) before they are stopped.
    pub stop_grace: u64,
    /// The path the web app is served under behind a proxy, e.g. `/atajo` (every URL of the
    /// app follows it; `""` serves at the root).
    pub base_path: String,
    /// Proxies (addresses or networks, e.g. `127.0.0.1`, `10.0.0.0/8`) whose
    /// `X-Forwarded-For` names the client: rate limits and logs then see the person's address
    /// rather than the proxy's.
    pub trusted_proxies: Vec<String>,
    /// A loopback HOST:PORT that serves `/metrics` (and `/healthz`, `/readyz`) without a token,
    /// for a Prometheus on the same machine.
    pub metrics_bind: Option<String>,
    /// On a desktop: a command that ran at least this many seconds and ends while its page is
    /// hidden is announced by a notification.
    pub notify_after: u64,
    /// The Redis (`redis://host:port`) that joins several processes serving this one workspace
    /// (same root, same data folder): who ran what, who is here and ended sessions reach them
    /// all. Needs the `cluster` feature.
    pub cluster_redis: Option<String>,
}

/// A yes/no setting as people write it: true/false, 1/0, yes/no, on/off.
fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Bool(bool),
        Num(i64),
        Text(String),
    }
    match Raw::deserialize(d)? {
        Raw::Bool(b) => Ok(b),
        Raw::Num(n) => Ok(n != 0),
        Raw::Text(t) => match t.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" | "" => Ok(false),
            other => Err(serde::de::Error::custom(format!(
                "{other:?} is not a yes/no value (true/false, 1/0, yes/no, on/off)"
            ))),
        },
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            root: None,
            bind: DEFAULT_BIND.to_owned(),
            token: None,
            allow_origin: Vec::new(),
            timeout: 30,
            output_limit: 1024 * 1024,
            sandbox: true,
            run_as: None,
            limits: ResourceLimits::default(),
            rules: Vec::new(),
            assistant_order: "plugins,rules,model".to_owned(),
            model_url: None,
            model: None,
            model_key_file: None,
            model_timeout: 10,
            model_retries: 1,
            cache_size: 10_000,
            redis_url: None,
            tree_max_entries: crate::workspace::tree::DEFAULT_MAX_ENTRIES,
            data_dir: None,
            shell: false,
            shell_grace: 300,
            shell_max: 16,
            shell_history: 10_000,
            history_max_rows: 1_000_000,
            history_max_days: 365,
            stop_grace: 10,
            base_path: String::new(),
            trusted_proxies: Vec::new(),
            metrics_bind: None,
            notify_after: 10,
            cluster_redis: None,
        }
    }
}

impl Config {
    /// How much history is kept.
    pub fn retention(&self) -> crate::history::Retention {
        crate::history::Retention {
            max_rows: self.history_max_rows.max(1),
            max_days: self.history_max_days.max(1),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid settings: {0}")]
    Invalid(#[from] Box<figment::Error>),
    #[error("settings file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("--bind {0:?} is not HOST:PORT with an IP address (e.g. 127.0.0.1:8470)")]
    Bind(String),
    #[error("the token must be at least 16 characters long")]
    ShortToken,
    #[error("assistant settings: {0}")]
    Assistant(String),
    #[error(transparent)]
    Front(#[from] crate::server::FrontError),
    #[error(
        "metrics_bind {0:?} must be a loopback HOST:PORT such as 127.0.0.1:9470: metrics there need no token (elsewhere, scrape /metrics on the main port with one)"
    )]
    MetricsBind(String),
}

/// Only the flags a person actually gave, so that they override without erasing lower layers.
#[derive(Serialize)]
struct FlagLayer<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    root: Option<&'a PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bind: Option<&'a String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<&'a String>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    allow_origin: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sandbox: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    run_as: Option<&'a String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    model_url: Option<&'a String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<&'a String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redis_url: Option<&'a String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    assistant_order: Option<&'a String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data_dir: Option<&'a PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shell: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stop_grace: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    base_path: Option<&'a String>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    trusted_proxies: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    metrics_bind: Option<&'a String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster_redis: Option<&'a String>,
}

/// The names of the settings, taken from `Config` itself so the list cannot drift.
fn setting_names() -> Vec<String> {
    match serde_json::to_value(Config::default()) {
        Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

impl Config {
    pub fn load(args: &ServeArgs) -> Result<Self, ConfigError> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match &args.config {
            Some(path) if !path.exists() => return Err(ConfigError::MissingFile(path.clone())),
            Some(path) => fig = fig.merge(Toml::file(path)),
            None => fig = fig.merge(Toml::file("atajo.toml")),
        }
        // Only the settings: ATAJO_LOG and friends are not settings, and must not break start-up.
        let keys = setting_names();
        fig = fig.merge(
            Env::prefixed("ATAJO_").filter(move |k| keys.iter().any(|name| k == name.as_str())),
        );
        fig = fig.merge(Serialized::defaults(FlagLayer {
            root: args.root.as_ref(),
            bind: args.bind.as_ref(),
            token: args.token.as_ref(),
            allow_origin: &args.allow_origin,
            timeout: args.timeout,
            sandbox: args.no_sandbox.then_some(false),
            run_as: args.run_as.as_ref(),
            model_url: args.model_url.as_ref(),
            model: args.model.as_ref(),
            redis_url: args.redis_url.as_ref(),
            assistant_order: args.assistant_order.as_ref(),
            data_dir: args.data_dir.as_ref(),
            shell: args.shell.then_some(true),
            stop_grace: args.stop_grace,
            base_path: args.base_path.as_ref(),
            trusted_proxies: &args.trusted_proxy,
            metrics_bind: args.metrics_bind.as_ref(),
            cluster_redis: args.cluster_redis.as_ref(),
        }));
        let config: Config = fig.extract().map_err(Box::new)?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.bind_addr()?;
        crate::assistant::parse_order(&self.assistant_order).map_err(ConfigError::Assistant)?;
        if self.token.as_ref().is_some_and(|t| t.len() < 16) {
            return Err(ConfigError::ShortToken);
        }
        crate::server::normalize_base(&self.base_path)?;
        crate::server::parse_proxies(&self.trusted_proxies)?;
        self.metrics_addr()?;
        Ok(())
    }

    pub fn bind_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.bind
            .parse()
            .map_err(|_| ConfigError::Bind(self.bind.clone()))
    }

    pub fn sandbox_settings(&self) -> SandboxSettings {
        SandboxSettings {
            enabled: self.sandbox,
            run_as: self.run_as.clone(),
            limits: self.limits,
        }
    }

    /// The assistant's sources, model and cache; plugins from the user's folder and the
    /// workspace's `.atajo/plugins`.
    pub fn assistant_settings(
        &self,
        root: Option<&std::path::Path>,
    ) -> Result<crate::assistant::AssistantSettings, ConfigError> {
        use crate::assistant::{AssistantSettings, Plugins, model_settings, parse_order};
        let model = model_settings(
            self.model_url.as_deref(),
            self.model.as_deref(),
            self.model_key_file.as_deref(),
            Duration::from_secs(self.model_timeout.max(1)),
            self.model_retries.min(5),
        )
        .map_err(ConfigError::Assistant)?;
        Ok(AssistantSettings {
            order: parse_order(&self.assistant_order).map_err(ConfigError::Assistant)?,
            model,
            cache_capacity: self.cache_size,
            redis_url: self.redis_url.clone(),
            plugin_dirs: Plugins::dirs(root),
            top_known: true,
        })
    }

    /// The data folder: the setting, else the XDG data folder; `None` when neither the
    /// setting nor XDG_DATA_HOME nor HOME says where.
    pub fn data_dir(&self) -> Option<PathBuf> {
        let from_env = |name: &str| {
            std::env::var_os(name)
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
        };
        self.data_dir
            .clone()
            .or_else(|| from_env("XDG_DATA_HOME").map(|d| d.join("atajo")))
            .or_else(|| from_env("HOME").map(|h| h.join(".local/share/atajo")))
    }

    /// Shell terminals' settings, or `None` when they are off.
    pub fn terminal_settings(&self) -> Option<crate::terminal::TerminalSettings> {
        self.shell.then(|| crate::terminal::TerminalSettings {
            grace: Duration::from_secs(self.shell_grace),
            max_terminals: self.shell_max.max(1),
            history_lines: self.shell_history,
            ..crate::terminal::TerminalSettings::default()
        })
    }

    /// `""` or `/atajo`.
    pub fn base_path(&self) -> Result<String, ConfigError> {
        Ok(crate::server::normalize_base(&self.base_path)?)
    }

    pub fn trusted_proxies(&self) -> Result<Vec<ipnet::IpNet>, ConfigError> {
        Ok(crate::server::parse_proxies(&self.trusted_proxies)?)
    }

    /// The loopback address for token-free metrics, if asked for.
    pub fn metrics_addr(&self) -> Result<Option<SocketAddr>, ConfigError> {
        let Some(raw) = &self.metrics_bind else {
            return Ok(None);
        };
        match raw.parse::<SocketAddr>() {
            Ok(a) if a.ip().is_loopback() => Ok(Some(a)),
            _ => Err(ConfigError::MetricsBind(raw.clone())),
        }
    }

    pub fn stop_grace(&self) -> Duration {
        Duration::from_secs(self.stop_grace)
    }

    pub fn command_timeout(&self) -> Duration {
        Duration::from_secs(self.timeout.max(1))
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's own signature
mod tests {
    use super::*;
    use figment::Jail;

    #[test]
    fn layers_apply_in_order() {
        Jail::expect_with(|jail| {
            jail.create_file("atajo.toml", "bind = \"127.0.0.1:9001\"\ntimeout = 5\n")?;
            let c = Config::load(&ServeArgs::default()).map_err(|e| e.to_string())?;
            assert_eq!(c.bind, "127.0.0.1:9001");
            assert_eq!(c.timeout, 5);

            jail.set_env("ATAJO_BIND", "127.0.0.1:9002");
            let c = Config::load(&ServeArgs::default()).map_err(|e| e.to_string())?;
            assert_eq!(c.bind, "127.0.0.1:9002");
            assert_eq!(c.timeout, 5, "the file still counts where env is silent");

            let flags = ServeArgs {
                bind: Some("127.0.0.1:9003".into()),
                ..ServeArgs::default()
            };
            let c = Config::load(&flags).map_err(|e| e.to_string())?;
            assert_eq!(c.bind, "127.0.0.1:9003");
            Ok(())
        });
    }

    #[test]
    fn unrelated_atajo_variables_do_not_break_start_up() {
        Jail::expect_with(|jail| {
            jail.set_env("ATAJO_LOG", "debug");
            jail.set_env("ATAJO_SOMETHING_ELSE", "1");
            jail.set_env("ATAJO_TIMEOUT", "7");
            let c = Config::load(&ServeArgs::default()).map_err(|e| e.to_string())?;
            assert_eq!(c.timeout, 7);
            Ok(())
        });
    }

    #[test]
    fn shell_terminals_are_off_unless_asked_for_in_any_spelling() {
        Jail::expect_with(|jail| {
            let c = Config::load(&ServeArgs::default()).map_err(|e| e.to_string())?;
            assert!(c.terminal_settings().is_none());
            for yes in ["1", "true", "yes", "on"] {
                jail.set_env("ATAJO_SHELL", yes);
                let c = Config::load(&ServeArgs::default()).map_err(|e| e.to_string())?;
                assert!(c.shell, "{yes}");
            }
            jail.set_env("ATAJO_SHELL", "0");
            let c = Config::load(&ServeArgs::default()).map_err(|e| e.to_string())?;
            assert!(!c.shell);
            let flags = ServeArgs {
                shell: true,
                ..ServeArgs::default()
            };
            let c = Config::load(&flags).map_err(|e| e.to_string())?;
            assert_eq!(c.terminal_settings().map(|t| t.max_terminals), Some(16));
            jail.set_env("ATAJO_SHELL", "maybe");
            let err = Config::load(&ServeArgs::default()).unwrap_err().to_string();
            assert!(err.contains("yes/no"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn bad_settings_are_named() {
        Jail::expect_with(|jail| {
            jail.create_file("atajo.toml", "bnd = 1\n")?;
            let err = Config::load(&ServeArgs::default()).unwrap_err().to_string();
            assert!(err.contains("bnd"), "{err}");
            Ok(())
        });
        let flags = ServeArgs {
            bind: Some("localhost".into()),
            ..ServeArgs::default()
        };
        assert!(matches!(Config::load(&flags), Err(ConfigError::Bind(_))));
    }
}
