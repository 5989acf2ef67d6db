//! Real shells in real PTYs inside the real sandbox, driven the way a connection drives them.

use std::sync::Mutex as StdMutex;
use std::time::{Duration, Instant};

use super::*;

/// A client that keeps what it is sent, acknowledging output as it arrives (or not).
struct Recorder {
    tx: mpsc::UnboundedSender<ToClient>,
    full: StdMutex<bool>,
}

impl Client for Recorder {
    fn send(&self, msg: ToClient) -> Result<(), SendError> {
        if *self.full.lock().unwrap() {
            return Err(SendError::Full);
        }
        self.tx.send(msg).map_err(|_| SendError::Closed)
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    terminals: Arc<Terminals>,
}

fn fixture(grace: Duration) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir_all(root.join(crate::workspace::STATE_DIR)).unwrap();
    let sandbox = Arc::new(crate::exec::sandbox_for(&root));
    let terminals = Terminals::new(
        TerminalSettings {
            grace,
            max_terminals: 3,
            history_lines: 1000,
            ..TerminalSettings::default()
        },
        root.clone(),
        sandbox,
    );
    Fixture {
        _dir: dir,
        root,
        terminals,
    }
}

/// A client's view: everything it was sent as one screen, through a real emulator.
struct View {
    id: String,
    rx: mpsc::UnboundedReceiver<ToClient>,
    client: Arc<Recorder>,
    screen: vt100::Parser,
    exit: Option<i32>,
    cwd: Option<Option<String>>,
    replays: usize,
    bytes: usize,
}

impl View {
    fn new(id: &str) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        Self {
            id: id.to_owned(),
            rx,
            client: Arc::new(Recorder {
                tx,
                full: StdMutex::new(false),
            }),
            screen: vt100::Parser::new(screen::nz(24), screen::nz(80), 1000),
            exit: None,
            cwd: None,
            replays: 0,
            bytes: 0,
        }
    }

    fn take(&mut self, msg: ToClient, t: &Terminal, ack: bool) {
        match msg {
            ToClient::Replay {
                rows, cols, data, ..
            } => {
                self.screen = vt100::Parser::new(screen::nz(rows), screen::nz(cols), 1000);
                self.screen.process(&data);
                self.replays += 1;
                if ack {
                    t.ack(&self.id, data.len());
                }
            }
            ToClient::Output { data, .. } => {
                self.screen.process(&data);
                self.bytes += data.len();
                if ack {
                    t.ack(&self.id, data.len());
                }
            }
            ToClient::Exit { code, .. } => self.exit = Some(code),
            ToClient::Cwd { cwd, .. } => self.cwd = Some(cwd),
            ToClient::Title { .. } => {}
        }
    }

    /// Reads (and acknowledges) until the screen shows `what`, or fails after a while.
    async fn until(&mut self, t: &Terminal, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while !self.screen.screen().contents().contains(what) {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.rx.recv()).await {
                Ok(Some(msg)) => self.take(msg, t, true),
                _ => panic!(
                    "{what:?} never showed; the screen:\n{}",
                    self.screen.screen().contents()
                ),
            }
        }
    }

    async fn until_exit(&mut self, t: &Terminal) -> i32 {
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.exit.is_none() {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.rx.recv()).await {
                Ok(Some(msg)) => self.take(msg, t, true),
                _ => panic!("the terminal never ended"),
            }
        }
        self.exit.unwrap_or(-1)
    }

    fn text(&self) -> String {
        self.screen.screen().contents()
    }
}

/// The end of the prompt: `#` for root (uid 0 without capabilities when the tests run as root).
fn prompt() -> &'static str {
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        "# "
    } else {
        "$ "
    }
}

fn open(f: &Fixture, v: &View) -> Arc<Terminal> {
    let t = f.terminals.open(None, &f.root, 24, 80).unwrap();
    t.attach(&v.id, v.client.clone(), Some((24, 80)), false);
    t
}

fn typed(t: &Terminal, v: &View, line: &str) {
    t.input(&v.id, Bytes::from(format!("{line}\r")));
}

#[tokio::test]
async fn a_shell_runs_in_its_own_terminal_inside_the_root() {
    let f = fixture(Duration::from_secs(60));
    let mut v = View::new("a");
    let t = open(&f, &v);
    v.until(&t, prompt()).await;
    typed(&t, &v, "tty; stty size; echo $((6*7)); pwd");
    v.until(&t, &f.root.display().to_string()).await;
    let text = v.text();
    assert!(text.contains("/dev/pts/"), "{text}");
    assert!(text.contains("24 80"), "{text}");
    assert!(text.contains(&f.root.display().to_string()), "{text}");
    typed(&t, &v, "exit 3");
    assert_eq!(v.until_exit(&t).await, 3);
    assert!(
        f.terminals.get(t.id()).is_none(),
        "an ended terminal is gone"
    );
}

