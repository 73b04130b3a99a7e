//! Rewrites `testdata/captures/` from [`pcapkit_testdata::crafted::all`].
//!
//! ```text
//! cargo run -p pcapkit-testdata --example gen-captures
//! ```

fn main() -> std::io::Result<()> {
    let dir = pcapkit_testdata::committed_captures_dir();
    std::fs::create_dir_all(&dir)?;
    for (name, bytes) in pcapkit_testdata::crafted::all() {
        let path = dir.join(name);
        std::fs::write(&path, &bytes)?;
        println!("{} ({} bytes)", path.display(), bytes.len());
    }
    Ok(())
}
