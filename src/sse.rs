//! The server-sent events decoder: bytes in, events out, with no I/O.
//!
//! It follows the WHATWG event-stream format as the official SDK reads it: lines end in LF, CR
//! or CRLF (a CRLF may be split across reads); lines starting with `:` are comments; `data`
//! lines are joined with `\n`; `event`, `id` and `retry` fields are kept; a leading byte order
//! mark is skipped; a blank line dispatches the event. Two deliberate choices: an event is
//! dispatched when any of its fields was seen (so `event: ping` alone is an event, as in the
//! SDK), and at the clean end of a stream a pending event is dispatched even without its final
//! blank line, so that a server that omits it loses nothing.

/// One event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Event {
    /// The `event` field; empty when the event had none.
    pub name: String,
    /// The `data` lines joined with `\n`.
    pub data: Vec<u8>,
    /// The last `id` seen in the stream so far.
    pub id: Option<String>,
    /// The `retry` field of this event, in milliseconds.
    pub retry: Option<u64>,
}

/// An event grew past the decoder's limit (a server that never ends a line or an event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLarge(pub usize);

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "an event of the stream exceeds {} bytes", self.0)
    }
}

/// The largest event (its pending line plus its data) the decoder holds: far above any real
/// event, low enough that a runaway stream cannot exhaust memory.
pub const DEFAULT_MAX_EVENT: usize = 16 << 20;

const BOM: &[u8] = b"\xEF\xBB\xBF";

#[derive(Debug)]
pub struct Decoder {
    /// The line read so far.
    line: Vec<u8>,
    /// The previous byte was a CR, so an LF now ends nothing.
    after_cr: bool,
    /// Bytes of a possible byte order mark still to check (the stream's first bytes).
    bom_checked: usize,
    at_start: bool,
    name: Option<String>,
    data: Vec<u8>,
    has_data: bool,
    id: Option<String>,
    retry: Option<u64>,
    /// A field of the next event was seen.
    pending: bool,
    max_event: usize,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new(DEFAULT_MAX_EVENT)
    }
}

impl Decoder {
    pub fn new(max_event: usize) -> Decoder {
        Decoder {
            line: Vec::new(),
            after_cr: false,
            bom_checked: 0,
            at_start: true,
            name: None,
            data: Vec::new(),
            has_data: false,
            id: None,
            retry: None,
            pending: false,
            max_event,
        }
    }

    /// Decodes the next bytes of the stream, appending complete events to `out`.
    pub fn feed(&mut self, mut bytes: &[u8], out: &mut Vec<Event>) -> Result<(), TooLarge> {
        if self.at_start {
            bytes = self.skip_bom(bytes);
            if self.at_start {
                return Ok(());
            }
        }
        while !bytes.is_empty() {
            if self.after_cr {
                self.after_cr = false;
                if bytes[0] == b'\n' {
                    bytes = &bytes[1..];
                    continue;
                }
            }
            match memchr::memchr2(b'\n', b'\r', bytes) {
                Some(end) => {
                    self.after_cr = bytes[end] == b'\r';
                    if self.line.is_empty() {
                        // A whole line in this read: parsed in place, never copied.
                        self.parse_line(&bytes[..end], out);
                    } else {
                        self.line.extend_from_slice(&bytes[..end]);
                        self.end_line(out);
                    }
                    bytes = &bytes[end + 1..];
                }
                None => {
                    self.line.extend_from_slice(bytes);
                    bytes = &[];
                }
            }
            if self.line.len() + self.data.len() > self.max_event {
                return Err(TooLarge(self.max_event));
            }
        }
        Ok(())
    }

    /// The stream ended cleanly: an unterminated last line counts, and a pending event is
    /// dispatched.
    pub fn finish(&mut self, out: &mut Vec<Event>) {
        if self.at_start && self.bom_checked > 0 {
            // The stream was a prefix of a byte order mark and nothing else: not a BOM.
            self.line.extend_from_slice(&BOM[..self.bom_checked]);
            self.at_start = false;
        }
        if !self.line.is_empty() {
            self.end_line(out);
        }
        self.dispatch(out);
    }

