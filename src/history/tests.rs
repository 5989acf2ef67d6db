use super::*;

#[test]
fn each_root_has_its_own_place_and_an_old_history_moves_there() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let a = super::location(&data, std::path::Path::new("/srv/proyecto"));
    let b = super::location(&data, std::path::Path::new("/home/ana/proyecto"));
    assert_ne!(a, b);
    assert!(a.starts_with(data.join("workspaces")));
    assert!(
        a.parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("proyecto-")
    );

    let root = tmp.path().join("ws");
    std::fs::create_dir_all(root.join(".atajo")).unwrap();
    let legacy = root.join(".atajo/history.sqlite");
    std::fs::write(&legacy, "old").unwrap();
    std::fs::write(root.join(".atajo/history.sqlite-wal"), "wal").unwrap();
    let db = super::location(&data, &root);
    super::prepare(&db, &root, &legacy).unwrap();
    assert_eq!(std::fs::read_to_string(&db).unwrap(), "old");
    assert!(!legacy.exists());
    assert!(!root.join(".atajo/history.sqlite-wal").exists());
    assert_eq!(
        std::fs::read(db.parent().unwrap().join("root")).unwrap(),
        root.as_os_str().as_encoded_bytes()
    );
    // A history already there is never replaced.
    std::fs::write(&legacy, "older").unwrap();
    super::prepare(&db, &root, &legacy).unwrap();
    assert_eq!(std::fs::read_to_string(&db).unwrap(), "old");
}

fn record(user: &str, input: &str, command: &str, verdict: Verdict) -> Record {
    Record {
        client: "c".into(),
        user: user.into(),
        session: Some(1),
        kind: "instruction",
        source: Some("rules".into()),
        cwd: String::new(),
        input: input.into(),
        command: Some(command.into()),
        verdict,
        reason: (verdict != Verdict::Allowed).then(|| "no".into()),
        approval: None,
    }
}

/// The newest hundred rows.
fn newest(db: &Path) -> Vec<search::HistoryRow> {
    let conn = search::reader(db).unwrap();
    let q = search::HistoryQuery {
        limit: Some(100),
        ..Default::default()
    };
    search::search(&conn, &q).unwrap()
}

/// Waits (at most `secs`) until the writer says it is failing (`failing`) or writing again.
fn told(health: &mut tokio::sync::watch::Receiver<Option<String>>, failing: bool, secs: u64) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        tokio::time::timeout(
            Duration::from_secs(secs),
            health.wait_for(|m| m.is_some() == failing),
        )
        .await
        .expect("the writer says so")
        .unwrap();
    });
}

fn ended(code: i32, output: &str) -> Ended {
    Ended {
        exit_code: code,
        duration_ms: 1.5,
        output: output.into(),
        status: "done",
    }
}

