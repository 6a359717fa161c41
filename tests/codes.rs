//! Renders everything derived from the result codes' one declaration, the `openai_code` enum in
//! src/ffi/code.rs: the table of names the library uses (src/ffi/code_table.rs), the README's
//! list and bindings/codes.json for the bindings. Fails after rewriting a stale rendering, like
//! tests/generated.rs: run `cargo test --test codes` once more and commit the result.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One variant of the enum: its name, value and the first sentence of its documentation.
struct Code {
    name: String,
    value: i64,
    doc: String,
}

/// Reads the variants of `pub enum openai_code` from the source, with their doc comments.
fn codes() -> Vec<Code> {
    let source = std::fs::read_to_string(root().join("src/ffi/code.rs")).unwrap();
    let start = source.find("pub enum openai_code {").expect("the enum is in src/ffi/code.rs");
    let body = &source[start..start + source[start..].find("\n}").unwrap()];
    let mut codes = Vec::new();
    let mut doc = Vec::new();
    for line in body.lines().skip(1).map(str::trim) {
        if let Some(text) = line.strip_prefix("///") {
            doc.push(text.trim().to_string());
        } else if let Some((name, value)) = line.trim_end_matches(',').split_once(" = ") {
            let doc_text = doc.join(" ");
            codes.push(Code { name: name.trim().to_string(), value: value.trim().parse().unwrap(), doc: doc_text });
            doc.clear();
        }
    }
    assert!(codes.len() > 10, "the enum's variants were not found");
    codes
}

fn ensure(path: &Path, contents: &str) -> bool {
    if std::fs::read_to_string(path).unwrap_or_default() == contents {
        return false;
    }
    std::fs::write(path, contents).unwrap();
    true
}

fn render_table(codes: &[Code]) -> String {
    let mut out = String::from(
        "// Rendered by tests/codes.rs from the `openai_code` enum (src/ffi/code.rs): do not edit.\n\n\
         /// Every code with its name, in the enum's order, for `openai_code_name` and the tests.\n\
         pub const ALL_CODES: &[(openai_code, &std::ffi::CStr)] = &[\n",
    );
    for code in codes {
        out.push_str(&format!("    ({0}, c\"{0}\"),\n", code.name));
    }
    out.push_str("];\n");
    out
}

fn render_readme(codes: &[Code]) -> String {
    let mut out = String::from("| code | value | meaning |\n| --- | --: | --- |\n");
    for code in codes {
        out.push_str(&format!("| `{}` | {} | {} |\n", code.name, code.value, code.doc));
    }
    out
}

fn render_json(codes: &[Code]) -> String {
    let list: Vec<serde_json::Value> = codes
        .iter()
        .map(|c| serde_json::json!({"name": c.name, "value": c.value, "doc": c.doc}))
        .collect();
    let document = serde_json::json!({
        "generated_by": "tests/codes.rs from the openai_code enum in src/ffi/code.rs; do not edit",
        "codes": list,
    });
    serde_json::to_string_pretty(&document).unwrap() + "\n"
}

#[test]
fn renderings_of_the_codes_are_current() {
    let codes = codes();
    let readme_path = root().join("README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap();
    let (begin, end) = ("<!-- codes:begin -->", "<!-- codes:end -->");
    let start = readme.find(begin).expect("README codes marker") + begin.len();
    let stop = readme.find(end).expect("README codes end marker");
    let readme = format!("{}\n{}{}", &readme[..start], render_readme(&codes), &readme[stop..]);
    let stale: Vec<&str> = [
        (root().join("src/ffi/code_table.rs"), render_table(&codes), "src/ffi/code_table.rs"),
        (readme_path, readme, "README.md"),
        (root().join("bindings/codes.json"), render_json(&codes), "bindings/codes.json"),
    ]
    .iter()
    .filter(|(path, contents, _)| ensure(path, contents))
    .map(|(_, _, name)| *name)
    .collect();
    assert!(stale.is_empty(), "rewritten from src/ffi/code.rs (commit them): {stale:?}");
}

#[test]
fn values_are_unique() {
    let codes = codes();
    let mut values: Vec<i64> = codes.iter().map(|c| c.value).collect();
    values.sort();
    values.dedup();
    assert_eq!(values.len(), codes.len(), "two codes share a value");
}
