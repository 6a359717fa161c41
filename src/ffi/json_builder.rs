//! `openai_json`: request bodies built from C without hand-written JSON. A builder writes one
//! document (an object or an array) member by member, escaping every string, checking raw JSON
//! before inserting it, and refusing misuse with a message that says what went wrong. A failed
//! call leaves the builder failed, so that a program may check only the final
//! `openai_json_text`: a document with a member silently missing is never handed out.

use std::collections::HashSet;
use std::ffi::{c_char, CStr};

use super::code::openai_code;
use super::error::set_last_error;
use super::handle;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    Object,
    Array,
}

/// An object or array still open.
#[derive(Debug)]
struct Frame {
    kind: Kind,
    /// Whether a member was written (the next one needs a comma).
    any: bool,
    /// The keys of an object so far: a key given twice is refused (a server would keep one of
    /// the two values and silently drop the other).
    keys: HashSet<String>,
}

/// The document being built, as Rust sees it (no C types): `openai_json` wraps it.
#[derive(Debug)]
pub(crate) struct Builder {
    /// The text so far; once complete, followed by a NUL byte.
    out: Vec<u8>,
    stack: Vec<Frame>,
    /// The first failure, which every later call repeats.
    failed: Option<String>,
    complete: bool,
}

/// A value to add to the open object or array.
pub(crate) enum Value<'a> {
    String(&'a str),
    Int(i64),
    Double(f64),
    Bool(bool),
    Null,
    /// JSON text, checked to be exactly one JSON value before it is written.
    Raw(&'a str),
    /// Opens a nested object or array: later values go into it until `end`.
    Begin(Kind),
}

impl Builder {
    fn new(kind: Kind) -> Builder {
        let mut builder = Builder { out: Vec::with_capacity(256), stack: Vec::new(), failed: None, complete: false };
        builder.open(kind);
        builder
    }

    pub(crate) fn object() -> Builder {
        Builder::new(Kind::Object)
    }

    pub(crate) fn array() -> Builder {
        Builder::new(Kind::Array)
    }

    fn open(&mut self, kind: Kind) {
        self.out.push(if kind == Kind::Object { b'{' } else { b'[' });
        self.stack.push(Frame { kind, any: false, keys: HashSet::new() });
    }

    /// Records a failure: the builder is failed from now on.
    fn fail(&mut self, message: String) -> Result<(), String> {
        self.failed = Some(message.clone());
        Err(message)
    }

    /// Lets a call go on only while the document is open and nothing failed: a call on a failed
    /// builder repeats the first failure, a call on a complete document fails the builder.
    fn guard(&mut self) -> Result<(), String> {
        if let Some(first) = &self.failed {
            return Err(format!("the JSON builder failed earlier: {first}"));
        }
        if self.complete {
            return self.fail(
                "the JSON document is complete (its outermost object or array was ended): nothing can be added to it".into(),
            );
        }
        Ok(())
    }

    /// Adds `value` under `key` to the innermost open object, or as the next element of the
    /// innermost open array (`key` must then be `None`).
    pub(crate) fn add(&mut self, key: Option<Result<&str, String>>, value: Value<'_>) -> Result<(), String> {
        self.guard()?;
        let frame = self.stack.last().expect("an incomplete builder has an open container");
        let key = match (frame.kind, key) {
            (Kind::Object, None) => return self.fail("a member of an object needs a key (key is NULL)".into()),
            (Kind::Object, Some(Err(e))) => return self.fail(e),
            (Kind::Object, Some(Ok(key))) if frame.keys.contains(key) => {
                return self.fail(format!("the key {} is already in this object", quoted(key)))
            }
            (Kind::Object, Some(Ok(key))) => Some(key),
            (Kind::Array, None) => None,
            (Kind::Array, Some(_)) => return self.fail("an element of an array has no key (key must be NULL)".into()),
        };
        // Check the value before writing anything, so that a refused value leaves no trace.
        let scalar = match value {
            Value::String(s) => Some(quoted(s)),
            Value::Int(n) => Some(n.to_string()),
            Value::Double(x) if x.is_finite() => Some(serde_json::to_string(&x).expect("a finite number serializes")),
            Value::Double(x) => return self.fail(format!("{x} is not a number JSON can hold (only finite numbers)")),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null => Some("null".into()),
            Value::Raw(text) => match serde_json::from_str::<serde::de::IgnoredAny>(text) {
                Ok(_) => Some(text.trim().to_string()),
                Err(e) => return self.fail(format!("the raw value is not JSON: {e}")),
            },
            Value::Begin(_) => None,
        };
        let frame = self.stack.last_mut().expect("checked above");
        if frame.any {
            self.out.push(b',');
        }
        frame.any = true;
        if let Some(key) = key {
            frame.keys.insert(key.to_string());
            self.out.extend_from_slice(quoted(key).as_bytes());
            self.out.push(b':');
        }
        match (scalar, value) {
            (Some(text), _) => self.out.extend_from_slice(text.as_bytes()),
            (None, Value::Begin(kind)) => self.open(kind),
            (None, _) => unreachable!("every value but Begin has its text"),
        }
        Ok(())
    }

    /// Ends the innermost open object or array; ending the outermost completes the document.
    pub(crate) fn end(&mut self) -> Result<(), String> {
        self.guard()?;
        let frame = self.stack.pop().expect("an incomplete builder has an open container");
        self.out.push(if frame.kind == Kind::Object { b'}' } else { b']' });
        if self.stack.is_empty() {
            self.complete = true;
            self.out.push(0);
        }
        Ok(())
    }

    /// The complete document followed by a NUL byte, or why there is none.
    pub(crate) fn text(&self) -> Result<&[u8], String> {
        if let Some(first) = &self.failed {
            return Err(format!("the JSON builder failed: {first}"));
        }
        if !self.complete {
            let open = self.stack.len();
            return Err(format!(
                "the JSON document is not complete: {open} object(s) or array(s) still open (end each with openai_json_end)"
            ));
        }
        Ok(&self.out)
    }
}

/// `s` as a JSON string literal: quoted, with `"`, `\` and the control characters escaped.
pub(crate) fn quoted(s: &str) -> String {
    serde_json::to_string(s).expect("a str serializes")
}

/// A JSON document (an object or an array) being built, for request bodies and query objects.
/// Created by `openai_json_new_object` or `openai_json_new_array`, owned by the caller, freed
/// with `openai_json_free`. Used by one thread at a time.
pub struct openai_json {
    inner: Builder,
}

/// Reads a key argument: `None` for NULL, else the key or why it is unusable.
///
/// # Safety
/// `key` is NULL or a NUL-terminated string.
unsafe fn key_arg<'a>(key: *const c_char) -> Option<Result<&'a str, String>> {
    if key.is_null() {
        return None;
    }
    // SAFETY: non-NULL and NUL-terminated by this function's contract.
    let bytes = unsafe { CStr::from_ptr(key) }.to_bytes();
    Some(std::str::from_utf8(bytes).map_err(|e| format!("key is not valid UTF-8 (byte {})", e.valid_up_to())))
}

/// Reads a required string argument as UTF-8.
///
/// # Safety
/// `ptr` is NULL or a NUL-terminated string.
unsafe fn str_arg<'a>(name: &str, ptr: *const c_char) -> Result<&'a str, String> {
    if ptr.is_null() {
        return Err(format!("{name} is NULL"));
    }
    // SAFETY: non-NULL and NUL-terminated by this function's contract.
    let bytes = unsafe { CStr::from_ptr(ptr) }.to_bytes();
    std::str::from_utf8(bytes).map_err(|e| format!("{name} is not valid UTF-8 (byte {})", e.valid_up_to()))
}

/// Runs `f` on the builder behind `json`, turning its result into a code (and the last error).
///
/// # Safety
/// `json` is NULL or a live builder used by this thread only.
unsafe fn with_builder(json: *mut openai_json, f: impl FnOnce(&mut Builder) -> Result<(), String>) -> openai_code {
    // SAFETY: this function's contract.
    let Some(json) = (unsafe { handle::borrow_mut(json) }) else {
        set_last_error("json is NULL");
        return openai_code::OPENAI_INVALID_ARGUMENT;
    };
    match f(&mut json.inner) {
        Ok(()) => openai_code::OPENAI_OK,
        Err(message) => {
            set_last_error(message);
            openai_code::OPENAI_INVALID_ARGUMENT
        }
    }
}

/// Adds a value whose argument was read first: an unreadable argument fails the builder too.
///
/// # Safety
/// `json` and `key` as for [`with_builder`] and [`key_arg`].
unsafe fn add(json: *mut openai_json, key: *const c_char, value: Result<Value<'_>, String>) -> openai_code {
    // SAFETY: this function's contract.
    unsafe {
        with_builder(json, |b| match value {
            Ok(value) => b.add(key_arg(key), value),
            Err(message) => b.guard().and_then(|()| b.fail(message)),
        })
    }
}

/// Starts a JSON document whose outermost value is an object: add its members with the
/// `openai_json_add_*` and `openai_json_begin_*` functions, end it with `openai_json_end`, then
/// read it with `openai_json_text`. The caller owns the builder and frees it with
/// `openai_json_free`. Never NULL.
///
/// Every `openai_json_*` call that adds to the document returns `OPENAI_OK`, or
/// `OPENAI_INVALID_ARGUMENT` with `openai_last_error()` saying why (NULL or invalid UTF-8, a key
/// missing in an object or given in an array, a key already in the object, a raw value that is
/// not JSON, a number that is not finite, a call after the document was complete); the value is
/// then not added and the builder is failed: every later call returns the same code with the
/// first failure's message, and `openai_json_text` returns NULL. A program may check each call
/// or only the text.
#[no_mangle]
pub extern "C" fn openai_json_new_object() -> *mut openai_json {
    ffi_boundary! {
        handle::give(openai_json { inner: Builder::object() })
    }
}

/// Starts a JSON document whose outermost value is an array, as `openai_json_new_object`
/// does for an object. Its elements are added with a NULL key. Never NULL.
#[no_mangle]
pub extern "C" fn openai_json_new_array() -> *mut openai_json {
    ffi_boundary! {
        handle::give(openai_json { inner: Builder::array() })
    }
}

/// Adds a string, escaped (quotes, backslashes and control characters; any other UTF-8 is
/// written as it is). `key` names the member in an object and must be NULL in an array.
/// `value` must be valid UTF-8: invalid UTF-8 is refused, never replaced.
#[no_mangle]
pub unsafe extern "C" fn openai_json_add_string(json: *mut openai_json, key: *const c_char, value: *const c_char) -> openai_code {
    ffi_boundary! {
        // SAFETY: `json` is NULL or a live builder; `key` and `value` NULL or C strings.
        unsafe { add(json, key, str_arg("value", value).map(Value::String)) }
    }
}

/// Adds an integer. `key` as for `openai_json_add_string`.
#[no_mangle]
pub unsafe extern "C" fn openai_json_add_int(json: *mut openai_json, key: *const c_char, value: i64) -> openai_code {
    ffi_boundary! {
        // SAFETY: `json` is NULL or a live builder; `key` NULL or a C string.
        unsafe { add(json, key, Ok(Value::Int(value))) }
    }
}

/// Adds a number in its shortest form that reads back as the same double (`0.7`, `1.0`,
/// `1e-7`). NaN and the infinities are refused: JSON has no such numbers. `key` as for
/// `openai_json_add_string`.
#[no_mangle]
pub unsafe extern "C" fn openai_json_add_double(json: *mut openai_json, key: *const c_char, value: f64) -> openai_code {
    ffi_boundary! {
        // SAFETY: `json` is NULL or a live builder; `key` NULL or a C string.
        unsafe { add(json, key, Ok(Value::Double(value))) }
    }
}

/// Adds `true` or `false`. `key` as for `openai_json_add_string`.
#[no_mangle]
pub unsafe extern "C" fn openai_json_add_bool(json: *mut openai_json, key: *const c_char, value: bool) -> openai_code {
    ffi_boundary! {
        // SAFETY: `json` is NULL or a live builder; `key` NULL or a C string.
        unsafe { add(json, key, Ok(Value::Bool(value))) }
    }
}

/// Adds `null`. `key` as for `openai_json_add_string`.
#[no_mangle]
pub unsafe extern "C" fn openai_json_add_null(json: *mut openai_json, key: *const c_char) -> openai_code {
    ffi_boundary! {
        // SAFETY: `json` is NULL or a live builder; `key` NULL or a C string.
        unsafe { add(json, key, Ok(Value::Null)) }
    }
}

/// Adds JSON text as it is (surrounding whitespace trimmed): a value from elsewhere (a tool's
/// arguments, a schema kept as text, a response's `openai_response_json_value`). It must be
/// exactly one valid JSON value; anything else is refused and nothing is written. `key` as for
/// `openai_json_add_string`.
#[no_mangle]
pub unsafe extern "C" fn openai_json_add_raw(json: *mut openai_json, key: *const c_char, raw_json: *const c_char) -> openai_code {
    ffi_boundary! {
        // SAFETY: `json` is NULL or a live builder; `key` and `raw_json` NULL or C strings.
        unsafe { add(json, key, str_arg("raw_json", raw_json).map(Value::Raw)) }
    }
}

/// Opens a nested object under `key` (NULL in an array): the following members go into it
/// until `openai_json_end`.
#[no_mangle]
pub unsafe extern "C" fn openai_json_begin_object(json: *mut openai_json, key: *const c_char) -> openai_code {
    ffi_boundary! {
        // SAFETY: `json` is NULL or a live builder; `key` NULL or a C string.
        unsafe { add(json, key, Ok(Value::Begin(Kind::Object))) }
    }
}

/// Opens a nested array under `key` (NULL in an array): the following elements, added with a
/// NULL key, go into it until `openai_json_end`.
#[no_mangle]
pub unsafe extern "C" fn openai_json_begin_array(json: *mut openai_json, key: *const c_char) -> openai_code {
    ffi_boundary! {
        // SAFETY: `json` is NULL or a live builder; `key` NULL or a C string.
        unsafe { add(json, key, Ok(Value::Begin(Kind::Array))) }
    }
}

/// Ends the innermost open object or array. Ending the outermost one completes the document:
/// `openai_json_text` then returns it, and any further call fails the builder.
#[no_mangle]
pub unsafe extern "C" fn openai_json_end(json: *mut openai_json) -> openai_code {
    ffi_boundary! {
        // SAFETY: `json` is NULL or a live builder used by this thread only.
        unsafe { with_builder(json, Builder::end) }
    }
}

/// The complete document as compact JSON text, NUL-terminated, to pass as a body or query
/// argument. Borrowed from the builder: valid until `openai_json_free`. NULL, with
/// `openai_last_error()` saying why, when `json` is NULL, when an object or array is still open
/// (the outermost one included), or when an earlier call failed.
#[no_mangle]
pub unsafe extern "C" fn openai_json_text(json: *const openai_json) -> *const c_char {
    ffi_boundary! {
        // SAFETY: `json` is NULL or a live builder (the header's conventions).
        let Some(json) = (unsafe { handle::borrow(json) }) else {
            set_last_error("json is NULL");
            return std::ptr::null();
        };
        match json.inner.text() {
            Ok(text) => text.as_ptr() as *const c_char,
            Err(message) => {
                set_last_error(message);
                std::ptr::null()
            }
        }
    }
}

/// Frees a builder and its text. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn openai_json_free(json: *mut openai_json) {
    ffi_boundary! {
        // SAFETY: `json` is NULL or a builder the caller owns, unused from now on.
        drop(unsafe { handle::take(json) });
    }
}

