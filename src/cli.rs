//! Command-line surface. The contracts of `serve`, `translate` and `check` are fixed by
//! DESIGN.md: outside scripts parse their JSON and exit codes.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "atajo",
    version,
    about = "A terminal, a file explorer and a Spanish/English assistant for one folder, in the browser",
    long_about = "atajo serves one folder (the root) to the browser: a terminal, a file explorer and an \
assistant that turns instructions such as \"crea la carpeta PROYECTO\" or \"create a folder called \
docs\" into shell commands. Every command is checked by a policy and runs confined to the root; \
every open explorer shows changes at once.",
    after_help = "Examples:\n  atajo serve                       serve the current folder on http://127.0.0.1:8470\n  atajo serve --root ~/notes --bind 127.0.0.1:9000\n  atajo translate --json \"crear carpeta fotos\"\n  atajo check --json --root . \"mkdir -p a/b\"\n  atajo explain \"grep -rn TODO src | sort\"\n\nSettings are layered: built-in defaults < atajo.toml < ATAJO_* environment variables < flags."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve a folder to the browser (and to Socket.IO clients).
    Serve(ServeArgs),
    /// Turn an instruction in Spanish or English into a shell command (nothing runs).
    Translate(TranslateArgs),
    /// Judge a shell command against the policy for a root folder (nothing runs).
    Check(CheckArgs),
    /// Say in words what a shell command does: programs, options, paths, risk, verdict.
    Explain(ExplainArgs),
    /// Load and self-test the program rules (built-in and the user's), and list the programs.
    Rules(RulesArgs),
    /// Measure the assistant on your own cases (the evaluation's JSON-lines format): every
    /// answer runs in the sandbox on a copy of its fixture and is judged by what it did, for
    /// the rules alone, the model alone and the configured order.
    Eval(EvalArgs),
    /// Load and check the assistant plugins (the user's and the workspace's), and list them.
    Plugins(PluginsArgs),
    /// Say which protections the sandbox has on this machine, and prove them with real
    /// escape attempts (exit 1 when one is missing or an attempt got through).
    Doctor(DoctorArgs),
    /// Manage the accounts of a workspace (atajo is single-user until the first one exists).
    #[command(subcommand)]
    User(UserCommand),
    /// List or end the sessions of a workspace's accounts (browsers and tokens); an ended
    /// session's open pages and scripts are disconnected at once.
    #[command(subcommand)]
    Sessions(SessionsCommand),
    /// Issue tokens for scripts and API clients.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Search what was asked and run in a workspace: instructions, commands, verdicts, exit
    /// codes, newest first.
    History(HistoryArgs),
    /// The append-only audit of a workspace: who ran what, what was refused and why, logins
    /// and account changes.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Internal: one escape attempt, run by `doctor` inside the sandbox.
    #[command(hide = true)]
    Probe(ProbeArgs),
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The workspace the sandbox would confine commands to. [default: current folder]
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Print one JSON object: {"protections": [...], "probes": [...], "ok": bool}.
    #[arg(long)]
    pub json: bool,
    /// Settings file. [default: ./atajo.toml when it exists]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The user commands run as when atajo runs as root.
    #[arg(long, value_name = "USER")]
    pub run_as: Option<String>,
}

#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// read PATH | write PATH | connect HOST:PORT | socket
    #[arg(required = true, num_args = 1..=2)]
    pub what: Vec<String>,
}

