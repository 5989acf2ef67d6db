mod accounts;
mod doctor;
mod history_cli;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use clap::Parser;
use tracing_subscriber::EnvFilter;

use atajo::assistant::{self, Assistant};
use atajo::cli::{
    CheckArgs, Cli, Command, DoctorArgs, EvalArgs, ExplainArgs, LangArg, PluginsArgs, RulesArgs,
    ServeArgs, TranslateArgs,
};
use atajo::config::Config;
use atajo::exec::{Limits, Sandbox};
use atajo::history::{self, History};
use atajo::lang::Lang;
use atajo::policy::{self, Context};
use atajo::server::{self, ServerOptions};
use atajo::session::Services;
use atajo::workspace::{self, STATE_DIR, Workspace};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Translate(args) => {
            if std::env::var_os("ATAJO_LOG").is_some() {
                init_logging();
            }
            translate(&args)
        }
        Command::Check(args) => check(&args),
        Command::Explain(args) => explain(&args),
        Command::Rules(args) => rules(&args),
        Command::Plugins(args) => plugins(&args),
        Command::Eval(args) => eval(&args),
        Command::Doctor(args) => doctor(&args),
        Command::Probe(args) => doctor::probe(&args.what),
        Command::User(cmd) => accounts::user(cmd),
        Command::Sessions(cmd) => accounts::sessions(cmd),
        Command::Token(cmd) => accounts::token(cmd),
        Command::History(args) => history_cli::history(args),
        Command::Audit(cmd) => history_cli::audit_cmd(cmd),
        Command::Serve(args) => {
            init_logging();
            match serve(&args) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("atajo: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// Logs to stderr: text for a person, or one JSON object per line with
/// `ATAJO_LOG_FORMAT=json` (for a log collector).
fn init_logging() {
    let filter = EnvFilter::try_from_env("ATAJO_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("ATAJO_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().with_current_span(false).init();
    } else {
        builder.with_ansi(std::io::stderr().is_terminal()).init();
    }
}

fn lang_of(arg: LangArg) -> Option<Lang> {
    match arg {
        LangArg::Auto => None,
        LangArg::Es => Some(Lang::Es),
        LangArg::En => Some(Lang::En),
    }
}

/// Names `atajo translate` reads around the current folder at most.
const CLI_CONTEXT_ENTRIES: usize = 20_000;

fn translate(args: &TranslateArgs) -> ExitCode {
    let text = args.text.join(" ");
    let Ok(cwd) = std::env::current_dir() else {
        eprintln!("atajo: the current folder cannot be read");
        return ExitCode::FAILURE;
    };
    // Settings as `serve` reads them (atajo.toml, ATAJO_* variables): plugins and a model
    // answer here too.
    let settings = match Config::load(&ServeArgs::default())
        .map_err(anyhow::Error::from)
        .and_then(|c| Ok(c.assistant_settings(args.root.as_deref())?))
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("atajo: {e:#}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("atajo: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    // The names around the current folder help resolve "la carpeta musica" or "the pdf":
    // beneath the root when one is given and holds it, else one level up (a guessed root, so
    // what lies above it is not known).
    let (root, rel, top_known) = match args.root.as_deref().and_then(|r| r.canonicalize().ok()) {
        Some(r) if cwd.starts_with(&r) => {
            let rel = cwd
                .strip_prefix(&r)
                .map(Path::to_path_buf)
                .unwrap_or_default();
            (r, rel, true)
        }
        _ => match (cwd.parent(), cwd.file_name()) {
            (Some(p), Some(name)) => (p.to_path_buf(), PathBuf::from(name), false),
            _ => (cwd.clone(), PathBuf::new(), false),
        },
    };
    let settings = assistant::AssistantSettings {
        top_known,
        ..settings
    };
    let t = runtime.block_on(async {
        let (assistant, errors) = match Assistant::new(settings).await {
            Ok(a) => a,
            Err(e) => return Err(e.to_string()),
        };
        for e in errors {
            eprintln!("atajo: plugin left out: {e}");
        }
        let ws = match Workspace::open(&root) {
            Ok(ws) => ws,
            Err(e) => return Err(e.to_string()),
        };
        ws.tree().load_around(&rel, CLI_CONTEXT_ENTRIES);
        Ok(assistant
            .translate(&text, lang_of(args.lang), ws.tree(), &rel)
            .await)
    });
    let t = match t {
        Ok(t) => t,
        Err(e) => {
            eprintln!("atajo: {e}");
            return ExitCode::from(2);
        }
    };
    if args.json {
        match serde_json::to_string(&t) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("atajo: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        match &t.command {
            Some(c) => println!("{c}\n# {}", t.explanation),
            None => println!("# {}", t.explanation),
        }
    }
    ExitCode::SUCCESS
}

/// The rule files that apply to a workspace: the user's, the workspace's own, then `extra`.
fn rule_files(root: &Path, extra: &[PathBuf]) -> Vec<PathBuf> {
    let config_home = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
    let mut files: Vec<PathBuf> = config_home
        .map(|c| c.join("atajo").join("rules.toml"))
        .into_iter()
        .chain(std::iter::once(root.join(STATE_DIR).join("rules.toml")))
        .filter(|p| p.is_file())
        .collect();
    files.extend(extra.iter().cloned());
    files
}

fn rules(args: &RulesArgs) -> ExitCode {
    let root = match &args.root {
        Some(r) => r.clone(),
        None => PathBuf::from("."),
    };
    let files = rule_files(&root, &args.rules);
    match policy::Rules::load(&files) {
        Ok(rules) => {
            let mut names: Vec<&str> = rules.names().collect();
            names.sort_unstable();
            for f in &files {
                println!("loaded {}", f.display());
            }
            println!(
                "{} programs, every example checked: {}",
                names.len(),
                names.join(" ")
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("atajo: {e}");
            ExitCode::FAILURE
        }
    }
}

fn plugins(args: &PluginsArgs) -> ExitCode {
    let dirs = assistant::Plugins::dirs(Some(&args.root));
    let (plugins, errors) = assistant::Plugins::load(&dirs);
    for d in &dirs {
        println!("looked in {}", d.display());
    }
    for p in plugins.iter() {
        println!(
            "{} ({}; {} examples checked)",
            p.name,
            p.file.display(),
            p.examples
        );
    }
    println!("{} plugin commands loaded", plugins.len());
    for e in &errors {
        eprintln!("atajo: {e}");
    }
    if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The canonical root, the root-relative cwd and the rules a command is judged with;
/// `Err` carries the usage-error exit code after printing why.
fn judging_setup(
    root: &Path,
    cwd: &str,
    extra_rules: &[PathBuf],
) -> Result<(PathBuf, PathBuf, policy::Rules), ExitCode> {
    let root = match root.canonicalize() {
        Ok(r) if r.is_dir() => r,
        Ok(r) => {
            eprintln!("atajo: --root {} is not a folder", r.display());
            return Err(ExitCode::from(2));
        }
        Err(e) => {
            eprintln!("atajo: --root {}: {e}", root.display());
            return Err(ExitCode::from(2));
        }
    };
    let cwd = match workspace::normalize_within(&root, Path::new(""), Path::new(cwd)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("atajo: --cwd: {e}");
            return Err(ExitCode::from(2));
        }
    };
    match policy::Rules::load(&rule_files(&root, extra_rules)) {
        Ok(rules) => Ok((root, cwd, rules)),
        Err(e) => {
            eprintln!("atajo: {e}");
            Err(ExitCode::from(2))
        }
    }
}

fn explain(args: &ExplainArgs) -> ExitCode {
    let (root, cwd, rules) = match judging_setup(&args.root, &args.cwd, &args.rules) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let lang = lang_of(args.lang).unwrap_or_else(Lang::from_env);
    let command = args.command.join(" ");
    let ctx = Context {
        root: &root,
        cwd: &cwd,
        rules: &rules,
    };
    let (text, verdict) = policy::explain(&command, ctx, lang);
    if args.json {
        println!(
            "{}",
            serde_json::json!({"explanation": text, "allowed": verdict.allowed, "risk": verdict.risk, "reason": verdict.reason})
        );
    } else {
        println!("{text}");
    }
    ExitCode::SUCCESS
}

fn check(args: &CheckArgs) -> ExitCode {
    let (root, cwd, rules) = match judging_setup(&args.root, &args.cwd, &args.rules) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let command = args.command.join(" ");
    let result = policy::check(
        &command,
        Context {
            root: &root,
            cwd: &cwd,
            rules: &rules,
        },
    );
    let verdict = policy::verdict(&result, Lang::En);
    if args.json {
        println!(
            "{}",
            serde_json::json!({"allowed": verdict.allowed, "risk": verdict.risk, "reason": verdict.reason})
        );
    } else if verdict.allowed {
        println!("allowed ({:?})", verdict.risk);
    } else {
        println!("denied: {}", verdict.reason.unwrap_or_default());
    }
    if verdict.allowed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn serve(args: &ServeArgs) -> anyhow::Result<()> {
    atajo::trim::return_large_allocations();
    let config = Config::load(args)?;
    let addr = config.bind_addr()?;
    let generated = config.token.is_none();
    if generated && !addr.ip().is_loopback() {
        bail!(
            "refusing to listen on {addr} without a configured token: anyone who can reach it \
             could run commands. Set --token or ATAJO_TOKEN (at least 16 characters), or bind \
             to 127.0.0.1."
        );
    }
    let token = match config.token.clone() {
        Some(t) => t,
        None => server::random_hex()?,
    };
    let root = match &config.root {
        Some(r) => r.clone(),
        None => std::env::current_dir().context("cannot read the current folder")?,
    };
    let ws = Workspace::open(&root)?;
    let state = ws.root().join(STATE_DIR);
    std::fs::create_dir_all(&state)
        .with_context(|| format!("cannot create the workspace's folder {}", state.display()))?;
    // The history lives in the data folder, never in the workspace the user searches.
    let legacy = state.join("history.sqlite");
    let mut accounts_db = None;
    let db = match config.data_dir() {
        Some(data) => {
            let db = history::location(&data, ws.root());
            history::prepare(&db, ws.root(), &legacy).with_context(|| {
                format!(
                    "cannot prepare the data folder {} (--data-dir)",
                    data.display()
                )
            })?;
            accounts_db = Some(db.clone());
            db
        }
        None => {
            tracing::warn!(
                "no data folder (neither --data-dir, XDG_DATA_HOME nor HOME): the history stays in .atajo/"
            );
            legacy
        }
    };
    tracing::info!(database = %db.display(), "history and accounts");
    let history = History::open(&db, config.retention())?;
    let store = match &accounts_db {
        Some(path) => Some(Arc::new(atajo::users::Store::open(path)?)),
        None => None,
    };
    let accounts = match &store {
        Some(s) => s.users()?.len(),
        None => 0,
    };
    if accounts > 0 {
        tracing::info!(accounts, "multi-user: people log in with their accounts");
    }
    let sandbox = build_sandbox(&config, &ws)?;
    let rules = Arc::new(policy::Rules::load(&rule_files(ws.root(), &config.rules))?);
    for p in sandbox.protections() {
        if p.active {
            tracing::info!(protection = p.name, "{}", p.detail);
        } else {
            tracing::warn!(protection = p.name, "not in force: {}", p.detail);
        }
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let assistant_settings = config.assistant_settings(Some(ws.root()))?;
    runtime.block_on(async move {
        let (assistant, plugin_errors) = Assistant::new(assistant_settings)
            .await
            .context("cannot set up the assistant")?;
        for e in &plugin_errors {
            tracing::warn!("plugin left out: {e}");
        }
        // The vocabulary checks its own examples, as the program rules do theirs (cargo test
        // fails on any; a server says so and goes on). Off the start path: it takes ~4 ms.
        tokio::task::spawn_blocking(|| {
            let checking = std::time::Instant::now();
            let failures = atajo::assistant::self_test();
            for failure in &failures {
                tracing::warn!("{failure}");
            }
            tracing::debug!(
                ms = checking.elapsed().as_secs_f64() * 1000.0,
                failures = failures.len(),
                "language files' examples checked"
            );
            // What the check touched and freed goes back as start-up's does.
            atajo::trim::release_start_up_pages();
        });
        tracing::info!(
            plugins = assistant.plugins().len(),
            model = assistant.has_model(),
            "assistant ready"
        );
        ws.tree().set_max_entries(config.tree_max_entries);
        let ws = Arc::new(ws);
        let (watcher, changes) = workspace::watch(ws.clone())
            .with_context(|| format!("cannot watch {}", ws.root().display()))?;
        let root_shown = ws.root().display().to_string();
        let services = Arc::new(Services {
            workspace: ws,
            history,
            limits: Limits {
                timeout: config.command_timeout(),
                output_limit: config.output_limit,
            },
            sandbox: Arc::new(sandbox),
            rules,
            assistant: Arc::new(assistant),
            announce: Some(watcher.sender()),
            confined: Default::default(),
            metrics: Default::default(),
        });
        let opts = ServerOptions {
            addr,
            token: token.clone(),
            store,
            database: accounts_db.clone(),
            allow_origin: config.allow_origin.clone(),
            terminals: config.terminal_settings(),
            stop_grace: config.stop_grace(),
            base_path: config.base_path()?,
            trusted_proxies: config.trusted_proxies()?,
            metrics_addr: config.metrics_addr()?,
            notify_after: std::time::Duration::from_secs(config.notify_after),
            cluster_redis: config.cluster_redis.clone(),
        };
        let base = opts.base_path.clone();
        // Once the tree is loaded and the server listens, what only starting needed goes.
        let tree_of = services.workspace.clone();
        server::serve(services, (watcher, changes), opts, move |local| {
            tokio::spawn(async move {
                tree_of.tree().fresh().await;
                atajo::trim::release_start_up_pages();
            });
            // The URL with the token goes to stdout once, never to the log.
            let host = match local.ip() {
                std::net::IpAddr::V4(ip) if ip.is_unspecified() => "127.0.0.1".to_owned(),
                std::net::IpAddr::V6(ip) => format!("[{ip}]"),
                ip => ip.to_string(),
            };
            let url = if generated {
                format!("http://{host}:{}{base}/?token={token}", local.port())
            } else {
                format!(
                    "http://{host}:{}{base}/ (use your configured token)",
                    local.port()
                )
            };
            println!("atajo is serving {root_shown}\n  open {url}");
            tracing::info!(%local, "listening");
        })
        .await?;
        Ok(())
    })
}

/// `atajo eval`: exit 0 when the run completed, 1 under --fail-under, 2 when it could not run.
fn eval(args: &EvalArgs) -> ExitCode {
    match run_eval(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("atajo eval: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run_eval(args: &EvalArgs) -> anyhow::Result<ExitCode> {
    use atajo::assistant::{AssistantSettings, Source};
    use atajo::evaluate::{self, Plan, Setup};

    let mut cases = evaluate::load_cases(&args.cases)?;
    if !args.only.is_empty() {
        let patterns = args
            .only
            .iter()
            .map(|p| glob::Pattern::new(p).with_context(|| format!("--only {p}")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        cases.retain(|c| patterns.iter().any(|p| p.matches(&c.id)));
    }
    if cases.is_empty() {
        bail!("no cases to run in {}", args.cases.display());
    }
    let fixtures_dir = match &args.fixtures {
        Some(d) => d.clone(),
        None => args
            .cases
            .parent()
            .unwrap_or(Path::new("."))
            .join("fixtures"),
    };
    let fixtures = evaluate::load_fixtures(&fixtures_dir)?;
    let config = Config::load(&ServeArgs {
        config: args.config.clone(),
        model_url: args.model_url.clone(),
        model: args.model.clone(),
        assistant_order: args.assistant_order.clone(),
        ..ServeArgs::default()
    })?;
    let configured = config.assistant_settings(None)?;
    // Answers run for real: always confined, whatever the settings say about serving.
    let mut sandbox = config.sandbox_settings();
    sandbox.enabled = true;
    let rules = policy::Rules::load(&rule_files(
        &std::env::current_dir().unwrap_or_default(),
        &[],
    ))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let report = runtime.block_on(async {
        let only = |order: Vec<Source>, model| AssistantSettings {
            order,
            model,
            ..AssistantSettings::default()
        };
        let mut setups = vec![("rules", only(vec![Source::Rules], None))];
        if let Some(m) = &configured.model {
            setups.push(("model", only(vec![Source::Model], Some(m.clone()))));
        }
        let mut built = Vec::new();
        for (label, s) in setups {
            let (assistant, _) = Assistant::new(s).await?;
            built.push(Setup {
                label: label.into(),
                assistant: Arc::new(assistant),
            });
        }
        let (assistant, errors) = Assistant::new(AssistantSettings {
            redis_url: None,
            ..configured.clone()
        })
        .await?;
        for e in errors {
            eprintln!("atajo: plugin left out: {e}");
        }
        // The configured order is its own column only when it can answer differently.
        if assistant.has_model()
            || !assistant.plugins().is_empty()
            || !configured.order.contains(&Source::Rules)
        {
            built.push(Setup {
                label: "configured".into(),
                assistant: Arc::new(assistant),
            });
        }
        let plan = Plan {
            cases: &cases,
            fixtures: &fixtures,
            setups: &built,
            rules: &rules,
            sandbox: &sandbox,
            jobs: args
                .jobs
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())),
        };
        anyhow::Ok(evaluate::evaluate(&plan).await?)
    })?;
    if args.verbose {
        println!("{}", report.failures());
    }
    print!("{}", report.tables());
    if let Some(out) = &args.out {
        let text = serde_json::to_string_pretty(&report.json())?;
        std::fs::write(out, text + "\n").with_context(|| format!("{}", out.display()))?;
    }
    let last = report.setups.last().map(|s| s.total()).unwrap_or_default();
    Ok(match args.fail_under {
        Some(pct) if last.percent() < pct => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    })
}

/// The sandbox as `serve` would build it for a root, or the reason it cannot be.
fn build_sandbox(config: &Config, ws: &Workspace) -> anyhow::Result<Sandbox> {
    Ok(Sandbox::new(ws.root(), &config.sandbox_settings())?)
}

fn doctor(args: &DoctorArgs) -> ExitCode {
    let serve_args = ServeArgs {
        root: args.root.clone(),
        config: args.config.clone(),
        run_as: args.run_as.clone(),
        ..ServeArgs::default()
    };
    let result = Config::load(&serve_args)
        .map_err(anyhow::Error::from)
        .and_then(|config| {
            let root = match &config.root {
                Some(r) => r.clone(),
                None => std::env::current_dir().context("cannot read the current folder")?,
            };
            let ws = Workspace::open(&root)?;
            let sandbox = build_sandbox(&config, &ws)?;
            Ok((ws, sandbox))
        });
    let (ws, sandbox) = match result {
        Ok(v) => v,
        Err(e) => {
            if args.json {
                println!(
                    "{}",
                    serde_json::json!({"ok": false, "error": format!("{e:#}")})
                );
            } else {
                println!("sandbox: NOT AVAILABLE\n  {e:#}");
            }
            return ExitCode::from(1);
        }
    };
    let protections = sandbox.protections();
    let probes = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(doctor::probes(&ws, &sandbox)),
        Err(e) => {
            eprintln!("atajo: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let ok = sandbox.enabled()
        && protections.iter().all(|p| p.active)
        && probes.iter().all(|p| p.passed);
    if args.json {
        println!(
            "{}",
            serde_json::json!({"ok": ok, "protections": protections, "probes": probes})
        );
    } else {
        println!("atajo doctor — sandbox for {}", ws.root().display());
        for p in &protections {
            let mark = if p.active { "on " } else { "OFF" };
            println!("  [{mark}] {:<20} {}", p.name, p.detail);
        }
        println!("escape attempts, run for real inside the sandbox:");
        for p in &probes {
            let mark = if p.passed { "ok  " } else { "FAIL" };
            println!("  [{mark}] {:<44} {}", p.attempt, p.result);
        }
        println!(
            "{}",
            if ok {
                "all protections active; every attempt contained"
            } else {
                "some protections are missing or an attempt was not contained (see above)"
            }
        );
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
