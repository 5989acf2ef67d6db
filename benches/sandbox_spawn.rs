//! What the sandbox costs per command: spawning `/bin/true` plain (clean env, process group,
//! pipes — everything but the sandbox) against spawning it inside the sandbox.

use std::ffi::OsStr;
use std::time::Duration;

use atajo::exec::{Limits, ResourceLimits, Sandbox, SandboxSettings, run_confined};
use criterion::{Criterion, criterion_group, criterion_main};

fn spawn(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path().canonicalize().expect("canonical root");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let limits = Limits {
        timeout: Duration::from_secs(10),
        output_limit: 64 * 1024,
    };
    let plain = Sandbox::disabled(&root);
    let settings = SandboxSettings {
        enabled: true,
        run_as: None,
        limits: ResourceLimits::default(),
    };
    let sandboxed = Sandbox::new(&root, &settings).expect("the sandbox must build here");
    let mut group = c.benchmark_group("spawn_true");
    group.sample_size(200);
    for (name, sandbox) in [("plain", &plain), ("sandboxed", &sandboxed)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let o = rt.block_on(run_confined(
                    OsStr::new("/bin/true"),
                    &[],
                    &root,
                    &root,
                    sandbox,
                    limits,
                ));
                assert_eq!(o.code, 0, "{}", o.output);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, spawn);
criterion_main!(benches);
