//! Reading the inputs: registries, `_missing_` rules, extra attributes.

use std::collections::BTreeMap;
use std::path::Path;

/// One piece of a synthesised-name template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Literal text.
    Lit(String),
    /// The value in `radix` (`d`, `x`, `X`, `b`), zero-filled to `width` digits, split in
    /// groups of `group` digits from the left joined by `_` (0: no grouping).
    Num {
        radix: char,
        width: usize,
        group: usize,
    },
}

/// Parses `Unassigned_0x{X4}` into pieces.
pub fn parse_template(t: &str) -> Result<Vec<Piece>, String> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(start) = rest.find('{') {
        if start > 0 {
            out.push(Piece::Lit(rest[..start].to_string()));
        }
        let end = rest[start..]
            .find('}')
            .ok_or_else(|| format!("unclosed placeholder in {t:?}"))?
            + start;
        let spec = &rest[start + 1..end];
        let mut chars = spec.chars();
        let radix = chars
            .next()
            .ok_or_else(|| format!("empty placeholder in {t:?}"))?;
        if !matches!(radix, 'd' | 'x' | 'X' | 'b') {
            return Err(format!("unknown placeholder {{{spec}}} in {t:?}"));
        }
        let tail: String = chars.collect();
        let (w, g) = match tail.split_once('_') {
            Some((w, g)) => (w, g),
            None => (tail.as_str(), ""),
        };
        let num = |s: &str| -> Result<usize, String> {
            if s.is_empty() {
                Ok(0)
            } else {
                s.parse()
                    .map_err(|_| format!("bad placeholder {{{spec}}} in {t:?}"))
            }
        };
        out.push(Piece::Num {
            radix,
            width: num(w)?,
            group: num(g)?,
        });
        rest = &rest[end + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Lit(rest.to_string()));
    }
    Ok(out)
}

/// A synthesised-member rule: values `lo..=hi` get the name `template`.
#[derive(Debug, Clone)]
pub struct Range {
    pub lo: u128,
    pub hi: u128,
    pub template: Vec<Piece>,
    /// Extra arguments PyPCAPKit passes to the member constructor (AppType: svc, proto;
    /// StatusCode: message; OptionType: opt_name).
    pub args: Vec<String>,
}

/// PyPCAPKit's `_missing_` behaviour of one enum.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// Accepted values (`None` hi: unbounded); outside → `ValueError` → `Unknown`.
    pub domain: Option<(u128, Option<u128>)>,
    /// Ordered ranges, first match wins.
    pub ranges: Vec<Range>,
    /// Catch-all for the rest of the domain.
    pub default: Option<Range>,
    /// IntFlag: name of the zero value (`undefined`, or `None` when not a member).
    pub flag_zero: Option<String>,
    /// String enum whose unknown values become members named `value.upper()`.
    pub upper: bool,
}

/// One registry (one enum).
#[derive(Debug, Clone)]
pub struct Registry {
    /// `GROUP__Enum`.
    pub key: String,
    /// `reg`, `tcp`, ...
    pub group: String,
    /// PyPCAPKit's class name, `EtherType`.
    pub class: String,
    /// Source path as written in the generated header.
    pub source: String,
    /// `(value, name)` rows in registry order.
    pub rows: Vec<(String, String)>,
    pub rules: Rules,
}

impl Registry {
    /// Integer values of the rows (None when some value is not an integer).
    pub fn int_rows(&self) -> Option<Vec<(u128, &str)>> {
        self.rows
            .iter()
            .map(|(v, n)| v.parse::<u128>().ok().map(|v| (v, n.as_str())))
            .collect()
    }
}

/// All inputs.
pub struct Model {
    pub registries: BTreeMap<String, Registry>,
    /// `xtask/data/extra/KEY.tsv` attribute tables (value → columns), by key.
    pub extra: BTreeMap<String, Vec<Vec<String>>>,
    /// PCAP-NG block type value → option namespace.
    pub option_namespaces: Vec<(u32, String)>,
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Data lines of a TSV: `#` comments and blank lines dropped, split on tabs.
fn tsv_lines(text: &str) -> impl Iterator<Item = Vec<String>> + '_ {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
}

