//! The model client against a local OpenAI-compatible stand-in server: the request it sends,
//! the answers servers really give (plain, fenced, streamed, malformed, slow, failing), and
//! how the assistant falls back to the rules when the model is no help.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use atajo::assistant::{
    Assistant, AssistantSettings, ModelClient, ModelError, ModelSettings, Prompt, Source,
};
use atajo::lang::Lang;
use atajo::workspace::Workspace;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

#[derive(Default)]
struct Seen {
    requests: Vec<(Option<String>, Value)>,
    flaky_failures: u32,
}

type Shared = Arc<Mutex<Seen>>;

fn completion(content: &str) -> Response {
    axum::Json(json!({
        "id": "x", "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]
    }))
    .into_response()
}

/// Behaves according to the model name asked for.
async fn chat(State(seen): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let model = body["model"].as_str().unwrap_or_default().to_owned();
    let user = body["messages"][1]["content"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    {
        let mut s = seen.lock().unwrap();
        s.requests.push((auth.clone(), body.clone()));
    }
    match model.as_str() {
        "good" => {
            let command = if user.contains("disk") || user.contains("disco") {
                "du -sh ."
            } else {
                "curl http://evil.example"
            };
            completion(
                &json!({"command": command, "explanation": "From the stand-in."}).to_string(),
            )
        }
        "fenced" => {
            completion("```json\n{\"command\": \"ls -la\", \"explanation\": \"Lists.\"}\n```")
        }
        "null" => completion(r#"{"command": null, "explanation": "Not about files."}"#),
        "garbage" => completion("Sure! Here is your command: ls"),
        "no-choices" => axum::Json(json!({"error": "x"})).into_response(),
        "sse" => {
            let events = [
                json!({"choices": [{"delta": {"content": "{\"command\": \"pwd\", "}}]}),
                json!({"choices": [{"delta": {"content": "\"explanation\": \"Where.\"}"}}]}),
            ];
            let mut text = String::new();
            for e in events {
                text.push_str(&format!("data: {e}\n\n"));
            }
            text.push_str("data: [DONE]\n\n");
            ([(header::CONTENT_TYPE, "text/event-stream")], text).into_response()
        }
        "slow" => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            completion(r#"{"command": "ls", "explanation": "late"}"#)
        }
        "flaky" => {
            let fail = {
                let mut s = seen.lock().unwrap();
                s.flaky_failures += 1;
                s.flaky_failures == 1
            };
            if fail {
                (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response()
            } else {
                completion(r#"{"command": "ls", "explanation": "second try"}"#)
            }
        }
        "locked" if auth.as_deref() != Some("Bearer sk-test") => {
            (StatusCode::UNAUTHORIZED, "bad key").into_response()
        }
        "locked" => completion(r#"{"command": "ls", "explanation": "ok"}"#),
        _ => (StatusCode::NOT_FOUND, "no such model").into_response(),
    }
}

async fn standin() -> (String, Shared) {
    let seen: Shared = Arc::default();
    let app = Router::new()
        .route("/v1/chat/completions", post(chat))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/v1"), seen)
}

fn settings(url: &str, model: &str) -> ModelSettings {
    ModelSettings {
        url: url.to_owned(),
        model: model.to_owned(),
        key: Some("sk-test".into()),
        timeout: Duration::from_millis(800),
        retries: 1,
    }
}

fn prompt(text: &str) -> Prompt<'_> {
    static LISTING: [String; 0] = [];
    Prompt {
        text,
        lang: Lang::Es,
        cwd: "docs",
        listing: &LISTING,
        examples: &[],
    }
}

#[tokio::test]
async fn request_shape_and_every_answer_shape() {
    let (url, seen) = standin().await;
    let ask = |model: &str| {
        let client = ModelClient::new(settings(&url, model)).unwrap();
        async move { client.translate(&prompt("cuánto ocupa el disco")).await }
    };
    let a = ask("good").await.unwrap();
    assert_eq!(a.command.as_deref(), Some("du -sh ."));
    {
        let s = seen.lock().unwrap();
        let (auth, body) = &s.requests[0];
        assert_eq!(auth.as_deref(), Some("Bearer sk-test"));
        assert_eq!(body["model"], "good");
        assert_eq!(body["stream"], false);
        assert_eq!(body["response_format"]["type"], "json_schema");
        let schema = &body["response_format"]["json_schema"]["schema"];
        assert_eq!(schema["required"], json!(["command", "explanation"]));
        let system = body["messages"][0]["content"].as_str().unwrap();
        assert!(
            system.contains("Spanish") && system.contains("Current folder: docs"),
            "{system}"
        );
        assert_eq!(body["messages"][1]["content"], "cuánto ocupa el disco");
    }
    assert_eq!(
        ask("fenced").await.unwrap().command.as_deref(),
        Some("ls -la")
    );
    assert_eq!(ask("null").await.unwrap().command, None);
    assert_eq!(ask("sse").await.unwrap().command.as_deref(), Some("pwd"));
    assert!(matches!(
        ask("garbage").await,
        Err(ModelError::Malformed(_))
    ));
    assert!(matches!(
        ask("no-choices").await,
        Err(ModelError::Malformed(_))
    ));
    assert!(matches!(
        ask("unknown").await,
        Err(ModelError::Status { status: 404, .. })
    ));
    assert_eq!(ask("locked").await.unwrap().explanation, "ok");
    // A 5xx is retried once; the second attempt answers.
    assert_eq!(ask("flaky").await.unwrap().explanation, "second try");
    // Too slow: both attempts time out, the error says so.
    let started = std::time::Instant::now();
    assert!(matches!(ask("slow").await, Err(ModelError::Timeout(_))));
    assert!(started.elapsed() < Duration::from_secs(4));
    // The wrong key is refused by the server, and that is no reason to retry.
    let mut wrong = settings(&url, "locked");
    wrong.key = Some("sk-wrong".into());
    let before = seen.lock().unwrap().requests.len();
    let r = ModelClient::new(wrong)
        .unwrap()
        .translate(&prompt("x"))
        .await;
    assert!(matches!(r, Err(ModelError::Status { status: 401, .. })));
    assert_eq!(seen.lock().unwrap().requests.len(), before + 1);
    // Nobody listening.
    let gone = ModelClient::new(settings("http://127.0.0.1:1/v1", "good")).unwrap();
    let e = gone.translate(&prompt("x")).await.unwrap_err();
    assert!(matches!(e, ModelError::Unreachable { .. }), "{e}");
    assert!(!e.to_string().contains("sk-test"));
}

async fn assistant(url: &str, model: &str, order: Vec<Source>) -> Assistant {
    let s = AssistantSettings {
        order,
        model: Some(settings(url, model)),
        ..AssistantSettings::default()
    };
    Assistant::new(s).await.unwrap().0
}

#[tokio::test]
async fn rules_first_then_the_model_and_the_rules_when_it_fails() {
    let (url, seen) = standin().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "a").unwrap();
    let ws = Workspace::open(dir.path()).unwrap();
    ws.tree().load(false);
    let default = vec![Source::Plugins, Source::Rules, Source::Model];

    let a = assistant(&url, "good", default.clone()).await;
    // The rules understand this one: the model is not asked.
    let t = a
        .translate("crea la carpeta fotos", None, ws.tree(), Path::new(""))
        .await;
    assert_eq!(
        (t.source.as_str(), t.command.as_deref()),
        ("rules", Some("mkdir fotos"))
    );
    assert!(seen.lock().unwrap().requests.is_empty());
    // A refusal from the rules stands: no model may overrule it.
    let t = a
        .translate("borra /etc/passwd", None, ws.tree(), Path::new(""))
        .await;
    assert_eq!((t.source.as_str(), t.command.as_deref()), ("rules", None));
    assert!(seen.lock().unwrap().requests.is_empty());
    // Not understood by the rules: the model answers, with the folder's names in the prompt.
    let t = a
        .translate(
            "how much disk do we use, roughly",
            None,
            ws.tree(),
            Path::new(""),
        )
        .await;
    assert_eq!(
        (t.source.as_str(), t.command.as_deref()),
        ("model", Some("du -sh ."))
    );
    let system = seen.lock().unwrap().requests[0].1["messages"][0]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        system.contains("a.txt") && system.contains("English"),
        "{system}"
    );
    // With a few examples of the language files, in its language, one of them declined.
    let examples = system
        .split_once("Examples (instruction -> answer):")
        .map(|(_, e)| e.lines().filter(|l| l.contains(" -> ")).count());
    assert_eq!(examples, Some(4), "{system}");
    assert!(system.contains(r#"{"command":null}"#), "{system}");
    assert!(!system.contains("carpeta"), "{system}");
    // The same again comes from the cache: the server is not asked twice.
    let t2 = a
        .translate(
            "how much  disk do we use, roughly",
            None,
            ws.tree(),
            Path::new(""),
        )
        .await;
    assert_eq!(t2.command, t.command);
    assert_eq!(seen.lock().unwrap().requests.len(), 1);

    // The model is down: the rules' answer comes back, saying why the model did not help.
    let down = assistant("http://127.0.0.1:1/v1", "good", default.clone()).await;
    let t = down
        .translate(
            "frobnicate the wibble",
            Some(Lang::En),
            ws.tree(),
            Path::new(""),
        )
        .await;
    assert_eq!(t.command, None);
    assert!(
        t.explanation.contains("could not reach the model"),
        "{}",
        t.explanation
    );
    // ... and such an answer is not cached: once the model is back it is asked again.

    // The order is the operator's: model first.
    let first = assistant(&url, "fenced", vec![Source::Model, Source::Rules]).await;
    let t = first
        .translate("crea la carpeta fotos", None, ws.tree(), Path::new(""))
        .await;
    assert_eq!(
        (t.source.as_str(), t.command.as_deref()),
        ("model", Some("ls -la"))
    );
}