#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// Folder to serve; everything atajo does stays beneath it. [default: current folder]
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Address to listen on. Anything but loopback requires a configured token.
    /// [default: 127.0.0.1:8470]
    #[arg(long, value_name = "HOST:PORT")]
    pub bind: Option<String>,
    /// Access token (also ATAJO_TOKEN). Without one a random token is generated and printed once.
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// An extra origin allowed to open Socket.IO connections, e.g. https://example.org (repeatable).
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origin: Vec<String>,
    /// Seconds a command may run before it and everything it started are killed. [default: 30]
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
    /// The path the app is served under behind a proxy, e.g. /atajo (also ATAJO_BASE_PATH).
    #[arg(long, value_name = "PATH")]
    pub base_path: Option<String>,
    /// Also serve /metrics without a token on this loopback HOST:PORT (for a local Prometheus).
    #[arg(long, value_name = "HOST:PORT")]
    pub metrics_bind: Option<String>,
    /// Join the other processes serving this workspace through this Redis, e.g.
    /// redis://127.0.0.1:6379 (needs the `cluster` feature; also ATAJO_CLUSTER_REDIS).
    #[arg(long, value_name = "URL")]
    pub cluster_redis: Option<String>,
    /// A proxy (address or network) whose X-Forwarded-For names the client (repeatable).
    #[arg(long = "trusted-proxy", value_name = "ADDR")]
    pub trusted_proxy: Vec<String>,
    /// Seconds running commands get to finish when the server is told to stop (SIGTERM,
    /// SIGINT; a second signal stops them at once). [default: 10]
    #[arg(long, value_name = "SECONDS")]
    pub stop_grace: Option<u64>,
    /// Settings file. [default: ./atajo.toml when it exists]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Run commands without the sandbox (landlock, seccomp, namespaces, limits): the policy
    /// alone then stands between a command and the machine. Only for kernels without landlock.
    #[arg(long)]
    pub no_sandbox: bool,
    /// When atajo runs as root, the user commands run as (name or uid). [default: the owner of
    /// the root folder; root without capabilities when that is root]
    #[arg(long, value_name = "USER")]
    pub run_as: Option<String>,
    /// An OpenAI-compatible endpoint for what the rules do not understand, up to /v1
    /// (e.g. http://127.0.0.1:11434/v1 for Ollama). The key comes from ATAJO_MODEL_KEY.
    #[arg(long, value_name = "URL")]
    pub model_url: Option<String>,
    /// The model name at --model-url.
    #[arg(long, value_name = "NAME")]
    pub model: Option<String>,
    /// A Redis server to share the translation cache, e.g. redis://127.0.0.1:6379/.
    /// When it is down the local cache is used.
    #[arg(long, value_name = "URL")]
    pub redis_url: Option<String>,
    /// Who answers instructions, in order. [default: plugins,rules,model]
    #[arg(long, value_name = "LIST")]
    pub assistant_order: Option<String>,
    /// Where atajo keeps its own state, such as the history (also ATAJO_DATA_DIR); never
    /// inside the workspace. [default: $XDG_DATA_HOME/atajo, else ~/.local/share/atajo]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Let clients open shell terminals (also ATAJO_SHELL=1): bash in a real terminal, confined
    /// to the folder by the sandbox (no network, nothing outside the root) but with nothing it
    /// runs judged, and nothing deleted going to the trash. The guarded terminal stays.
    #[arg(long)]
    pub shell: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum LangArg {
    #[default]
    Auto,
    Es,
    En,
}

#[derive(Debug, Args)]
pub struct TranslateArgs {
    /// Print one JSON object: {"command", "explanation", "source", "confidence"}.
    #[arg(long)]
    pub json: bool,
    /// Language of the instruction (and of the explanation).
    #[arg(long, value_enum, default_value_t = LangArg::Auto)]
    pub lang: LangArg,
    /// The workspace root, when the current folder is inside one: names up to it help
    /// resolve the instruction (default: the current folder and the one above it).
    #[arg(long, value_name = "DIR")]
    pub root: Option<std::path::PathBuf>,
    /// The instruction, e.g. "crea la carpeta PROYECTO".
    #[arg(required = true, num_args = 1.., value_name = "TEXT")]
    pub text: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Print one JSON object: {"allowed", "risk", "reason"}.
    #[arg(long)]
    pub json: bool,
    /// The workspace root the command would run in.
    #[arg(long, value_name = "DIR")]
    pub root: PathBuf,
    /// Working directory, relative to the root. [default: the root]
    #[arg(long, value_name = "REL", default_value = "")]
    pub cwd: String,
    /// Extra rule files (after the built-in rules, ~/.config/atajo/rules.toml and the
    /// workspace's .atajo/rules.toml).
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// The shell command to judge.
    #[arg(required = true, num_args = 1.., value_name = "COMMAND")]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Print one JSON object: {"explanation", "allowed", "risk", "reason"}.
    #[arg(long)]
    pub json: bool,
    /// Language of the explanation. [default: from LANG]
    #[arg(long, value_enum, default_value_t = LangArg::Auto)]
    pub lang: LangArg,
    /// The workspace root the command would run in.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Working directory, relative to the root. [default: the root]
    #[arg(long, value_name = "REL", default_value = "")]
    pub cwd: String,
    /// Extra rule files.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// The shell command to explain.
    #[arg(required = true, num_args = 1.., value_name = "COMMAND")]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Each line of FILE is one case:\n  {\"id\": \"es-1\", \"lang\": \"es\", \"fixture\": \"basic\", \"cwd\": \".\", \"nl\": \"mueve notas.txt a docs\",\n   \"expect\": [\"mv notas.txt docs/\"], \"intent\": \"move\"}\n\"expect\": null means the request must be refused. Fixtures are JSON trees:\n  {\"name\": \"basic\", \"entries\": [{\"path\": \"notas.txt\", \"content\": \"...\"}, {\"path\": \"docs\", \"type\": \"dir\"}]}\nSee docs/assistant.md for every key."
)]
pub struct EvalArgs {
    /// The cases, one JSON object per line.
    #[arg(value_name = "FILE.jsonl")]
    pub cases: PathBuf,
    /// Folder of fixture *.json files. [default: fixtures/ beside FILE]
    #[arg(long, value_name = "DIR")]
    pub fixtures: Option<PathBuf>,
    /// An OpenAI-compatible chat completions URL: adds the model alone and the configured
    /// order to the comparison (also ATAJO_MODEL_URL or atajo.toml).
    #[arg(long, value_name = "URL")]
    pub model_url: Option<String>,
    /// The model name at --model-url.
    #[arg(long, value_name = "NAME")]
    pub model: Option<String>,
    /// Who answers in the configured setup, in order. [default: plugins,rules,model]
    #[arg(long, value_name = "LIST")]
    pub assistant_order: Option<String>,
    /// Settings file. [default: ./atajo.toml when it exists]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Only cases whose id matches (glob patterns allowed; repeatable).
    #[arg(long, value_name = "ID")]
    pub only: Vec<String>,
    /// Cases judged at once. [default: the number of CPUs]
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Print every case that did not pass: its text, the command got and those expected.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Write a JSON summary here.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Exit 1 when the configured setup passes fewer than PCT percent of the cases.
    #[arg(long, value_name = "PCT")]
    pub fail_under: Option<f64>,
}

