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
        }));
        let config: Config = fig.extract().map_err(Box::new)?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.bind_addr()?;
        if self.token.as_ref().is_some_and(|t| t.len() < 16) {
            return Err(ConfigError::ShortToken);
        }
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
