//! Builds the web app (web/ → web/dist) when it is missing or older than its sources, so that
//! a fresh clone builds with `cargo build` alone (Node.js and npm must be installed). The
//! result is embedded into the binary by rust-embed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

fn newest(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_file() {
        return meta.modified().ok();
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| newest(&e.path()))
        .max()
}

fn run(dir: &Path, args: &[&str]) {
    let status = Command::new("npm").args(args).current_dir(dir).status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!(
            "`npm {}` in web/ failed ({s}); Node.js 20+ and npm are needed to build atajo's web app",
            args.join(" ")
        ),
        Err(e) => {
            panic!("cannot run npm ({e}); Node.js 20+ and npm are needed to build atajo's web app")
        }
    }
}

fn main() {
    // Read when the script runs, not baked in when it is compiled: a build script compiled
    // for another checkout (a shared target dir) must still build this one.
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| ".".into());
    let web = PathBuf::from(manifest).join("web");
    let sources = [
        "src",
        "index.html",
        "package.json",
        "package-lock.json",
        "vite.config.ts",
        "tsconfig.json",
    ];
    for s in sources {
        println!("cargo:rerun-if-changed=web/{s}");
    }
    println!("cargo:rerun-if-changed=web/dist/index.html");
    let built = std::fs::metadata(web.join("dist/index.html"))
        .and_then(|m| m.modified())
        .ok();
    let source_time = sources.iter().filter_map(|s| newest(&web.join(s))).max();
    let stale = match (built, source_time) {
        (Some(b), Some(s)) => s > b,
        _ => true,
    };
    if !stale {
        return;
    }
    if !web.join("node_modules/.package-lock.json").exists() {
        run(&web, &["ci", "--no-audit", "--no-fund"]);
    }
    run(&web, &["run", "build"]);
    // Cargo reruns this script when dist/index.html is newer than the script's last start,
    // which the build just made it: dated as its sources, the next `cargo build` with
    // nothing changed compiles nothing (it took a second, 45 s build before).
    if let Some(s) = source_time
        && let Ok(f) = std::fs::File::options()
            .write(true)
            .open(web.join("dist/index.html"))
    {
        let _ = f.set_modified(s);
    }
}