#[derive(Debug, Args)]
pub struct PluginsArgs {
    /// The workspace whose .atajo/plugins are loaded too. [default: current folder]
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// The workspace whose .atajo/rules.toml is loaded too. [default: current folder]
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Extra rule files.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
}

/// Which workspace's accounts: the same folder and data folder `serve` is given.
#[derive(Debug, Args, Clone, Default)]
pub struct WorkspaceArgs {
    /// The served folder whose accounts these are. [default: current folder]
    #[arg(long, value_name = "DIR")]
    pub workspace: Option<PathBuf>,
    /// atajo's data folder (also ATAJO_DATA_DIR). [default: as `serve`]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Settings file. [default: ./atajo.toml when it exists]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum RoleArg {
    /// Browse, preview, download, watch terminals; runs nothing.
    Viewer,
    /// Runs commands and explorer actions in their folders.
    Operator,
    /// Everything: accounts, sessions, the audit, every folder.
    Admin,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account. The password is asked for (or read from stdin).
    Add {
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// A folder beneath the served root the account is confined to (repeatable; none:
        /// the whole root). Admins always have the whole root.
        #[arg(long = "root", value_name = "SUBDIR")]
        roots: Vec<String>,
        /// Read the password from the first line of stdin instead of asking.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// List the accounts.
    List {
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// Remove an account; its sessions end at once.
    Remove {
        name: String,
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// Set a new password; every session of the account ends at once.
    Passwd {
        name: String,
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// Change an account's role (and, with --root, its folders); its sessions end at once.
    SetRole {
        name: String,
        #[arg(value_enum)]
        role: RoleArg,
        /// Replace the folders (repeatable; `--root .` for the whole root).
        #[arg(long = "root", value_name = "SUBDIR")]
        roots: Vec<String>,
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum SessionsCommand {
    /// List the live sessions (with --all, the ended ones too).
    List {
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// End sessions: by id, or every one of an account.
    Revoke {
        #[arg(value_name = "ID", required_unless_present = "user")]
        ids: Vec<i64>,
        #[arg(long, value_name = "NAME", conflicts_with = "ids")]
        user: Option<String>,
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print a signed token (JWT) for an account, valid for --ttl. Scripts send it as
    /// `auth.token` when they connect, or as `Authorization: Bearer` over HTTP. It is a
    /// session: `atajo sessions revoke` ends it.
    Create {
        #[arg(long, value_name = "NAME")]
        user: String,
        /// How long it is valid: 90s, 30m, 1h, 7d (at most 90d).
        #[arg(long, value_name = "DURATION", default_value = "1h")]
        ttl: String,
        /// What it is for, shown in `atajo sessions list`.
        #[arg(long, value_name = "TEXT", default_value = "")]
        label: String,
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Words that must all appear in the instruction or the command (prefixes match).
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Only this account's requests (`owner` for the start-up token's).
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// Only since then: 30m, 2h, 7d ago, or a date (2026-12-05, 2026-12-05T10:00:00, UTC).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Only this kind: instruction, command, action, comando_natural, download, upload.
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// Only this verdict: allowed, denied, confirm, not_understood, forbidden.
    #[arg(long, value_name = "VERDICT")]
    pub verdict: Option<String>,
    /// At most this many rows.
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub limit: u32,
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub ws: WorkspaceArgs,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Write the audit as JSON lines (oldest first) to stdout or a file.
    Export {
        /// Only since then (as `atajo history --since`).
        #[arg(long, value_name = "WHEN")]
        since: Option<String>,
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
}
