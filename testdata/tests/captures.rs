//! The committed captures are exactly what the generator produces.

use pcapkit_testdata::{committed_captures_dir, crafted, list_captures};

#[test]
fn committed_captures_are_generated() {
    let generated = crafted::all();
    for (name, bytes) in &generated {
        let path = committed_captures_dir().join(name);
        let committed = std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; run `cargo run -p pcapkit-testdata --example gen-captures`",
                path.display()
            )
        });
        assert!(
            committed == *bytes,
            "{} differs from the generator; run `cargo run -p pcapkit-testdata --example gen-captures` and commit",
            path.display()
        );
    }
    let names: Vec<_> = list_captures(&committed_captures_dir())
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let mut expected: Vec<_> = generated.iter().map(|(n, _)| n.to_string()).collect();
    expected.sort();
    assert_eq!(names, expected, "stray files in testdata/captures");
}
