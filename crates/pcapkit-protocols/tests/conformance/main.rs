//! Conformance: every frame of every capture in `../shared/testdata/captures` is
//! dissected and its fields compared with Wireshark's (`../shared/oracle/NAME.frames.jsonl`)
//! through the rule tables in `rules/` (one file per protocol family).
//!
//! Prints a per-field agreement table and fails on any disagreement not listed, with its
//! reason, in `allowlist.tsv` (`capture<TAB>frame|*<TAB>field<TAB>reason`).

mod harness;
mod rules;

#[test]
fn fields_agree_with_wireshark() {
    harness::run(&rules::all());
}
