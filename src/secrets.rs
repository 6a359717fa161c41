//! Secrets: the one list of credential headers (redacted in logs, dropped from a request that a
//! redirect sends to another origin) and the scrubbing of the API key from every string the
//! library hands out (messages, API error fields, response headers, log lines).
//!
//! Bodies are not scrubbed: a body is the caller's data, handed back byte for byte.

use std::borrow::Cow;

use memchr::memmem;

/// The headers that carry credentials. Their values are logged as `[redacted]`, and a redirect
/// that changes scheme, host or port does not carry them to the new origin.
pub const CREDENTIAL_HEADERS: &[&str] = &["authorization", "proxy-authorization", "api-key", "x-api-key", "cookie"];

/// Whether a header (by its lower-case name) carries credentials.
pub fn is_credential_header(name: &str) -> bool {
    CREDENTIAL_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h))
}

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

/// Scrubs one key from text: the key as it is, and as it appears when a server echoes it inside
/// JSON (escaped) or a URL (percent-encoded). Any `Bearer <token>` is masked too, whoever's
/// token it is.
#[derive(Clone, Debug, Default)]
pub struct Scrubber {
    /// The forms of the key to replace, longest first so that a longer form is replaced whole.
    forms: Vec<String>,
}

/// Keys shorter than this are not searched for: a two-letter "key" would blank ordinary words.
/// Real keys are dozens of characters.
const MIN_SECRET_LEN: usize = 4;

impl Scrubber {
    pub fn new(secret: &str) -> Scrubber {
        if secret.len() < MIN_SECRET_LEN {
            return Scrubber::default();
        }
        let json = serde_json::to_string(secret).expect("a string serializes");
        let json = json[1..json.len() - 1].to_string();
        let percent = percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC).to_string();
        let mut forms = vec![secret.to_string(), json, percent];
        forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
        forms.dedup();
        Scrubber { forms }
    }

    /// Whether `text` holds the key in one of its forms, or a bearer token.
    pub fn finds(&self, text: &[u8]) -> bool {
        self.forms.iter().any(|form| memmem::find(text, form.as_bytes()).is_some())
            || memmem::find(text, b"Bearer ").is_some()
    }

    /// `text` with every form of the key replaced, and any bearer token masked.
    pub fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if !self.finds(text.as_bytes()) {
            return Cow::Borrowed(text);
        }
        let mut text = text.to_string();
        for form in &self.forms {
            if text.contains(form.as_str()) {
                text = text.replace(form.as_str(), REDACTED);
            }
        }
        mask_bearer_tokens(&mut text);
        Cow::Owned(text)
    }

    /// Scrubs a string in place.
    pub fn scrub_string(&self, text: &mut String) {
        if let Cow::Owned(clean) = self.scrub(text) {
            *text = clean;
        }
    }
}

/// Masks the token after every `Bearer `: a key the library did not send (a proxy's, an echo of
/// another) still has that shape.
fn mask_bearer_tokens(text: &mut String) {
    let mut from = 0;
    while let Some(at) = text[from..].find("Bearer ") {
        let start = from + at + "Bearer ".len();
        let end = text[start..]
            .find(|c: char| c.is_whitespace() || c == '"' || c == ',' || c == '\\')
            .map_or(text.len(), |e| start + e);
        text.replace_range(start..end, REDACTED);
        from = start + REDACTED.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_of_the_key_is_scrubbed() {
        let s = Scrubber::new("sk-ab\"c/d");
        assert_eq!(s.scrub("key sk-ab\"c/d here"), "key [redacted] here");
        assert_eq!(s.scrub(r#"{"message":"key sk-ab\"c/d here"}"#), r#"{"message":"key [redacted] here"}"#);
        assert_eq!(s.scrub("url ?k=sk%2Dab%22c%2Fd&x"), "url ?k=[redacted]&x");
        assert!(matches!(s.scrub("nothing secret"), Cow::Borrowed(_)));
    }

    #[test]
    fn bearer_tokens_are_masked_whoever_they_belong_to() {
        let s = Scrubber::new("");
        assert_eq!(s.scrub("Authorization: Bearer sk-other, next"), "Authorization: Bearer [redacted], next");
        assert_eq!(s.scrub("\"Bearer x\" and Bearer y"), "\"Bearer [redacted]\" and Bearer [redacted]");
        assert_eq!(s.scrub(r#"{"h":"Bearer tok\"en"}"#), r#"{"h":"Bearer [redacted]\"en"}"#);
    }

    #[test]
    fn credential_headers_are_one_list() {
        for name in ["Authorization", "api-key", "Proxy-Authorization", "x-api-key", "cookie"] {
            assert!(is_credential_header(name), "{name}");
        }
        assert!(!is_credential_header("openai-organization"));
    }
}
