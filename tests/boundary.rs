//! No panic crosses into C: every export runs inside `ffi_boundary!`, which turns a panic into
//! the internal-error code (or NULL, or -1) with the panic's message in `openai_last_error`; a
//! panic inside a call running on the library's threads completes it with `OPENAI_INTERNAL`.

mod common;

use std::path::PathBuf;

use common::*;
use openai::ffi::error::openai_last_error;
use openai::ffi::future::*;
use openai::response::Response;

fn code_that_panics() -> openai_code {
    openai::ffi_boundary! { panic!("a bug in a code-returning export") }
}

fn pointer_that_panics() -> *mut openai_response {
    openai::ffi_boundary! { panic!("a bug in a pointer-returning export") }
}

fn descriptor_that_panics() -> i32 {
    openai::ffi_boundary! { panic!("a bug in a descriptor-returning export") }
}

#[test]
fn a_panic_in_an_export_returns_the_internal_code_and_says_so() {
    assert_eq!(code_that_panics(), OPENAI_INTERNAL);
    let message = text(openai_last_error()).unwrap();
    assert_eq!(message, "internal error (a bug in libopenai): a bug in a code-returning export");
    assert!(pointer_that_panics().is_null());
    assert_eq!(descriptor_that_panics(), -1, "not 0, which is a valid descriptor");
    assert!(text(openai_last_error()).unwrap().ends_with("a bug in a descriptor-returning export"));
}

#[test]
fn a_panic_inside_an_async_call_completes_it_with_the_internal_code() {
    let work: Result<_, Response> = Ok(async {
        panic!("a bug while the call runs");
        #[allow(unreachable_code)]
        Response::failure(openai::response::Outcome::Ok, "")
    });
    let future = start(work, None, std::ptr::null_mut());
    assert_eq!(unsafe { openai_future_wait(future, 10_000) }, OPENAI_OK);
    let mut response = std::ptr::null_mut();
    let code = unsafe { openai_future_take(future, &mut response) };
    let r = reply(code, response);
    assert_eq!(r.code, OPENAI_INTERNAL);
    assert_eq!(r.message.as_deref(), Some("internal error (a bug in libopenai): a bug while the call runs"));
    unsafe { openai_future_free(future) };
}

#[test]
fn every_export_runs_inside_the_boundary() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/ffi");
    let mut exports = 0;
    let mut outside = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let source = std::fs::read_to_string(&path).unwrap();
        for (at, _) in source.match_indices("extern \"C\" fn ") {
            let name: String = source[at + 14..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            // The body: from the signature's opening brace to the closing brace at column 0.
            let body_start = source[at..].find(") -> ").map_or(at, |_| at) + source[at..].find('{').unwrap();
            let body_end = body_start + source[body_start..].find("\n}").unwrap();
            let body = source[body_start..body_end].trim_start_matches('{').trim();
            exports += 1;
            if !body.starts_with("ffi_boundary!") {
                outside.push(format!("{}: {name}", path.file_name().unwrap().to_string_lossy()));
            }
        }
    }
    assert!(exports > 150, "found {exports} exports");
    assert!(outside.is_empty(), "exports whose body is not inside ffi_boundary!: {outside:?}");
}

/// The unsafe contract is visible: every `unsafe` block of the library says why it is sound, in
/// a `// SAFETY:` comment on it or on one of the three lines before it.
#[test]
fn every_unsafe_block_has_its_safety_argument() {
    let mut missing = Vec::new();
    let mut blocks = 0;
    let mut pending = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            if !path.extension().is_some_and(|e| e == "rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            let lines: Vec<&str> = source.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                for _ in line.matches("unsafe {") {
                    blocks += 1;
                    let context = &lines[i.saturating_sub(3)..=i];
                    if !context.iter().any(|l| l.contains("SAFETY")) {
                        missing.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
                    }
                }
            }
        }
    }
    assert!(blocks > 100, "found {blocks} unsafe blocks");
    assert!(missing.is_empty(), "unsafe blocks without a SAFETY argument:\n{}", missing.join("\n"));
}
