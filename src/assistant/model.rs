//! Any OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, llama.cpp server, vLLM,
//! LM Studio) as a translator for what the rules do not cover. Its answer is untrusted text:
//! it becomes a command only through the policy, like anything typed.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::lang::Lang;

/// Where the model is and how long to wait for it.
#[derive(Clone)]
pub struct ModelSettings {
    /// Base URL up to `/v1` (e.g. `http://127.0.0.1:11434/v1`); `/chat/completions` is added.
    pub url: String,
    pub model: String,
    /// Sent as `Authorization: Bearer …`; read from the environment or a file, never logged.
    pub key: Option<String>,
    pub timeout: Duration,
    /// Further attempts after a failure that may pass (timeout, connection, 429, 5xx).
    pub retries: u32,
}

impl fmt::Debug for ModelSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ModelSettings")
            .field("url", &self.url)
            .field("model", &self.model)
            .field("key", &self.key.as_ref().map(|_| "<hidden>"))
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("the model did not answer within {0:?}")]
    Timeout(Duration),
    #[error("could not reach the model at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the model server answered HTTP {status}: {body}")]
    Status { status: u16, body: String },
    #[error("the model's answer is not the expected JSON: {0}")]
    Malformed(String),
    #[error("the model settings are invalid: {0}")]
    Settings(String),
}

impl ModelError {
    fn may_pass(&self) -> bool {
        match self {
            ModelError::Timeout(_) | ModelError::Unreachable { .. } => true,
            ModelError::Status { status, .. } => *status == 429 || *status >= 500,
            ModelError::Malformed(_) | ModelError::Settings(_) => false,
        }
    }
}

/// What the model proposes.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ModelAnswer {
    pub command: Option<String>,
    pub explanation: String,
}

/// What the model is told besides the instruction.
pub struct Prompt<'a> {
    pub text: &'a str,
    pub lang: Lang,
    /// Root-relative, `""` for the root.
    pub cwd: &'a str,
    /// Some names in the cwd, folders ending in `/`.
    pub listing: &'a [String],
    /// Instructions of the language files like this one, and what they become here.
    pub examples: &'a [super::shots::Shot],
}

/// Longest answer body read from the server.
const MAX_BODY: usize = 256 * 1024;
/// Names of the cwd the prompt carries at most.
pub const LISTING_NAMES: usize = 60;

pub struct ModelClient {
    settings: ModelSettings,
    endpoint: String,
    http: reqwest::Client,
}

impl ModelClient {
    pub fn new(settings: ModelSettings) -> Result<Self, ModelError> {
        let base = settings.url.trim_end_matches('/');
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(ModelError::Settings(format!(
                "the model URL must start with http:// or https:// (got {base:?})"
            )));
        }
        if settings.model.trim().is_empty() {
            return Err(ModelError::Settings("the model name is empty".into()));
        }
        let endpoint = if base.ends_with("/chat/completions") {
            base.to_owned()
        } else {
            format!("{base}/chat/completions")
        };
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .build()
            .map_err(|e| ModelError::Settings(e.to_string()))?;
        Ok(Self {
            settings,
            endpoint,
            http,
        })
    }

    /// Asks the model, retrying what may pass with a short backoff.
    pub async fn translate(&self, prompt: &Prompt<'_>) -> Result<ModelAnswer, ModelError> {
        let body = request_body(&self.settings.model, prompt);
        let mut attempt = 0;
        loop {
            match self.once(&body).await {
                Ok(a) => return Ok(a),
                Err(e) if e.may_pass() && attempt < self.settings.retries => {
                    attempt += 1;
                    tracing::debug!(error = %e, attempt, "model request failed; retrying");
                    tokio::time::sleep(Duration::from_millis(150 * u64::from(attempt))).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn once(&self, body: &Value) -> Result<ModelAnswer, ModelError> {
        let mut req = self.http.post(&self.endpoint).json(body);
        if let Some(key) = &self.settings.key {
            req = req.bearer_auth(key);
        }
        let resp = req.send().await.map_err(|e| self.transport(e))?;
        let status = resp.status();
        let streamed = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        let bytes = read_capped(resp).await.map_err(|e| self.transport(e))?;
        let text = String::from_utf8_lossy(&bytes);
        if !status.is_success() {
            return Err(ModelError::Status {
                status: status.as_u16(),
                body: text.chars().take(300).collect(),
            });
        }
        let content = if streamed {
            streamed_content(&text)?
        } else {
            message_content(&text)?
        };
        parse_answer(&content)
    }

    fn transport(&self, e: reqwest::Error) -> ModelError {
        if e.is_timeout() {
            ModelError::Timeout(self.settings.timeout)
        } else {
            // Without the URL's query (a key may hide there) and without the request.
            ModelError::Unreachable {
                url: self
                    .endpoint
                    .split('?')
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
                reason: e.without_url().to_string(),
            }
        }
    }
}

async fn read_capped(mut resp: reqwest::Response) -> Result<Vec<u8>, reqwest::Error> {
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        let room = MAX_BODY.saturating_sub(out.len());
        out.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if out.len() >= MAX_BODY {
            break;
        }
    }
    Ok(out)
}

fn request_body(model: &str, p: &Prompt<'_>) -> Value {
    let language = match p.lang {
        Lang::Es => "Spanish",
        Lang::En => "English",
    };
    let cwd = if p.cwd.is_empty() { "." } else { p.cwd };
    let listing = if p.listing.is_empty() {
        "(empty)".to_owned()
    } else {
        p.listing.join(", ")
    };
    let mut examples = String::new();
    if !p.examples.is_empty() {
        examples.push_str("\nExamples (instruction -> answer):");
        for e in p.examples {
            let answer = json!({"command": e.want});
            examples.push_str(&format!("\n{} -> {answer}", json!(e.say)));
        }
    }
    let system = format!(
        "You turn file-management instructions into ONE POSIX shell command that runs in the \
         current folder of a workspace. Use only common tools (ls, cat, mkdir, touch, cp, mv, \
         rm, find, grep, sed, head, tail, wc, du, tree, tar, zip, unzip, chmod, sort). Paths \
         stay inside the workspace: never absolute paths, `..` above it, `~`, network tools, \
         sudo, shells, interpreters, command substitution or variables. Quote every name with \
         single quotes when it has spaces or special characters. If the request is not about \
         files in this workspace, is unsafe, or is unclear, answer with command null and say \
         why. The explanation is one short sentence in {language}.\n\
         Current folder: {cwd}\nIt contains: {listing}{examples}"
    );
    json!({
        "model": model,
        "temperature": 0,
        "stream": false,
        "messages": [
            {"role": "system", "content": system},
            {"role": "user", "content": p.text},
        ],
        "response_format": {
            "type": "json_schema",
            "json_schema": {
                "name": "shell_command",
                "strict": true,
                "schema": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["command", "explanation"],
                    "properties": {
                        "command": {"type": ["string", "null"]},
                        "explanation": {"type": "string"},
                    },
                },
            },
        },
    })
}

fn message_content(body: &str) -> Result<String, ModelError> {
    let v: Value = serde_json::from_str(body)
        .map_err(|e| ModelError::Malformed(format!("the body is not JSON ({e})")))?;
    v.pointer("/choices/0/message/content")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| ModelError::Malformed("no choices[0].message.content".into()))
}

