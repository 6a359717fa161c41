//! `cargo run -p openai-codegen`: rewrites the operation table and the mock server's examples
//! from the committed specification and naming file (run from anywhere in the workspace).

use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap_or_else(|e| fail(&format!("{p}: {e}")));
    let outputs = openai_codegen::generate(&read(openai_codegen::SPEC), &read(openai_codegen::NAMING)).unwrap_or_else(|e| fail(&e));
    for (path, text) in [(openai_codegen::TABLE, &outputs.table), (openai_codegen::EXAMPLES, &outputs.examples)] {
        write(&root.join(path), text, path);
    }
}

fn write(path: &Path, text: &str, shown: &str) {
    if std::fs::read_to_string(path).ok().as_deref() == Some(text) {
        println!("{shown}: unchanged");
        return;
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap_or_else(|e| fail(&format!("{shown}: {e}")));
    std::fs::write(path, text).unwrap_or_else(|e| fail(&format!("{shown}: {e}")));
    println!("{shown}: rewritten");
}

fn fail(message: &str) -> ! {
    eprintln!("openai-codegen: {message}");
    std::process::exit(1);
}
