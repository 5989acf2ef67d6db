//! The cost of knowing who someone is: checking a password (Argon2id at atajo's parameters,
//! on purpose tens of milliseconds), finding a session by its cookie in SQLite, and verifying
//! a script's JWT.
//!
//!   cargo bench --bench accounts

use std::time::Duration;

use atajo::users::store::BROWSER_TTL;
use atajo::users::{Role, SessionKind, Store, jwt, password};
use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let hash = password::hash("correct horse battery").expect("hash");
    let mut g = c.benchmark_group("accounts");
    g.sample_size(20).measurement_time(Duration::from_secs(6));
    g.bench_function("argon2id verify (m=19 MiB, t=2, p=1)", |b| {
        b.iter(|| assert!(password::verify("correct horse battery", &hash)))
    });
    g.finish();

    let tmp = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&tmp.path().join("atajo.sqlite")).expect("store");
    let user = store
        .add_user("ana", Role::Operator, &["a".into()], &hash)
        .expect("user");
    // A thousand live sessions, as with a thousand connected people.
    let mut secrets = Vec::new();
    for _ in 0..1000 {
        let (_, secret) = store
            .open_session(&user, SessionKind::Browser, BROWSER_TTL, "bench")
            .expect("session");
        secrets.push(secret.expect("secret"));
    }
    let keys = jwt::Keys::from_seed(&[9u8; 32]);
    let (id, _) = store
        .open_session(
            &user,
            SessionKind::Token,
            Duration::from_secs(3600),
            "bench",
        )
        .expect("token session");
    let token = keys.issue("ana", id, 3600).expect("token");
    let mut g = c.benchmark_group("accounts");
    let mut i = 0;
    g.bench_function("session lookup by cookie (1,000 sessions)", |b| {
        b.iter(|| {
            i = (i + 1) % secrets.len();
            assert!(
                store
                    .session_by_secret(&secrets[i])
                    .expect("lookup")
                    .is_some()
            );
        })
    });
    g.bench_function("JWT verify (EdDSA)", |b| {
        b.iter(|| keys.verify(&token).expect("valid"))
    });
    g.bench_function("JWT verify + its session row", |b| {
        b.iter(|| {
            let (_, session) = keys.verify(&token).expect("valid");
            assert!(store.session_by_id(session).expect("lookup").is_some());
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