fn load_registry(key: &str, text: &str, source: String) -> Result<Registry, String> {
    let (group, class) = key
        .split_once("__")
        .ok_or_else(|| format!("{key}: file name is not GROUP__Enum.tsv"))?;
    let mut lines = tsv_lines(text);
    match lines.next() {
        Some(h) if h == ["value", "name"] => {}
        other => return Err(format!("{key}: header is {other:?}, want value<TAB>name")),
    }
    let mut rows = Vec::new();
    for l in lines {
        let [v, n] = l.as_slice() else {
            return Err(format!("{key}: bad row {l:?}"));
        };
        rows.push((v.clone(), n.clone()));
    }
    Ok(Registry {
        key: key.to_string(),
        group: group.to_string(),
        class: class.to_string(),
        source,
        rows,
        rules: Rules::default(),
    })
}

fn num(s: &str, what: &str) -> Result<u128, String> {
    s.parse()
        .map_err(|_| format!("missing.tsv: bad {what} {s:?}"))
}

impl Model {
    /// Reads the registries directory and `xtask/data`.
    pub fn load(registries: &Path, data: &Path) -> Result<Self, String> {
        let mut regs = BTreeMap::new();
        let mut names: Vec<_> = std::fs::read_dir(registries)
            .map_err(|e| format!("{}: {e}", registries.display()))?
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tsv"))
            .collect();
        names.sort();
        for n in names {
            let key = n.trim_end_matches(".tsv");
            let text = read(&registries.join(&n))?;
            let reg = load_registry(key, &text, format!("../shared/registries/{n}"))?;
            regs.insert(key.to_string(), reg);
        }
        if regs.is_empty() {
            return Err(format!("no registries in {}", registries.display()));
        }
        // Enums PyPCAPKit defines outside pcapkit/const: same layout, under xtask/data/extra.
        let extra_dir = data.join("extra");
        let mut extra = BTreeMap::new();
        let mut names: Vec<_> = std::fs::read_dir(&extra_dir)
            .map_err(|e| format!("{}: {e}", extra_dir.display()))?
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tsv"))
            .collect();
        names.sort();
        for n in names {
            let key = n.trim_end_matches(".tsv");
            let text = read(&extra_dir.join(&n))?;
            if regs.contains_key(key) {
                extra.insert(key.to_string(), tsv_lines(&text).collect());
            } else {
                let reg = load_registry(key, &text, format!("xtask/data/extra/{n}"))?;
                regs.insert(key.to_string(), reg);
            }
        }

        for l in tsv_lines(&read(&data.join("missing.tsv"))?) {
            let [key, kind, lo, hi, template, args] = l.as_slice() else {
                return Err(format!("missing.tsv: bad row {l:?}"));
            };
            let reg = regs
                .get_mut(key)
                .ok_or_else(|| format!("missing.tsv: unknown registry {key}"))?;
            let r = &mut reg.rules;
            let range = |lo: u128, hi: u128| -> Result<Range, String> {
                Ok(Range {
                    lo,
                    hi,
                    template: parse_template(template)?,
                    args: if args.is_empty() {
                        Vec::new()
                    } else {
                        args.split(',').map(str::to_string).collect()
                    },
                })
            };
            match kind.as_str() {
                "flag" => r.flag_zero = Some(template.clone()),
                "upper" => r.upper = true,
                "domain" => {
                    let hi = if hi.is_empty() {
                        None
                    } else {
                        Some(num(hi, "hi")?)
                    };
                    r.domain = Some((num(lo, "lo")?, hi));
                }
                "range" => {
                    let rg = range(num(lo, "lo")?, num(hi, "hi")?)?;
                    r.ranges.push(rg);
                }
                "default" => r.default = Some(range(0, 0)?),
                other => return Err(format!("missing.tsv: unknown kind {other:?}")),
            }
        }

        let mut option_namespaces = Vec::new();
        for l in tsv_lines(&read(&data.join("pcapng_option_namespaces.tsv"))?) {
            let [v, ns] = l.as_slice() else {
                return Err(format!("pcapng_option_namespaces.tsv: bad row {l:?}"));
            };
            let v: u32 = v
                .parse()
                .map_err(|_| format!("pcapng_option_namespaces.tsv: bad block type {v:?}"))?;
            option_namespaces.push((v, ns.clone()));
        }
        Ok(Self {
            registries: regs,
            extra,
            option_namespaces,
        })
    }
}