#[test]
fn records_survive_a_restart_and_are_found_by_their_words() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("h.sqlite");
    {
        let h = History::open(&db, Retention::default()).unwrap();
        for i in 0..50 {
            let run = h.started(record(
                "ana",
                &format!("crea la carpeta fotos{i}"),
                &format!("mkdir fotos{i}"),
                Verdict::Allowed,
            ));
            h.finished(run, ended(0, ""));
        }
        h.decided(record("bo", "borra todo", "rm -rf /", Verdict::Denied));
        h.done(
            record("bo", "informe.pdf", "", Verdict::Allowed),
            ended(0, &"x".repeat(10_000)),
        );
        h.audit(AuditEvent {
            user: "bo".into(),
            session: Some(2),
            action: "login",
            detail: "127.0.0.1".into(),
        });
    }
    let conn = search::reader(&db).unwrap();
    let all = search::search(&conn, &search::HistoryQuery::default()).unwrap();
    assert_eq!(all.len(), 50);
    assert_eq!(all[0].input, "informe.pdf");
    let big = &all[0];
    assert_eq!(big.output_head.as_deref().map(str::len), Some(2048));
    assert_eq!(big.output_tail.as_deref().map(str::len), Some(2048));
    let q = |s: &str| search::HistoryQuery {
        search: Some(s.into()),
        limit: Some(1000),
        ..Default::default()
    };
    let found = search::search(&conn, &q("carpeta fotos4")).unwrap();
    assert_eq!(found.len(), 11, "fotos4 and fotos40..49 by prefix");
    assert!(
        found
            .iter()
            .all(|r| r.status == "done" && r.exit_code == Some(0))
    );
    assert!(found.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    // Accents and case do not matter; operators in the words are only words.
    assert_eq!(
        search::search(&conn, &q("CARPÉTA fotos49")).unwrap().len(),
        1
    );
    assert!(
        search::search(&conn, &q("fotos1 OR NOT \"x"))
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        search::search(&conn, &q("  -- ")).unwrap().len(),
        52,
        "no words: no filter"
    );
    let denied = search::search(
        &conn,
        &search::HistoryQuery {
            verdict: Some("denied".into()),
            user: Some("bo".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].status, "decided");
    let mut out = Vec::new();
    let n = search::export_audit(&conn, None, &mut out).unwrap();
    assert_eq!(n, 53);
    let last: serde_json::Value =
        serde_json::from_str(String::from_utf8(out).unwrap().lines().last().unwrap()).unwrap();
    assert_eq!(last["action"], "login");
    // The audit cannot be changed.
    let rw = Connection::open(&db).unwrap();
    let err = rw.execute("UPDATE audit SET user = 'x'", []).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    drop(rw);
    History::open(&db, Retention::default()).unwrap();
}

#[test]
fn what_was_running_when_the_server_died_is_marked_interrupted() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("h.sqlite");
    let h = History::open(&db, Retention::default()).unwrap();
    let _running = h.started(record("ana", "espera", "sleep 100", Verdict::Allowed));
    let done = h.started(record("ana", "lista", "ls", Verdict::Allowed));
    h.finished(done, ended(0, "a\n"));
    // The writer has written both (its batch is 20 ms); the server "dies" without the end of
    // the first: the History is leaked, as a killed process never drops it.
    std::thread::sleep(Duration::from_millis(300));
    std::mem::forget(h);
    let statuses = || -> HashMap<String, String> {
        let conn = search::reader(&db).unwrap();
        search::search(&conn, &search::HistoryQuery::default())
            .unwrap()
            .iter()
            .map(|r| (r.command.clone().unwrap(), r.status.clone()))
            .collect()
    };
    // Its process still runs (it is this one): a second server on the same workspace leaves
    // the row alone.
    drop(History::open(&db, Retention::default()).unwrap());
    assert_eq!(statuses()["sleep 100"], "running");
    // Written by a server of an earlier boot: gone, so interrupted.
    Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE history SET writer = 'an-earlier-boot/1/1' WHERE status = 'running'",
            [],
        )
        .unwrap();
    let h2 = History::open(&db, Retention::default()).unwrap();
    let by = statuses();
    assert_eq!(by["sleep 100"], "interrupted");
    assert_eq!(by["ls"], "done");
    drop(h2);
}

#[test]
fn a_locked_database_holds_records_and_says_so_until_it_can_write() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("h.sqlite");
    let h = History::open(&db, Retention::default()).unwrap();
    let mut health = h.health();
    // Another process holds the write lock longer than the writer waits (5 s).
    let locker = Connection::open(&db).unwrap();
    locker.execute_batch("BEGIN IMMEDIATE").unwrap();
    for i in 0..20 {
        h.decided(record("ana", &format!("held {i}"), "ls", Verdict::Denied));
    }
    told(&mut health, true, 10);
    assert!(health.borrow().as_deref().unwrap().contains("locked"));
    locker.execute_batch("COMMIT").unwrap();
    told(&mut health, false, 20);
    drop(h);
    assert_eq!(newest(&db).len(), 20, "nothing was lost");
}