/// Writes `text` as a JSON string literal, quotes included (`say "hi"` becomes
/// `"say \"hi\""`), into `buffer` of `size` bytes, NUL-terminated, for a program that formats
/// its JSON with printf. `*length` (may be NULL) receives the literal's length without the NUL,
/// whether or not it fit.
///
/// Returns `OPENAI_OK` when the literal was written, or when `buffer` is NULL and `size` is 0
/// (a question: how long is it?). Returns `OPENAI_INVALID_ARGUMENT` when `text` is NULL or not
/// valid UTF-8, or when the buffer is too small (`buffer` then holds "" when `size` > 0, never a
/// cut literal, and `*length` + 1 bytes are needed).
#[no_mangle]
pub unsafe extern "C" fn openai_json_escape(text: *const c_char, buffer: *mut c_char, size: usize, length: *mut usize) -> openai_code {
    ffi_boundary! {
        // SAFETY: `length` is NULL or writable (the header's conventions).
        unsafe { handle::write_opt(length, 0) };
        // SAFETY: `text` is NULL or a C string.
        let literal = match unsafe { str_arg("text", text) } {
            Ok(text) => quoted(text),
            Err(message) => {
                set_last_error(message);
                return openai_code::OPENAI_INVALID_ARGUMENT;
            }
        };
        // SAFETY: as above.
        unsafe { handle::write_opt(length, literal.len()) };
        if buffer.is_null() {
            if size == 0 {
                return openai_code::OPENAI_OK;
            }
            set_last_error(format!("buffer is NULL but size is {size}"));
            return openai_code::OPENAI_INVALID_ARGUMENT;
        }
        // SAFETY: `buffer` is non-NULL and, by the function's contract, writable for `size`
        // bytes; at most `size` bytes are written (the literal and its NUL fit, or one NUL).
        let out = unsafe { std::slice::from_raw_parts_mut(buffer as *mut u8, size) };
        if literal.len() >= size {
            if let Some(first) = out.first_mut() {
                *first = 0;
            }
            set_last_error(format!("the buffer holds {size} bytes; the JSON string needs {}", literal.len() + 1));
            return openai_code::OPENAI_INVALID_ARGUMENT;
        }
        out[..literal.len()].copy_from_slice(literal.as_bytes());
        out[literal.len()] = 0;
        openai_code::OPENAI_OK
    }
}