/// A server that streams anyway (`data: {…}` lines): the deltas joined.
fn streamed_content(body: &str) -> Result<String, ModelError> {
    let mut out = String::new();
    for line in body.lines() {
        let Some(data) = line.strip_prefix("data:").map(str::trim) else {
            continue;
        };
        if data == "[DONE]" {
            break;
        }
        let v: Value = serde_json::from_str(data)
            .map_err(|e| ModelError::Malformed(format!("a stream event is not JSON ({e})")))?;
        if let Some(piece) = v
            .pointer("/choices/0/delta/content")
            .and_then(Value::as_str)
        {
            out.push_str(piece);
        }
    }
    if out.is_empty() {
        return Err(ModelError::Malformed(
            "the stream carried no content".into(),
        ));
    }
    Ok(out)
}

/// The `{command, explanation}` object, also when a model wraps it in a Markdown fence.
fn parse_answer(content: &str) -> Result<ModelAnswer, ModelError> {
    let t = content.trim();
    let t = t
        .strip_prefix("```json")
        .or_else(|| t.strip_prefix("```"))
        .and_then(|s| s.strip_suffix("```"))
        .unwrap_or(t)
        .trim();
    let answer: ModelAnswer = serde_json::from_str(t).map_err(|e| {
        let shown: String = t.chars().take(120).collect();
        ModelError::Malformed(format!("{e} in {shown:?}"))
    })?;
    let command = answer
        .command
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    if command.as_deref().is_some_and(|c| c.len() > 4096) {
        return Err(ModelError::Malformed(
            "the command is longer than 4096 bytes".into(),
        ));
    }
    Ok(ModelAnswer {
        command,
        explanation: answer.explanation.trim().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_in_every_shape_servers_use() {
        let plain = parse_answer(r#"{"command": "ls -la", "explanation": "Lists."}"#).unwrap();
        assert_eq!(plain.command.as_deref(), Some("ls -la"));
        let fenced =
            parse_answer("```json\n{\"command\": null, \"explanation\": \"No.\"}\n```").unwrap();
        assert_eq!(fenced.command, None);
        let blank = parse_answer(r#"{"command": "  ", "explanation": "x"}"#).unwrap();
        assert_eq!(blank.command, None);
        assert!(matches!(
            parse_answer("ls -la"),
            Err(ModelError::Malformed(_))
        ));
        assert!(matches!(
            parse_answer(r#"{"command": 5}"#),
            Err(ModelError::Malformed(_))
        ));
        let sse = "data: {\"choices\":[{\"delta\":{\"content\":\"{\\\"command\\\": \\\"pwd\\\",\"}}]}\n\n\
                   data: {\"choices\":[{\"delta\":{\"content\":\" \\\"explanation\\\": \\\"p\\\"}\"}}]}\n\n\
                   data: [DONE]\n";
        let joined = streamed_content(sse).unwrap();
        assert_eq!(
            parse_answer(&joined).unwrap().command.as_deref(),
            Some("pwd")
        );
    }

    #[test]
    fn the_key_never_shows_in_debug_output() {
        let s = ModelSettings {
            url: "http://127.0.0.1:1/v1".into(),
            model: "m".into(),
            key: Some("sk-very-secret".into()),
            timeout: Duration::from_secs(1),
            retries: 0,
        };
        assert!(!format!("{s:?}").contains("very-secret"));
        assert!(
            ModelClient::new(ModelSettings {
                url: "ftp://x".into(),
                ..s.clone()
            })
            .is_err()
        );
    }
}
