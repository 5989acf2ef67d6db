//! The translation cache shared through a real redis-server (Debian's, started here): one
//! process's translation is another's hit, and Redis going away or coming back never makes
//! a translation fail.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use atajo::assistant::{Cached, TranslationCache};
use atajo::lang::Lang;

struct RedisServer(Child);

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

/// None when redis-server is not installed outside CI (CI installs it, and there its
/// absence is a failure).
fn start(port: u16) -> Option<RedisServer> {
    let spawned = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let child = match spawned {
        Ok(c) => c,
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("skipping: redis-server cannot start ({e}); .ci/run installs it");
            return None;
        }
        Err(e) => panic!("redis-server is required in CI: {e}"),
    };
    let server = RedisServer(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "redis-server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(server)
}

fn value(command: &str) -> Cached {
    Cached {
        command: Some(command.into()),
        explanation: "x".into(),
        source: "model".into(),
        confidence: 0.6,
        lang: Lang::Es,
        understood: true,
    }
}

#[tokio::test]
async fn shared_between_processes_and_never_a_failure() {
    let port = free_port();
    let Some(server) = start(port) else {
        return;
    };
    let url = format!("redis://127.0.0.1:{port}/");
    let a = TranslationCache::with_redis(100, &url).unwrap();
    let b = TranslationCache::with_redis(100, &url).unwrap();
    assert!(a.has_redis() && b.has_redis());
    a.put("k1", value("du -sh .")).await;
    // `b` never saw k1 locally: the hit comes from Redis.
    assert_eq!(b.get("k1").await, Some(value("du -sh .")));
    // Stored with an expiry, under atajo's prefix.
    let mut conn = redis::Client::open(url.as_str())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("atajo:translation:*")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(keys.len(), 1);
    let ttl: i64 = redis::cmd("TTL")
        .arg(&keys[0])
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(ttl > 3600, "{ttl}");
    // Garbage under a key is a miss, not an error.
    let _: () = redis::cmd("SET")
        .arg("atajo:translation:v1:junk")
        .arg("{not json")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(b.get("junk").await, None);

    // Redis goes away: misses are quick, puts land locally, nothing fails.
    drop(server);
    let started = Instant::now();
    assert_eq!(b.get("k2").await, None);
    b.put("k3", value("ls")).await;
    assert_eq!(b.get("k3").await, Some(value("ls")));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    // It comes back on the same port: the cache reconnects by itself.
    let Some(_again) = start(port) else {
        return;
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        a.put("k4", value("pwd")).await;
        if b.get("k4").await.is_some() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the cache did not reconnect to Redis"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