#[cfg(test)]
mod tests {
    use super::{Builder, Kind, Value};

    fn text(b: &Builder) -> String {
        let bytes = b.text().unwrap();
        String::from_utf8(bytes[..bytes.len() - 1].to_vec()).unwrap()
    }

    #[test]
    fn nested_objects_and_arrays_with_every_kind_of_value() {
        let mut b = Builder::object();
        b.add(Some(Ok("model")), Value::String("gpt-4o-mini")).unwrap();
        b.add(Some(Ok("messages")), Value::Begin(Kind::Array)).unwrap();
        b.add(None, Value::Begin(Kind::Object)).unwrap();
        b.add(Some(Ok("role")), Value::String("user")).unwrap();
        b.add(Some(Ok("content")), Value::String("say \"hi\"\n\t\u{1}\u{7f}é")).unwrap();
        b.end().unwrap();
        b.add(None, Value::Int(-9_007_199_254_740_993)).unwrap();
        b.add(None, Value::Double(0.7)).unwrap();
        b.add(None, Value::Double(1.0)).unwrap();
        b.add(None, Value::Bool(false)).unwrap();
        b.add(None, Value::Null).unwrap();
        b.add(None, Value::Raw("  {\"a\": [1, 2]}\n")).unwrap();
        b.add(None, Value::Begin(Kind::Array)).unwrap();
        b.end().unwrap();
        b.end().unwrap();
        assert!(b.text().is_err(), "the outer object is still open");
        b.end().unwrap();
        assert_eq!(
            text(&b),
            "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"say \\\"hi\\\"\\n\\t\\u0001\u{7f}é\"},-9007199254740993,0.7,1.0,false,null,{\"a\": [1, 2]},[]]}"
        );
        let parsed: serde_json::Value = serde_json::from_str(&text(&b)).unwrap();
        assert_eq!(parsed["messages"][0]["content"], "say \"hi\"\n\t\u{1}\u{7f}é");
    }