#[tokio::test]
async fn the_explorer_is_told_where_the_shell_went() {
    let f = fixture(Duration::from_secs(60));
    std::fs::create_dir_all(f.root.join("docs/my notes")).unwrap();
    let mut v = View::new("a");
    let t = open(&f, &v);
    v.until(&t, prompt()).await;
    typed(&t, &v, "cd 'docs/my notes'; echo mo\"\"ved");
    v.until(&t, "moved").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while v.cwd != Some(Some("docs/my notes".into())) && Instant::now() < deadline {
        if let Ok(Some(m)) = tokio::time::timeout(Duration::from_secs(1), v.rx.recv()).await {
            v.take(m, &t, true);
        }
    }
    assert_eq!(v.cwd, Some(Some("docs/my notes".into())));
    assert_eq!(t.info().cwd.as_deref(), Some("docs/my notes"));
    typed(&t, &v, "cd /usr; echo o\"\"ut");
    v.until(&t, "out").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    while let Ok(m) = v.rx.try_recv() {
        v.take(m, &t, true);
    }
    assert_eq!(
        v.cwd,
        Some(None),
        "outside the root the explorer is told nothing to follow"
    );
    t.close();
}

#[tokio::test]
async fn a_client_that_comes_back_gets_the_same_screen_and_input_waits_for_it() {
    let f = fixture(Duration::from_secs(60));
    let mut a = View::new("a");
    let t = open(&f, &a);
    a.until(&t, prompt()).await;
    typed(&t, &a, "for i in $(seq 1 300); do echo li\"\"ne $i; done");
    // The output and the prompt after it: nothing more will come.
    a.until(&t, &format!("line 300\n~ {}", prompt().trim_end()))
        .await;
    t.detach("a");
    let mut b = View::new("b");
    t.attach("b", b.client.clone(), Some((24, 80)), false);
    b.until(&t, "line 300").await;
    assert_eq!(b.replays, 1);
    assert_eq!(
        b.text(),
        a.text(),
        "the replay is the screen the first client saw"
    );
    b.screen.screen_mut().set_scrollback(1000);
    assert!(
        b.text().contains("line 1\n"),
        "history came too: {}",
        b.text()
    );
    t.close();
}

#[tokio::test]
async fn a_read_only_viewer_sees_everything_and_types_nothing() {
    let f = fixture(Duration::from_secs(60));
    let mut a = View::new("a");
    let t = open(&f, &a);
    a.until(&t, prompt()).await;
    let mut viewer = View::new("v");
    t.attach("v", viewer.client.clone(), Some((5, 20)), true);
    viewer.until(&t, prompt()).await;
    t.input("v", Bytes::from_static(b"echo FROM-VIEWER\r"));
    typed(&t, &a, "echo from-\"\"writer");
    viewer.until(&t, "from-writer").await;
    assert!(!viewer.text().contains("FROM-VIEWER"));
    assert_eq!(t.info().rows, 24, "a viewer's size does not count");
    t.close();
}

#[tokio::test]
async fn a_client_that_stops_reading_holds_back_only_itself() {
    let f = fixture(Duration::from_secs(60));
    let mut fast = View::new("fast");
    let t = open(&f, &fast);
    fast.until(&t, prompt()).await;
    let mut slow = View::new("slow");
    t.attach("slow", slow.client.clone(), Some((24, 80)), false);
    // The slow client takes its replay, then never acknowledges anything.
    while slow.replays == 0 {
        let m = slow.rx.recv().await.unwrap();
        slow.take(m, &t, true);
    }
    typed(&t, &fast, "seq 1 200000; echo DO\"\"NE");
    fast.until(&t, "DONE").await;
    let mut slow_bytes = 0;
    while let Ok(m) = slow.rx.try_recv() {
        if let ToClient::Output { data, .. } = &m {
            slow_bytes += data.len();
        }
    }
    assert!(
        fast.bytes > 1_000_000,
        "the fast client got everything ({})",
        fast.bytes
    );
    assert!(
        slow_bytes <= flow::HIGH_WATER + 64 * 1024,
        "the slow one no more than its window ({slow_bytes})"
    );
    // When it catches up, it is sent the screen as it is now.
    t.ack("slow", slow_bytes + 1_000_000);
    slow.until(&t, "DONE").await;
    assert_eq!(slow.replays, 2);
    t.close();
}

#[tokio::test]
async fn a_flood_pauses_the_shell_when_nobody_reads_and_ctrl_c_still_stops_it() {
    let f = fixture(Duration::from_secs(60));
    let mut a = View::new("a");
    let t = open(&f, &a);
    a.until(&t, prompt()).await;
    // Take the flood without acknowledging: the window closes and the PTY stops being read.
    typed(&t, &a, "yes");
    let mut got = 0;
    let quiet = loop {
        match tokio::time::timeout(Duration::from_millis(500), a.rx.recv()).await {
            Ok(Some(ToClient::Output { data, .. })) => got += data.len(),
            Ok(Some(_)) => {}
            Ok(None) => panic!("closed"),
            Err(_) => break got,
        }
    };
    assert!(
        quiet <= flow::HIGH_WATER + 64 * 1024,
        "no more than a window went out unacknowledged ({quiet})"
    );
    t.ack("a", quiet);
    t.input("a", Bytes::from_static(b"\x03"));
    typed(&t, &a, "echo sto\"\"pped");
    a.until(&t, "stopped").await;
    t.close();
}