#[test]
fn retention_keeps_the_newest_rows_and_days() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("h.sqlite");
    {
        let h = History::open(&db, Retention::default()).unwrap();
        for i in 0..30 {
            h.decided(record("ana", &format!("r{i}"), "ls", Verdict::Denied));
        }
    }
    let h = History::open(
        &db,
        Retention {
            max_rows: 10,
            max_days: 365,
        },
    )
    .unwrap();
    drop(h);
    let rows = newest(&db);
    assert_eq!(rows.len(), 10);
    let conn = search::reader(&db).unwrap();
    assert_eq!(rows[0].input, "r29");
    let audit: i64 = conn
        .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
        .unwrap();
    assert_eq!(audit, 10);
}

#[test]
fn an_old_history_is_brought_up_to_date_and_indexed() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("h.sqlite");
    {
        let conn = Connection::open(&db).unwrap();
        conn.execute_batch(
            "CREATE TABLE history (id INTEGER PRIMARY KEY, at REAL NOT NULL, client TEXT NOT NULL,
             kind TEXT NOT NULL, input TEXT NOT NULL, command TEXT, allowed INTEGER NOT NULL,
             reason TEXT, exit_code INTEGER, duration_ms REAL);
             INSERT INTO history (at, client, kind, input, command, allowed) VALUES (1.0, 'c', 'command', 'antiguo', 'ls -la', 1);",
        )
        .unwrap();
    }
    drop(
        History::open(
            &db,
            Retention {
                max_rows: 1000,
                max_days: 100_000,
            },
        )
        .unwrap(),
    );
    let conn = search::reader(&db).unwrap();
    let found = search::search(
        &conn,
        &search::HistoryQuery {
            search: Some("antiguo".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].status, "done");
}

/// A real full disk: a 4 MiB tmpfs (this needs root, as CI has; elsewhere it says why it
/// did not run). The writer must hold the records, say so, and write them all once there is
/// room again.
#[test]
fn a_full_disk_holds_records_and_says_so_until_there_is_room() {
    let tmp = tempfile::tempdir().unwrap();
    let mnt = tmp.path().join("small");
    std::fs::create_dir(&mnt).unwrap();
    let target = std::ffi::CString::new(mnt.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: mount(2) with constant, NUL-terminated strings.
    let mounted = unsafe {
        libc::mount(
            c"tmpfs".as_ptr(),
            target.as_ptr(),
            c"tmpfs".as_ptr(),
            0,
            c"size=4m".as_ptr().cast(),
        )
    } == 0;
    if !mounted {
        eprintln!(
            "not run: cannot mount a small tmpfs here ({})",
            std::io::Error::last_os_error()
        );
        return;
    }
    struct Unmount(std::ffi::CString);
    impl Drop for Unmount {
        fn drop(&mut self) {
            // SAFETY: umount2 on the path mounted above.
            unsafe { libc::umount2(self.0.as_ptr(), libc::MNT_DETACH) };
        }
    }
    let _unmount = Unmount(target);
    let db = mnt.join("h.sqlite");
    let h = History::open(&db, Retention::default()).unwrap();
    let mut health = h.health();
    // Fill the disk but for a little.
    let filler = mnt.join("filler");
    let mut f = std::fs::File::create(&filler).unwrap();
    let chunk = vec![7u8; 4096];
    while std::io::Write::write_all(&mut f, &chunk).is_ok() {}
    drop(f);
    let big = "x".repeat(2000);
    for i in 0..100 {
        h.decided(record("ana", &format!("{big} {i}"), "ls", Verdict::Denied));
    }
    told(&mut health, true, 10);
    let said = health.borrow().clone().unwrap();
    assert!(said.contains("full"), "{said}");
    std::fs::remove_file(&filler).unwrap();
    told(&mut health, false, 30);
    drop(h);
    let conn = search::reader(&db).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM history", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 100, "nothing was lost");
}
