//! What a running server counts, for Prometheus (`GET /metrics`): connections, requests by
//! kind, source and verdict, how long commands and translations take, logins, sessions ended,
//! and whether the history is being written. One registry per server, no process globals, so
//! tests read their own.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// `instruction`, `command`, `action`, `comando_natural`, `upload`, `download`…
    pub kind: String,
    /// `rules`, `model`, a plugin, `explorer`, `typed`, or `none`.
    pub source: String,
    /// `allowed`, `denied`, `confirm`, `not_understood`, `forbidden`.
    pub verdict: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct VersionLabels {
    pub version: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResultLabels {
    pub result: String,
}

/// What the watcher and the feeds count, shared with them (a clone counts into the same
/// series).
#[derive(Clone, Debug, Default)]
pub struct FeedCounters {
    /// Changes the watcher saw.
    pub watcher_events: Counter,
    /// Times the kernel's event queue overflowed and the tree was read again.
    pub watcher_overflows: Counter,
    /// Folders sent again whole to a client (a storm, lost events) instead of as changes.
    pub resyncs: Counter,
}

/// What the link to the other processes of a workspace counts (`--cluster-redis`).
#[derive(Clone, Debug, Default)]
pub struct ClusterCounters {
    /// Messages published to Redis.
    pub sent: Counter,
    /// Messages that could not be published (Redis unreachable): their receivers on other
    /// processes missed them; this process's own clients still got them.
    pub lost: Counter,
    /// Messages received from the other processes.
    pub received: Counter,
    /// 1 while Redis answers, 0 while this process serves only its own clients.
    pub connected: Gauge,
    /// Processes of this workspace heard from lately, this one included.
    pub nodes: Gauge,
}

pub struct Metrics {
    registry: Registry,
    pub feed: FeedCounters,
    pub cluster: ClusterCounters,
    /// Changes waiting in the feeds for clients that read slower than they come (set when
    /// scraped).
    pub feed_backlog: Gauge,
    /// Requests running now (set when scraped).
    pub running: Gauge,
    /// Shell terminals open now (set when scraped).
    pub shells: Gauge,
    pub sandbox_failures: Counter,
    pub bytes_received: Counter,
    pub bytes_sent: Counter,
    pub connections: Gauge,
    pub requests: Family<RequestLabels, Counter>,
    pub command_seconds: Histogram,
    pub translation_seconds: Histogram,
    pub logins: Family<ResultLabels, Counter>,
    pub sessions_ended: Counter,
    pub history_failing: Gauge<f64, AtomicU64>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("atajo");
        let connections = Gauge::default();
        registry.register(
            "connections",
            "Socket.IO connections open now",
            connections.clone(),
        );
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "requests",
            "Requests judged, by kind, who wrote the command and the verdict",
            requests.clone(),
        );
        // 1 ms to about 65 s.
        let command_seconds = Histogram::new(exponential_buckets(0.001, 2.0, 17));
        registry.register(
            "command_duration_seconds",
            "How long commands that ran took",
            command_seconds.clone(),
        );
        // 50 µs to about 3 s (a model's answer).
        let translation_seconds = Histogram::new(exponential_buckets(0.000_05, 2.0, 17));
        registry.register(
            "translation_duration_seconds",
            "How long turning an instruction into a command took",
            translation_seconds.clone(),
        );
        let logins = Family::<ResultLabels, Counter>::default();
        registry.register(
            "logins",
            "Logins by result: ok, wrong, limited",
            logins.clone(),
        );
        let sessions_ended = Counter::default();
        registry.register(
            "sessions_ended",
            "Sessions whose live connections were closed (logout, revocation, expiry)",
            sessions_ended.clone(),
        );
        let history_failing = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "history_write_failing",
            "1 while the history cannot be written (records are held), else 0",
            history_failing.clone(),
        );
        let feed = FeedCounters::default();
        registry.register(
            "watcher_events",
            "File changes the watcher saw",
            feed.watcher_events.clone(),
        );
        registry.register(
            "watcher_overflows",
            "Times file events were lost (the kernel's queue overflowed) and the tree was read again",
            feed.watcher_overflows.clone(),
        );
        registry.register(
            "feed_resyncs",
            "Folders sent again whole to a client instead of as changes (a storm, lost events)",
            feed.resyncs.clone(),
        );
        let cluster = ClusterCounters::default();
        registry.register(
            "cluster_sent",
            "Messages published to the other processes of this workspace (Redis)",
            cluster.sent.clone(),
        );
        registry.register(
            "cluster_lost",
            "Messages the other processes missed because Redis could not be reached",
            cluster.lost.clone(),
        );
        registry.register(
            "cluster_received",
            "Messages received from the other processes of this workspace",
            cluster.received.clone(),
        );
        registry.register(
            "cluster_connected",
            "1 while Redis answers (or no cluster is configured), 0 while serving alone",
            cluster.connected.clone(),
        );
        registry.register(
            "cluster_nodes",
            "Processes serving this workspace heard from lately, this one included",
            cluster.nodes.clone(),
        );
        let feed_backlog = Gauge::default();
        registry.register(
            "feed_backlog",
            "Changes waiting for clients that read slower than they come",
            feed_backlog.clone(),
        );
        let running = Gauge::default();
        registry.register("requests_running", "Requests running now", running.clone());
        let shells = Gauge::default();
        registry.register(
            "shell_terminals",
            "Shell terminals open now",
            shells.clone(),
        );
        let sandbox_failures = Counter::default();
        registry.register(
            "sandbox_failures",
            "Commands that could not be started in the sandbox (nothing ran unconfined)",
            sandbox_failures.clone(),
        );
        let bytes_received = Counter::default();
        registry.register(
            "network_received_bytes",
            "Bytes read from clients (HTTP and WebSocket)",
            bytes_received.clone(),
        );
        let bytes_sent = Counter::default();
        registry.register(
            "network_sent_bytes",
            "Bytes written to clients (HTTP and WebSocket)",
            bytes_sent.clone(),
        );
        registry.register(
            "build",
            "The running version",
            prometheus_client::metrics::info::Info::new(VersionLabels {
                version: env!("CARGO_PKG_VERSION").to_owned(),
            }),
        );
        let started = Gauge::<f64, AtomicU64>::default();
        started.set(crate::history::now());
        registry.register(
            "start_time_seconds",
            "When this server started (Unix time)",
            started,
        );
        Self {
            registry,
            feed,
            cluster,
            feed_backlog,
            running,
            shells,
            sandbox_failures,
            bytes_received,
            bytes_sent,
            connections,
            requests,
            command_seconds,
            translation_seconds,
            logins,
            sessions_ended,
            history_failing,
        }
    }

    pub fn request(&self, kind: &str, source: Option<&str>, verdict: &str) {
        self.requests
            .get_or_create(&RequestLabels {
                kind: kind.to_owned(),
                source: source.unwrap_or("none").to_owned(),
                verdict: verdict.to_owned(),
            })
            .inc();
    }

    pub fn login(&self, result: &str) {
        self.logins
            .get_or_create(&ResultLabels {
                result: result.to_owned(),
            })
            .inc();
    }

    /// The Prometheus text exposition of everything.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "cannot render the metrics");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_what_was_counted() {
        let m = super::Metrics::new();
        m.connections.inc();
        m.request("command", Some("typed"), "allowed");
        m.request("command", Some("typed"), "allowed");
        m.command_seconds.observe(0.004);
        m.login("wrong");
        let text = m.render();
        assert!(text.contains("atajo_connections 1"), "{text}");
        assert!(
            text.contains(
                r#"atajo_requests_total{kind="command",source="typed",verdict="allowed"} 2"#
            ),
            "{text}"
        );
        assert!(
            text.contains("atajo_command_duration_seconds_count 1"),
            "{text}"
        );
        assert!(
            text.contains(r#"atajo_logins_total{result="wrong"} 1"#),
            "{text}"
        );
        assert!(text.ends_with("# EOF\n"));
    }
}
