//! Deterministic generated bodies that tests can check byte for byte (documented in README.md).
//!
//! - speech audio: byte i = (i * 31 + 7) % 256
//! - file content: JSON lines, line k (from 0) = `{"id":<file id as a JSON string>,"line":k}` + "\n",
//!   concatenated and cut to the requested length.

use std::io::Write;

pub const DEFAULT_SPEECH_BYTES: u64 = 4096;
/// Lines in a file's content when no size is asked for.
pub const DEFAULT_FILE_LINES: u64 = 3;

pub struct Pattern {
    remaining: u64,
    kind: Kind,
}

enum Kind {
    Speech {
        offset: u64,
    },
    Lines {
        id_json: String,
        next_line: u64,
        carry: Vec<u8>,
    },
}

/// The speech pattern's byte at index i.
pub fn speech_byte(i: u64) -> u8 {
    ((i * 31 + 7) % 256) as u8
}

impl Pattern {
    pub fn speech(len: u64) -> Pattern {
        Pattern {
            remaining: len,
            kind: Kind::Speech { offset: 0 },
        }
    }

    /// File content of `len` bytes, or of DEFAULT_FILE_LINES whole lines.
    pub fn file_content(file_id: &str, len: Option<u64>) -> Pattern {
        let id_json = serde_json::to_string(file_id).unwrap_or_default();
        let len = len.unwrap_or_else(|| {
            (0..DEFAULT_FILE_LINES)
                .map(|k| format!("{{\"id\":{id_json},\"line\":{k}}}\n").len() as u64)
                .sum()
        });
        Pattern {
            remaining: len,
            kind: Kind::Lines {
                id_json,
                next_line: 0,
                carry: Vec::new(),
            },
        }
    }

    pub fn remaining(&self) -> u64 {
        self.remaining
    }

    /// Appends up to `max` next bytes to `out`.
    pub fn fill(&mut self, out: &mut Vec<u8>, max: usize) {
        let want = self.remaining.min(max as u64) as usize;
        self.remaining -= want as u64;
        match &mut self.kind {
            Kind::Speech { offset } => {
                let table: [u8; 256] = std::array::from_fn(|i| speech_byte(i as u64));
                let mut left = want;
                while left > 0 {
                    let start = (*offset % 256) as usize;
                    let n = left.min(256 - start);
                    out.extend_from_slice(&table[start..start + n]);
                    *offset += n as u64;
                    left -= n;
                }
            }
            Kind::Lines {
                id_json,
                next_line,
                carry,
            } => {
                let start = out.len();
                out.append(carry);
                while out.len() - start < want {
                    let _ = writeln!(out, "{{\"id\":{id_json},\"line\":{next_line}}}");
                    *next_line += 1;
                }
                carry.extend_from_slice(&out[start + want..]);
                out.truncate(start + want);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(mut p: Pattern, batch: usize) -> Vec<u8> {
        let mut out = Vec::new();
        while p.remaining() > 0 {
            p.fill(&mut out, batch);
        }
        out
    }

    #[test]
    fn speech_bytes_follow_the_formula_across_batches() {
        let bytes = all(Pattern::speech(1000), 77);
        assert_eq!(bytes.len(), 1000);
        for (i, b) in bytes.iter().enumerate() {
            assert_eq!(*b, ((i * 31 + 7) % 256) as u8);
        }
    }

    #[test]
    fn file_lines() {
        let text = String::from_utf8(all(Pattern::file_content("file-a", None), 5)).unwrap();
        assert_eq!(text, "{\"id\":\"file-a\",\"line\":0}\n{\"id\":\"file-a\",\"line\":1}\n{\"id\":\"file-a\",\"line\":2}\n");
        let cut = all(Pattern::file_content("file-a", Some(30)), 7);
        assert_eq!(cut, text.as_bytes()[..30]);
        let big = all(Pattern::file_content("f", Some(100_000)), 4096);
        let whole = all(Pattern::file_content("f", Some(100_000)), 1 << 20);
        assert_eq!(big, whole);
        assert!(big.starts_with(b"{\"id\":\"f\",\"line\":0}\n"));
    }
}