    #[test]
    fn misuse_fails_the_builder_and_keeps_the_first_message() {
        let mut b = Builder::object();
        assert_eq!(b.add(None, Value::Int(1)).unwrap_err(), "a member of an object needs a key (key is NULL)");
        // Every later call repeats it, even a valid one, and the text is withheld.
        assert!(b.add(Some(Ok("a")), Value::Int(1)).unwrap_err().contains("a member of an object needs a key"));
        assert!(b.end().is_err());
        assert!(b.text().unwrap_err().contains("needs a key"));

        let mut b = Builder::array();
        assert!(b.add(Some(Ok("k")), Value::Int(1)).unwrap_err().contains("key must be NULL"));

        let mut b = Builder::object();
        b.add(Some(Ok("a")), Value::Int(1)).unwrap();
        assert!(b.add(Some(Ok("a")), Value::Int(2)).unwrap_err().contains("the key \"a\" is already in this object"));

        for bad in ["", "{", "1 2", "{\"a\":}", "nul", "[1,]"] {
            let mut b = Builder::array();
            assert!(b.add(None, Value::Raw(bad)).unwrap_err().starts_with("the raw value is not JSON"), "{bad:?}");
            assert!(b.text().is_err());
        }
        for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut b = Builder::array();
            assert!(b.add(None, Value::Double(x)).unwrap_err().contains("not a number JSON can hold"));
        }
    }

    #[test]
    fn nothing_is_added_to_a_complete_document() {
        let mut b = Builder::array();
        b.add(None, Value::Int(1)).unwrap();
        b.end().unwrap();
        assert_eq!(text(&b), "[1]");
        assert!(b.add(None, Value::Int(2)).unwrap_err().contains("the JSON document is complete"));
        assert!(b.end().unwrap_err().contains("the JSON document is complete"));
        assert!(b.text().unwrap_err().contains("the JSON document is complete"));
    }

    #[test]
    fn a_refused_value_writes_nothing() {
        let mut b = Builder::object();
        b.add(Some(Ok("a")), Value::Int(1)).unwrap();
        let before = b.out.clone();
        assert!(b.add(Some(Ok("b")), Value::Raw("{")).is_err());
        assert_eq!(b.out, before);
    }
}
