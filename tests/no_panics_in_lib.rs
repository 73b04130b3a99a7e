//! Library code parses untrusted bytes: it must not use panicking shortcuts. This test
//! scans every library source (`src/`, `crates/*/src/`) outside `#[cfg(test)]` modules
//! and test-only files for `.unwrap()`, `.expect(`, `panic!(` and `unreachable!(`; a
//! provably unreachable one is marked `// ok: <why>` on its line.

use std::fs;
use std::path::{Path, PathBuf};

const SHORTCUTS: [&str; 4] = [".unwrap()", ".expect(", "panic!(", "unreachable!("];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The lines of `text` that library builds compile: everything before the first
/// `#[cfg(test)]` that opens a module (test modules sit at the end of their file).
fn library_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let lines: Vec<&str> = text.lines().collect();
    let end = lines
        .windows(2)
        .position(|w| {
            w[0].trim() == "#[cfg(test)]" && {
                let next = w[1].trim_start();
                next.starts_with("mod ")
                    || next.starts_with("pub mod ")
                    || next.starts_with("pub(crate) mod ")
            }
        })
        .unwrap_or(lines.len());
    lines.into_iter().take(end).enumerate()
}

#[test]
fn library_sources_have_no_panicking_shortcuts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    for krate in fs::read_dir(root.join("crates")).unwrap().flatten() {
        rust_files(&krate.path().join("src"), &mut files);
    }
    assert!(
        files.len() > 50,
        "sources not found under {}",
        root.display()
    );
    let mut found = Vec::new();
    for file in &files {
        // Test-only files: `#[cfg(test)] mod tests;` pulls in `tests.rs`.
        if file.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let text = fs::read_to_string(file).unwrap();
        for (i, line) in library_lines(&text) {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            if SHORTCUTS.iter().any(|s| line.contains(s)) && !line.contains("// ok:") {
                found.push(format!("{}:{}: {}", file.display(), i + 1, code));
            }
        }
    }
    assert!(
        found.is_empty(),
        "panicking shortcuts in library code (return a typed error, or mark a provably \
         safe one `// ok: why`):\n{}",
        found.join("\n")
    );
}
