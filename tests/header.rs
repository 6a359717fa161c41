//! The generated header and the exported symbols: the committed include/openai.h is the one
//! this build generated, every function in it is documented, the shared library exports every
//! operation of ENDPOINTS.md and nothing without the `openai_` prefix.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn header() -> String {
    std::fs::read_to_string(root().join("include/openai.h")).unwrap()
}

/// The functions the header declares, in order: the identifier before the first `(` of each
/// line that is not a comment or a preprocessor line.
fn declared_functions(header: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in header.lines() {
        let line = line.trim_start();
        if line.starts_with('*') || line.starts_with("/*") || line.starts_with('#') {
            continue;
        }
        let Some(paren) = line.find('(') else { continue };
        let before = &line[..paren];
        let start = before.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
        if before[start..].starts_with("openai_") {
            names.push(before[start..].to_string());
        }
    }
    names
}

/// The functions named in ENDPOINTS.md for its JSON operations (the multipart, binary-upload and
/// streaming rows have issues of their own), plus models.delete and the generic call.
const JSON_OPERATIONS: &[&str] = &[
    "openai_chat_completions_create",
    "openai_models_list",
    "openai_models_retrieve",
    "openai_models_delete",
    "openai_edits_create",
    "openai_images_generate",
    "openai_embeddings_create",
    "openai_files_list",
    "openai_files_retrieve",
    "openai_files_delete",
    "openai_files_retrieve_content",
    "openai_fine_tuning_jobs_create",
    "openai_fine_tuning_jobs_list",
    "openai_fine_tuning_jobs_retrieve",
    "openai_fine_tuning_jobs_cancel",
    "openai_fine_tuning_jobs_list_events",
    "openai_moderations_create",
    "openai_audio_speech_create",
    "openai_beta_assistants_create",
    "openai_beta_assistants_retrieve",
    "openai_beta_assistants_modify",
    "openai_beta_assistants_delete",
    "openai_beta_assistants_list",
    "openai_beta_threads_create",
    "openai_beta_threads_retrieve",
    "openai_beta_threads_modify",
    "openai_beta_threads_delete",
    "openai_beta_threads_messages_create",
    "openai_beta_threads_messages_retrieve",
    "openai_beta_threads_messages_modify",
    "openai_beta_threads_messages_list",
    "openai_beta_threads_runs_create",
    "openai_beta_threads_runs_retrieve",
    "openai_beta_threads_runs_modify",
    "openai_beta_threads_runs_list",
    "openai_beta_threads_runs_cancel",
    "openai_beta_threads_runs_submit_tool_outputs",
    "openai_beta_threads_runs_steps_list",
    "openai_beta_threads_runs_steps_retrieve",
    "openai_beta_files_retrieve",
    "openai_beta_files_delete",
    "openai_beta_files_list",
    "openai_request",
];

#[test]
fn the_committed_header_is_the_generated_one() {
    // build.rs rewrote include/openai.h before this test was compiled; git tells whether that
    // changed the committed (or staged) file.
    let inside_git = Command::new("git").args(["rev-parse", "--is-inside-work-tree"]).current_dir(root()).output();
    match inside_git {
        Ok(o) if o.status.success() => {}
        _ => {
            eprintln!("not a git checkout: nothing to compare the header with");
            return;
        }
    }
    let diff = Command::new("git").args(["diff", "--exit-code", "--", "include/openai.h"]).current_dir(root()).output().unwrap();
    assert!(
        diff.status.success(),
        "the build changed include/openai.h: review the change and commit it\n{}",
        String::from_utf8_lossy(&diff.stdout)
    );
    let tracked = Command::new("git").args(["ls-files", "--error-unmatch", "include/openai.h"]).current_dir(root()).output().unwrap();
    assert!(tracked.status.success(), "include/openai.h is not committed");
}