#[tokio::test]
async fn a_terminal_without_clients_ends_after_its_grace_time() {
    let f = fixture(Duration::from_millis(300));
    let mut a = View::new("a");
    let t = open(&f, &a);
    a.until(&t, prompt()).await;
    t.detach("a");
    let deadline = Instant::now() + Duration::from_secs(10);
    while f.terminals.get(t.id()).is_some() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(f.terminals.get(t.id()).is_none());
}

#[tokio::test]
async fn the_server_keeps_a_bounded_number_of_terminals() {
    let f = fixture(Duration::from_secs(60));
    let views: Vec<View> = (0..3).map(|i| View::new(&format!("c{i}"))).collect();
    let open_ones: Vec<_> = views.iter().map(|v| open(&f, v)).collect();
    match f.terminals.open(None, &f.root, 24, 80) {
        Err(OpenError::TooMany { max: 3 }) => {}
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(f.terminals.list().len(), 3);
    for t in open_ones {
        t.close();
    }
}

/// Processes on the machine whose command line holds `marker`.
fn running(marker: &str) -> usize {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            std::fs::read(e.path().join("cmdline"))
                .map(|c| String::from_utf8_lossy(&c).contains(marker))
                .unwrap_or(false)
        })
        .count()
}

use crate::exec::PROCESS_HEAVY;

#[tokio::test]
async fn escapes_from_the_shell_fail() {
    let _alone = PROCESS_HEAVY.lock().await;
    let f = fixture(Duration::from_secs(60));
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret");
    std::fs::write(&secret, "TOP-SECRET").unwrap();
    let mut a = View::new("a");
    let t = open(&f, &a);
    a.until(&t, prompt()).await;
    // Each attempt prints why it failed: a refusal, not a missing file or a closed port.
    let (secret, outside_dir) = (secret.display(), outside.path().display());
    let script = [
        format!(r#"cat {secret} 2>&1 | grep -q 'Permission denied' && echo READ-"REFUSED""#),
        format!(
            r#"(echo x > {outside_dir}/new) 2>&1 | grep -q 'Permission denied' && echo WRITE-"REFUSED""#
        ),
        r#"(exec 3<>/dev/tcp/127.0.0.1/22) 2>&1 | grep -q 'not permitted' && echo NET-"REFUSED""#
            .to_owned(),
        r#"python3 -c 'import fcntl,termios; fcntl.ioctl(0, termios.TIOCSTI, b"x")' 2>&1 | grep -q 'not permitted' && echo TIOCSTI-"REFUSED""#
            .to_owned(),
        r#"echo ALL-"TRIED""#.to_owned(),
    ]
    .join("; ");
    typed(&t, &a, &script);
    a.until(&t, "ALL-TRIED").await;
    let text = a.text();
    for refused in [
        "READ-REFUSED",
        "WRITE-REFUSED",
        "NET-REFUSED",
        "TIOCSTI-REFUSED",
    ] {
        assert!(text.contains(refused), "{refused}: {text}");
    }
    assert!(!text.contains("TOP-SECRET"));
    assert!(!outside.path().join("new").exists());
    // A daemon that leaves the shell's session does not outlive the terminal.
    typed(&t, &a, "setsid sleep 4242.25 & disown; echo STA\"\"RTED");
    a.until(&t, "STARTED").await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while running("4242.25") == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // (`setsid` may still be forking: its own process shows the marker too for a moment.)
    assert!(running("4242.25") >= 1, "the daemon started");
    t.close();
    a.until_exit(&t).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while running("4242.25") > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(running("4242.25"), 0, "the daemon died with its terminal");
}

#[tokio::test]
async fn a_fork_bomb_hits_the_process_cap_and_the_terminal_still_closes() {
    let _alone = PROCESS_HEAVY.lock().await;
    let f = fixture(Duration::from_secs(60));
    let mut a = View::new("a");
    let t = open(&f, &a);
    a.until(&t, prompt()).await;
    typed(&t, &a, "b(){ b|b& }; b");
    // The shell itself soon cannot fork either; it retries until the terminal is closed.
    a.until(&t, "fork").await;
    t.close();
    a.until_exit(&t).await;
    // The machine is fine: a new terminal starts and runs.
    let mut b = View::new("b");
    let t2 = open(&f, &b);
    b.until(&t2, prompt()).await;
    typed(&t2, &b, "echo al\"\"ive");
    b.until(&t2, "alive").await;
    t2.close();
}
