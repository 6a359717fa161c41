//! multipart/form-data parsing over a buffered body. Parts are ranges into the body, so a 1 GiB
//! upload is never copied.

use std::ops::Range;

use crate::util::percent_decode;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub data: Range<usize>,
}

/// The boundary parameter of a multipart/form-data Content-Type, or None for other types.
pub fn boundary(content_type: &str) -> Option<String> {
    let mut params = split_params(content_type);
    let kind = params.next()?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params
        .filter_map(|p| param(&p))
        .find(|(k, _)| k.eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v)
        .filter(|b| !b.is_empty() && b.len() <= 200)
}

/// Splits a header value at ';' outside double quotes.
fn split_params(value: &str) -> impl Iterator<Item = String> + '_ {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in value.chars() {
        if escaped {
            cur.push(c);
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted => {
                cur.push(c);
                escaped = true;
            }
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ';' if !quoted => parts.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    parts.push(cur);
    parts.into_iter()
}

/// `key=value` or `key="quoted \"value\""` → (key, unquoted value).
fn param(p: &str) -> Option<(String, String)> {
    let (k, v) = p.split_once('=')?;
    let v = v.trim();
    let v = if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
        let mut out = String::new();
        let mut esc = false;
        for c in v[1..v.len() - 1].chars() {
            if esc || c != '\\' {
                out.push(c);
                esc = false;
            } else {
                esc = true;
            }
        }
        out
    } else {
        v.to_string()
    };
    Some((k.trim().to_ascii_lowercase(), v))
}

/// Parses the whole body. Errors are short messages for a 400 answer.
pub fn parse(body: &[u8], boundary: &str) -> Result<Vec<Part>, &'static str> {
    // A form without parts (an operation called with none of its optional fields) comes as no
    // bytes at all from some clients.
    if body.is_empty() {
        return Ok(Vec::new());
    }
    let delim = format!("--{boundary}");
    let delim = delim.as_bytes();
    let next_delim = memchr::memmem::Finder::new(&[b"\r\n", delim].concat()).into_owned();
    // The first delimiter may follow a preamble.
    let mut pos = if body.starts_with(delim) {
        delim.len()
    } else {
        next_delim
            .find(body)
            .ok_or("multipart body has no boundary")?
            + 2
            + delim.len()
    };
    let mut parts = Vec::new();
    loop {
        if body[pos..].starts_with(b"--") {
            return Ok(parts);
        }
        while matches!(body.get(pos), Some(b' ' | b'\t')) {
            pos += 1;
        }
        if !body[pos..].starts_with(b"\r\n") {
            return Err("malformed multipart boundary line");
        }
        pos += 2;
        let mut hs = [httparse::EMPTY_HEADER; 16];
        let (n, headers) = match httparse::parse_headers(&body[pos..], &mut hs) {
            Ok(httparse::Status::Complete((n, h))) => (n, h),
            _ => return Err("malformed multipart part headers"),
        };
        let mut name = None;
        let mut filename = None;
        let mut filename_ext = None;
        let mut content_type = None;
        for h in headers.iter() {
            let value = String::from_utf8_lossy(h.value);
            if h.name.eq_ignore_ascii_case("content-disposition") {
                for p in split_params(&value).skip(1) {
                    match param(&p) {
                        Some((k, v)) if k == "name" => name = Some(v),
                        Some((k, v)) if k == "filename" => filename = Some(v),
                        Some((k, v)) if k == "filename*" => {
                            // RFC 5987: charset'lang'percent-encoded
                            let enc = v.splitn(3, '\'').nth(2).unwrap_or(&v).to_string();
                            filename_ext = Some(percent_decode(&enc, false));
                        }
                        _ => {}
                    }
                }
            } else if h.name.eq_ignore_ascii_case("content-type") {
                content_type = Some(value.trim().to_string());
            }
        }
        let start = pos + n;
        let end = start
            + next_delim
                .find(&body[start..])
                .ok_or("multipart body is not terminated")?;
        parts.push(Part {
            name: name.ok_or("multipart part without a name")?,
            filename: filename_ext.or(filename),
            content_type,
            data: start..end,
        });
        pos = end + 2 + delim.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundary_from_content_type() {
        assert_eq!(
            boundary("multipart/form-data; boundary=abc").as_deref(),
            Some("abc")
        );
        assert_eq!(
            boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a;b c\"").as_deref(),
            Some("a;b c")
        );
        assert_eq!(boundary("application/json"), None);
        assert_eq!(boundary("multipart/form-data"), None);
    }

    #[test]
    fn parses_parts() {
        let body = b"preamble\r\n--XX\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nfine-tune\r\n--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".jsonl\"\r\nContent-Type: application/jsonl\r\n\r\n{\"a\":1}\r\n--X\r\n\r\n--XX--\r\n";
        let parts = parse(body, "XX").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "purpose");
        assert_eq!(&body[parts[0].data.clone()], b"fine-tune");
        assert_eq!(parts[0].filename, None);
        assert_eq!(parts[1].filename.as_deref(), Some("a \"b\".jsonl"));
        assert_eq!(parts[1].content_type.as_deref(), Some("application/jsonl"));
        assert_eq!(&body[parts[1].data.clone()], b"{\"a\":1}\r\n--X\r\n");
    }

    #[test]
    fn rfc5987_filename_and_errors() {
        let body = b"--b\r\nContent-Disposition: form-data; name=\"f\"; filename*=UTF-8''%C3%A9t%C3%A9.txt\r\n\r\nx\r\n--b--";
        let parts = parse(body, "b").unwrap();
        assert_eq!(parts[0].filename.as_deref(), Some("été.txt"));
        assert!(parse(
            b"--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx",
            "b"
        )
        .is_err());
        assert!(parse(b"nothing here", "b").is_err());
        assert!(parse(b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--", "b").is_err());
    }
}
