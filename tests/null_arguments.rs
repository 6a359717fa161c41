//! Every function of the header, called with NULL for every pointer and zero for every number:
//! none crashes. Handles a call hands back anyway (a future that completed with
//! OPENAI_INVALID_ARGUMENT, an empty upload) are freed. The functions are loaded by name from the
//! built libopenai.so and their arity read from include/openai.h, so a new export is covered
//! without changing this test.

use std::path::PathBuf;

/// (name, return type, number of parameters) of every function the header declares.
fn declarations() -> Vec<(String, String, usize)> {
    let header = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("include/openai.h")).unwrap();
    let mut declarations = Vec::new();
    let mut pending = String::new();
    for line in header.lines() {
        let trimmed = line.trim_start();
        if pending.is_empty() && (trimmed.starts_with('*') || trimmed.starts_with("/*") || trimmed.starts_with('#') || trimmed.starts_with("typedef")) {
            continue;
        }
        if pending.is_empty() && !(trimmed.contains(" openai_") || trimmed.contains("*openai_")) {
            continue;
        }
        pending.push_str(trimmed);
        pending.push(' ');
        if !trimmed.ends_with(';') {
            continue;
        }
        let declaration = std::mem::take(&mut pending);
        let Some(open) = declaration.find('(') else { continue };
        let before = &declaration[..open];
        let name_start = before.rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
        let name = before[name_start..].to_string();
        let return_type = before[..name_start].trim().to_string();
        let params = declaration[open + 1..declaration.rfind(')').unwrap()].trim();
        let arity = if params == "void" || params.is_empty() { 0 } else { params.split(',').count() };
        if name.starts_with("openai_") {
            declarations.push((name, return_type, arity));
        }
    }
    declarations
}

#[test]
fn every_function_accepts_null_and_zero_everywhere() {
    let exe = std::env::current_exe().unwrap();
    let path = exe.parent().unwrap().parent().unwrap().join("libopenai.so");
    let lib = unsafe { libloading::Library::new(path) }.unwrap();
    let declarations = declarations();
    assert!(declarations.len() > 150, "parsed {} declarations", declarations.len());
    for (name, return_type, arity) in &declarations {
        let result: usize = unsafe {
            macro_rules! call {
                ($($z:expr),*) => {{
                    let f = lib.get::<unsafe extern "C" fn($(call!(@ty $z)),*) -> usize>(name.as_bytes()).unwrap();
                    f($($z),*)
                }};
                (@ty $z:expr) => { usize };
            }
            match arity {
                0 => call!(),
                1 => call!(0usize),
                2 => call!(0usize, 0usize),
                3 => call!(0usize, 0usize, 0usize),
                4 => call!(0usize, 0usize, 0usize, 0usize),
                5 => call!(0usize, 0usize, 0usize, 0usize, 0usize),
                6 => call!(0usize, 0usize, 0usize, 0usize, 0usize, 0usize),
                7 => call!(0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize),
                8 => call!(0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize),
                9 => call!(0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize),
                10 => call!(0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize),
                11 => call!(0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize),
                12 => call!(0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize),
                n => panic!("{name} takes {n} parameters; extend this test"),
            }
        };
        // Free what came back owned.
        let free = match return_type.as_str() {
            "openai_future *" => Some("openai_future_free"),
            "openai_stream *" => Some("openai_stream_free"),
            "openai_upload *" => Some("openai_upload_free"),
            "openai_queue *" => Some("openai_queue_free"),
            "openai_cancel_token *" => Some("openai_cancel_token_free"),
            "openai_json *" => Some("openai_json_free"),
            _ => None,
        };
        if let (Some(free), true) = (free, result != 0) {
            unsafe { lib.get::<unsafe extern "C" fn(usize)>(free.as_bytes()).unwrap()(result) };
        }
        if return_type == "openai_code" {
            let code = result as u32;
            assert!(code == 0 || code == 1 || code == 9, "{name}(NULL...) returned {code}");
        }
    }
}
