//! Builds the C test programs (tests/c/test_*.c) and the examples (examples-c/*.c) with
//! `-Wall -Wextra -Werror -pedantic` against the freshly built libopenai.so, and runs each
//! against its own mock server: plainly, under AddressSanitizer + UndefinedBehaviorSanitizer,
//! and under valgrind. Leaks count as failures in both checked modes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use openai_mock::MockServer;

#[allow(dead_code)]
#[path = "common/webhooks.rs"]
mod webhooks;

/// The key the C programs use: it must never appear in what they print.
const KEY: &str = "sk-c-tests-SECRET-7c2f";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Plain,
    Sanitizers,
    Valgrind,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The directory of the library cargo built for this test run (target/debug).
fn library_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
    assert!(dir.join("libopenai.so").exists(), "libopenai.so is not in {}", dir.display());
    dir
}

/// Every C program to run: the tests, then the examples.
fn programs() -> Vec<PathBuf> {
    let mut programs = Vec::new();
    for (dir, prefix) in [("tests/c", "test_"), ("examples-c", "")] {
        let mut found: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.extension().is_some_and(|e| e == "c")
                    && p.file_name().unwrap().to_str().unwrap().starts_with(prefix)
            })
            .collect();
        found.sort();
        programs.extend(found);
    }
    programs
}

fn compile(source: &Path, mode: Mode) -> PathBuf {
    compile_into(source, mode, &format!("{mode:?}").to_lowercase())
}

/// `compile` into a directory of its own: a test that runs one program builds it where the
/// suite's parallel runs are not writing it at the same time.
fn compile_into(source: &Path, mode: Mode, dir: &str) -> PathBuf {
    let lib = library_dir();
    let out_dir = lib.join("c-tests").join(dir);
    std::fs::create_dir_all(&out_dir).unwrap();
    let exe = out_dir.join(source.file_stem().unwrap());
    let mut cc = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()));
    cc.args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-g", "-pthread"])
        .arg(format!("-I{}", root().join("include").display()))
        .arg(format!("-I{}", root().join("tests/c").display()));
    if mode == Mode::Sanitizers {
        cc.args(["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-fno-sanitize-recover=all"]);
    }
    cc.arg(source)
        .arg("-o")
        .arg(&exe)
        .arg(format!("-L{}", lib.display()))
        .arg("-lopenai")
        .arg(format!("-Wl,-rpath,{}", lib.display()));
    let output = cc.output().expect("a C compiler (cc)");
    assert!(output.status.success(), "compiling {}:\n{}", source.display(), String::from_utf8_lossy(&output.stderr));
    exe
}

fn run(exe: &Path, mode: Mode) -> Output {
    let mock = MockServer::start();
    let mut command = match mode {
        Mode::Valgrind => {
            let mut c = Command::new("valgrind");
            c.args([
                "--quiet",
                "--error-exitcode=99",
                "--leak-check=full",
                // Possibly lost too: every program ends with openai_shutdown, which joins the
                // library's threads, so nothing of theirs may be left.
                "--show-leak-kinds=definite,indirect,possible",
                "--errors-for-leak-kinds=definite,indirect,possible",
                &format!("--suppressions={}", root().join("tests/c/valgrind.supp").display()),
            ])
            .arg(exe);
            c
        }
        _ => Command::new(exe),
    };
    command
        .env("OPENAI_API_KEY", KEY)
        .env("OPENAI_BASE_URL", mock.base_url())
        .env("MOCK_URL", mock.url())
        .envs(webhooks::c_environment())
        .env("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:exitcode=98")
        .env("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1");
    // One program runs with the library's debug log on stderr, so that the scan for the key
    // below covers every request's logged headers too.
    if mode == Mode::Plain && exe.ends_with("chat") {
        command.env("OPENAI_LOG", "debug");
    }
    command.output().expect("run a C program")
}

/// Whether a program runs in `mode`: a program may restrict itself with a line
/// `modes: plain` in its opening comment.
fn runs_in(source: &Path, mode: Mode) -> bool {
    let text = std::fs::read_to_string(source).unwrap();
    match text.lines().find_map(|l| l.split_once("modes:").map(|(_, modes)| modes.to_string())) {
        None => true,
        // The names before any parenthesis: "modes: plain, valgrind (why)".
        Some(modes) => modes
            .split('(')
            .next()
            .unwrap_or("")
            .split(|c: char| !c.is_alphanumeric())
            .any(|m| m.eq_ignore_ascii_case(&format!("{mode:?}"))),
    }
}