    /// Skips a byte order mark at the very start, which may arrive split across reads.
    fn skip_bom<'a>(&mut self, bytes: &'a [u8]) -> &'a [u8] {
        let mut i = 0;
        while i < bytes.len() && self.bom_checked < BOM.len() {
            if bytes[i] != BOM[self.bom_checked] {
                // Not a BOM: what was held back is ordinary data.
                let held = self.bom_checked;
                self.at_start = false;
                self.bom_checked = 0;
                if held > 0 {
                    self.line.extend_from_slice(&BOM[..held]);
                }
                return &bytes[i..];
            }
            self.bom_checked += 1;
            i += 1;
        }
        if self.bom_checked == BOM.len() {
            self.at_start = false;
        }
        &bytes[i..]
    }

    fn end_line(&mut self, out: &mut Vec<Event>) {
        let line = std::mem::take(&mut self.line);
        self.parse_line(&line, out);
        self.line = line;
        self.line.clear();
    }

    fn parse_line(&mut self, line: &[u8], out: &mut Vec<Event>) {
        if line.is_empty() {
            self.dispatch(out);
        } else if line[0] != b':' {
            let (field, value) = match line.iter().position(|&b| b == b':') {
                Some(colon) => {
                    let value = &line[colon + 1..];
                    (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
                }
                None => (line, &[][..]),
            };
            self.field(field, value);
        }
    }

    fn field(&mut self, field: &[u8], value: &[u8]) {
        match field {
            b"event" => {
                self.name = Some(String::from_utf8_lossy(value).into_owned());
                self.pending = true;
            }
            b"data" => {
                if self.has_data {
                    self.data.push(b'\n');
                } else if self.data.capacity() == 0 {
                    // Room for the line and the NUL the C boundary appends: one allocation.
                    self.data.reserve_exact(value.len() + 1);
                }
                self.data.extend_from_slice(value);
                self.has_data = true;
                self.pending = true;
            }
            // An id with a NUL is ignored, as is a retry that is not a number.
            b"id" if !value.contains(&0) => {
                self.id = Some(String::from_utf8_lossy(value).into_owned());
                self.pending = true;
            }
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                self.retry = std::str::from_utf8(value).ok().and_then(|v| v.parse().ok());
                self.pending = true;
            }
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut Vec<Event>) {
        if !self.pending {
            return;
        }
        self.pending = false;
        self.has_data = false;
        let mut data = std::mem::take(&mut self.data);
        // Room for the NUL the C boundary appends, so that it never reallocates.
        data.reserve_exact(1);
        out.push(Event {
            name: self.name.take().unwrap_or_default(),
            data,
            id: self.id.clone(),
            retry: self.retry.take(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(chunks: &[&[u8]]) -> Vec<Event> {
        let mut decoder = Decoder::default();
        let mut out = Vec::new();
        for chunk in chunks {
            decoder.feed(chunk, &mut out).unwrap();
        }
        decoder.finish(&mut out);
        out
    }

    fn event(name: &str, data: &str) -> Event {
        Event { name: name.into(), data: data.as_bytes().to_vec(), id: None, retry: None }
    }

    #[test]
    fn every_line_ending_ends_a_line() {
        let expected = vec![event("", "a"), event("", "b"), event("", "c")];
        assert_eq!(decode(&[b"data: a\n\ndata: b\r\rdata: c\r\n\r\n"]), expected);
    }

    #[test]
    fn a_crlf_split_across_reads_is_one_line_end() {
        assert_eq!(decode(&[b"data: a\r", b"\n\r", b"\ndata: b\r\n", b"\r\n"]), vec![event("", "a"), event("", "b")]);
        // A CR, then an LF in the next read, then a blank line: one event, not two.
        assert_eq!(decode(&[b"data: a\r", b"\n", b"\r\n"]), vec![event("", "a")]);
    }

    #[test]
    fn comments_are_ignored_and_data_lines_are_joined() {
        let stream = b": keep-alive\n\nevent: thread.message.delta\ndata: {\"a\":\ndata:1}\n: note\n\n";
        assert_eq!(decode(&[stream]), vec![event("thread.message.delta", "{\"a\":\n1}")]);
    }

    #[test]
    fn fields_follow_the_specification() {
        // One space after the colon is removed, no more; a field without a colon has an empty value.
        assert_eq!(decode(&[b"data:  two\ndata\n\n"]), vec![event("", " two\n")]);
        let events = decode(&[b"id: 7\nretry: 1500\ndata: x\n\ndata: y\n\nretry: soon\nid: a\0b\ndata: z\n\n"]);
        assert_eq!(events[0], Event { name: "".into(), data: b"x".to_vec(), id: Some("7".into()), retry: Some(1500) });
        assert_eq!(events[1].id.as_deref(), Some("7"), "the last id persists");
        assert_eq!(events[1].retry, None);
        assert_eq!(events[2].id.as_deref(), Some("7"), "an id with NUL is ignored");
        assert_eq!(events[2].retry, None, "a retry that is not a number is ignored");
        assert_eq!(decode(&[b"unknown: field\n\n"]), vec![]);
        assert_eq!(decode(&[b"event: ping\n\n"]), vec![event("ping", "")]);
    }

    #[test]
    fn blank_lines_alone_dispatch_nothing() {
        assert_eq!(decode(&[b"\n\n\r\n\r\r"]), vec![]);
    }

    #[test]
    fn a_missing_final_blank_line_still_dispatches_at_the_end() {
        assert_eq!(decode(&[b"data: [DONE]"]), vec![event("", "[DONE]")]);
        assert_eq!(decode(&[b"data: a\n\ndata: b\n"]), vec![event("", "a"), event("", "b")]);
    }

    #[test]
    fn a_byte_order_mark_is_skipped_even_when_split() {
        assert_eq!(decode(&[b"\xEF\xBB", b"\xBFdata: a\n\n"]), vec![event("", "a")]);
        assert_eq!(decode(&[b"\xEF\xBBdata: a\n\n"]), vec![]);
        assert_eq!(decode(&[b"\xEF", b"data: a\n\n"]), vec![]);
        assert_eq!(decode(&[b"data: \xEF\xBB\xBF\n\n"]), vec![Event { data: BOM.to_vec(), ..Default::default() }]);
    }

    #[test]
    fn a_runaway_event_is_refused() {
        let mut decoder = Decoder::new(1024);
        let mut out = Vec::new();
        assert_eq!(decoder.feed(&[b'x'; 2000], &mut out), Err(TooLarge(1024)));
        let mut decoder = Decoder::new(1024);
        let line = [b"data: ".as_slice(), &[b'y'; 600], b"\n"].concat();
        decoder.feed(&line, &mut out).unwrap();
        assert!(decoder.feed(&line, &mut out).is_err(), "data lines add up");
    }
}