#[test]
fn every_function_in_the_header_is_documented() {
    let header = header();
    let lines: Vec<&str> = header.lines().collect();
    let mut undocumented = Vec::new();
    for name in declared_functions(&header) {
        let at = lines.iter().position(|l| l.contains(&format!("{name}(")) && !l.trim_start().starts_with('*')).unwrap();
        if !lines[at - 1].trim_end().ends_with("*/") {
            undocumented.push(name);
        }
    }
    assert!(undocumented.is_empty(), "functions without a doc comment: {undocumented:?}");
    assert!(header.starts_with("/*\n * openai.h"), "the header opens with its conventions");
    for section in ["Ownership.", "Strings.", "Errors.", "Threads."] {
        assert!(header.contains(section), "the conventions section has {section}");
    }
}

#[test]
fn the_library_exports_every_operation_and_only_openai_symbols() {
    let exe = std::env::current_exe().unwrap();
    let library = exe.parent().unwrap().parent().unwrap().join("libopenai.so");
    let nm = Command::new("nm").args(["-D", "--defined-only"]).arg(&library).output().expect("nm (binutils)");
    assert!(nm.status.success(), "nm {}: {}", library.display(), String::from_utf8_lossy(&nm.stderr));
    let symbols: Vec<String> = String::from_utf8(nm.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2).map(str::to_string))
        .collect();
    let foreign: Vec<&String> = symbols.iter().filter(|s| !s.starts_with("openai_")).collect();
    assert!(foreign.is_empty(), "exported symbols without the openai_ prefix: {foreign:?}");
    for name in JSON_OPERATIONS {
        assert!(symbols.iter().any(|s| s == name), "{name} is not exported");
        let async_name = format!("{name}_async");
        assert!(symbols.contains(&async_name), "{async_name} is not exported");
    }
    // What the header declares is exactly what the library exports.
    let mut declared = declared_functions(&header());
    declared.sort();
    let mut exported = symbols.clone();
    exported.sort();
    assert_eq!(declared, exported);
}

#[test]
fn the_version_is_the_same_in_cargo_toml_the_header_and_the_cmake_package() {
    let header = header();
    for (name, part) in [("MAJOR", env!("CARGO_PKG_VERSION_MAJOR")), ("MINOR", env!("CARGO_PKG_VERSION_MINOR")), ("PATCH", env!("CARGO_PKG_VERSION_PATCH"))] {
        assert!(header.contains(&format!("#define OPENAI_VERSION_{name} {part}\n")), "OPENAI_VERSION_{name}");
    }
    let cmake = std::fs::read_to_string(root().join("cmake/openaiConfigVersion.cmake")).unwrap();
    assert!(cmake.contains(&format!("set(PACKAGE_VERSION \"{}\")", env!("CARGO_PKG_VERSION"))), "cmake/openaiConfigVersion.cmake");
}

#[test]
fn every_name_of_the_header_is_in_the_symbols_list_with_its_version() {
    let list = std::fs::read_to_string(root().join("docs/symbols-in-versions")).unwrap();
    let mut listed: Vec<&str> = Vec::new();
    for line in list.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let mut fields = line.split_whitespace();
        let (name, version) = (fields.next().unwrap(), fields.next().unwrap_or(""));
        let parts: Vec<&str> = version.split('.').collect();
        assert!(parts.len() == 3 && parts.iter().all(|p| p.parse::<u32>().is_ok()), "{name}: version \"{version}\"");
        listed.push(name);
    }
    let mut functions = declared_functions(&header());
    functions.sort();
    let missing: Vec<&String> = functions.iter().filter(|f| !listed.contains(&f.as_str())).collect();
    assert!(missing.is_empty(), "functions missing from docs/symbols-in-versions: {missing:?}");
    let header = header();
    let stale: Vec<&&str> = listed.iter().filter(|name| !header.contains(**name)).collect();
    assert!(stale.is_empty(), "names in docs/symbols-in-versions that the header no longer has: {stale:?}");
}
