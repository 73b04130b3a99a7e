//! `cargo xtask gen-consts`: turn `../shared/registries/*.tsv` (plus `xtask/data/`) into
//! the Rust constant modules of `pcapkit-core` and `pcapkit-protocols`.
//!
//! Inputs:
//! - `../shared/registries/GROUP__Enum.tsv`: member value and name, as PyPCAPKit names
//!   them (header `value<TAB>name`).
//! - `xtask/data/missing.tsv`: PyPCAPKit's `_missing_` rules (domain, ranges with a name
//!   template, catch-all, IntFlag-ness), extracted from PyPCAPKit 1.4.1.post2's source by
//!   `xtask/scripts/pypcapkit_extract.py` (see its docstring for the template syntax).
//! - `xtask/data/extra/*.tsv`: extra member attributes (FTP Command / ReturnCode, HTTP
//!   Method / StatusCode) and enums PyPCAPKit defines outside `pcapkit/const`.
//! - `xtask/data/pcapng_option_namespaces.tsv`: which PCAP-NG block reads its option
//!   codes in which `OptionType` namespace.
//!
//! Output: `crates/pcapkit-core/src/consts/{mod,reg,pcapng}.rs` (LinkType and the PCAP-NG
//! registries: the capture layer needs them) and
//! `crates/pcapkit-protocols/src/consts/{mod,GROUP}.rs` (everything else), formatted by
//! rustfmt. `support.rs` in core is hand-written.
//!
//! Value a rule does not cover (PyPCAPKit raises `ValueError`): the member name is
//! `Unknown`, printed with the class prefix like every other text
//! (`EtherType::Unknown [4660]`), so texts stay uniform and greppable.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod emit;
mod model;
mod rustfmt;

/// Where the generator reads from and writes to.
pub struct Paths {
    /// Repository root (the workspace).
    pub root: PathBuf,
    /// Directory with the registry TSVs.
    pub registries: PathBuf,
}

impl Paths {
    /// Defaults: the workspace this xtask belongs to and `../shared/registries` beside it.
    pub fn default_paths() -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let registries = root.join("..").join("shared").join("registries");
        Self { root, registries }
    }
}

/// Entry point of the task.
pub fn main(args: &[String]) -> ExitCode {
    let mut paths = Paths::default_paths();
    let mut check = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--registries" => match it.next() {
                Some(d) => paths.registries = PathBuf::from(d),
                None => {
                    eprintln!("gen-consts: --registries needs a directory");
                    return ExitCode::from(2);
                }
            },
            "--check" => check = true,
            other => {
                eprintln!("gen-consts: unknown option {other:?}");
                return ExitCode::from(2);
            }
        }
    }
    let files = match generate(&paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("gen-consts: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stale = 0;
    for (path, text) in &files {
        let full = paths.root.join(path);
        let old = std::fs::read_to_string(&full).unwrap_or_default();
        if old == *text {
            continue;
        }
        stale += 1;
        if check {
            eprintln!("stale: {}", path.display());
            continue;
        }
        if let Some(dir) = full.parent()
            && let Err(e) = std::fs::create_dir_all(dir)
        {
            eprintln!("gen-consts: {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
        if let Err(e) = std::fs::write(&full, text) {
            eprintln!("gen-consts: {}: {e}", full.display());
            return ExitCode::FAILURE;
        }
        eprintln!("wrote {}", path.display());
    }
    if check && stale > 0 {
        eprintln!("gen-consts: {stale} file(s) stale: run cargo xtask gen-consts");
        return ExitCode::FAILURE;
    }
    eprintln!("gen-consts: {} files, {stale} updated", files.len());
    ExitCode::SUCCESS
}

/// Generates every output file in memory: `(path relative to the root, formatted text)`.
pub fn generate(paths: &Paths) -> Result<Vec<(PathBuf, String)>, String> {
    let model = model::Model::load(&paths.registries, &paths.root.join("xtask").join("data"))?;
    let files = emit::emit_all(&model)?;
    let mut out = Vec::with_capacity(files.len());
    for (path, code) in files {
        let formatted =
            rustfmt::format(&code, &paths.root).map_err(|e| format!("{}: {e}", path.display()))?;
        out.push((path, formatted));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed generated files equal what the generator produces now.
    #[test]
    fn committed_consts_are_fresh() {
        let paths = Paths::default_paths();
        let files = generate(&paths).unwrap();
        let mut stale = Vec::new();
        for (path, text) in &files {
            let old = std::fs::read_to_string(paths.root.join(path)).unwrap_or_default();
            if old != *text {
                stale.push(path.display().to_string());
            }
        }
        assert!(
            stale.is_empty(),
            "generated consts are stale ({}): run cargo xtask gen-consts",
            stale.join(", ")
        );
    }

    #[test]
    fn templates_parse() {
        use model::Piece;
        let t = model::parse_template("Unassigned_0x{X8_4}[{d}]").unwrap();
        assert_eq!(
            t,
            vec![
                Piece::Lit("Unassigned_0x".into()),
                Piece::Num {
                    radix: 'X',
                    width: 8,
                    group: 4
                },
                Piece::Lit("[".into()),
                Piece::Num {
                    radix: 'd',
                    width: 0,
                    group: 0
                },
                Piece::Lit("]".into()),
            ]
        );
        assert!(model::parse_template("bad {q}").is_err());
    }
}
