//! The committed operation table and mock examples are what the committed specification and
//! naming file produce: a change to either without `cargo run -p openai-codegen` fails here.

use std::path::PathBuf;

#[test]
fn the_committed_outputs_are_what_the_specification_produces() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    let outputs = openai_codegen::generate(&read(openai_codegen::SPEC), &read(openai_codegen::NAMING)).expect("generate");
    for (path, text) in [(openai_codegen::TABLE, &outputs.table), (openai_codegen::EXAMPLES, &outputs.examples)] {
        assert!(read(path) == *text, "{path} is stale: run `cargo run -p openai-codegen` and commit the result");
    }
}