fn run_all(mode: Mode) {
    let mut failed = Vec::new();
    for source in programs().into_iter().filter(|s| runs_in(s, mode)) {
        let exe = compile(&source, mode);
        let output = run(&exe, mode);
        let name = source.strip_prefix(root()).unwrap().display().to_string();
        let printed = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert!(!printed.contains(KEY), "{name} printed the API key");
        if output.status.success() {
            println!("{mode:?} {name}: ok");
        } else {
            eprintln!(
                "{mode:?} {name}: {}\n--- stdout\n{}--- stderr\n{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            failed.push(name);
        }
    }
    assert!(failed.is_empty(), "{mode:?}: failed: {failed:?}");
}

#[test]
fn c_programs_pass() {
    run_all(Mode::Plain);
}

#[test]
fn c_programs_pass_under_address_and_undefined_behavior_sanitizers() {
    run_all(Mode::Sanitizers);
}

#[test]
fn c_programs_pass_under_valgrind() {
    run_all(Mode::Valgrind);
}

#[test]
fn the_header_compiles_alone_as_c99_and_as_cpp_included_twice() {
    let dir = library_dir().join("c-tests/header");
    std::fs::create_dir_all(&dir).unwrap();
    let source = "#include \"openai.h\"\n#include \"openai.h\"\nint main(void) { return openai_version() == 0; }\n";
    for (compiler, standard, file) in [("cc", "-std=c99", "alone.c"), ("c++", "-std=c++11", "alone.cpp"), ("c++", "-std=c++17", "alone17.cpp")] {
        let path = dir.join(file);
        std::fs::write(&path, source.replace("(void)", if file.ends_with(".c") { "(void)" } else { "()" })).unwrap();
        let output = Command::new(compiler)
            .args([standard, "-Wall", "-Wextra", "-Werror", "-pedantic", "-c"])
            .arg(format!("-I{}", root().join("include").display()))
            .arg(&path)
            .arg("-o")
            .arg(dir.join(format!("{file}.o")))
            .output()
            .expect("a C and a C++ compiler");
        assert!(output.status.success(), "{compiler} {standard}:\n{}", String::from_utf8_lossy(&output.stderr));
    }
}

/// The tool-call example sends exactly the conversation a tool loop must: the question with the
/// tool's description, then the assistant's tool call as it came and the tool's result under
/// its call id; and prints the final answer.
#[test]
fn the_tool_call_example_sends_the_tool_result_back() {
    let exe = compile_into(&root().join("examples-c/tool_calls.c"), Mode::Plain, "tool-calls");
    let mock = MockServer::start();
    let output = Command::new(&exe)
        .env("OPENAI_API_KEY", KEY)
        .env("OPENAI_BASE_URL", mock.base_url())
        .env("MOCK_URL", mock.url())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(
        stdout,
        "tool call call_1: get_weather({\"city\": \"Paris\"}) -> {\"city\":\"Paris\",\"temperature_c\":18,\"sky\":\"clear\"}\n\
         answer: Hello! How can I help you today?\n"
    );
    let requests = mock.requests();
    assert_eq!(requests.len(), 2, "two chat completions (the script itself is not logged)");
    let bodies: Vec<serde_json::Value> =
        requests.iter().map(|r| serde_json::from_str(r["body"].as_str().unwrap()).unwrap()).collect();
    let tool = serde_json::json!([{"type": "function", "function": {
        "name": "get_weather", "description": "The current weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]);
    let question = serde_json::json!({"role": "user", "content": "What is the weather in Paris?"});
    assert_eq!(bodies[0], serde_json::json!({"model": "gpt-4o-mini", "messages": [question], "tools": tool}));
    assert_eq!(
        bodies[1],
        serde_json::json!({"model": "gpt-4o-mini", "tools": tool, "messages": [
            question,
            {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
                "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "{\"city\":\"Paris\",\"temperature_c\":18,\"sky\":\"clear\"}"},
        ]})
    );
}
