//! Property tests of the SSE decoder (the fuzz target of the stream issue): arbitrary bytes,
//! split at arbitrary points, never panic, and the split points never change the events.

use openai::sse::{Decoder, Event};
use proptest::prelude::*;

/// Decodes `bytes` fed in pieces cut at `cuts` (positions, in any order, possibly repeated).
fn decode_split(bytes: &[u8], cuts: &[usize]) -> Result<Vec<Event>, String> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let mut decoder = Decoder::new(1 << 20);
    let mut events = Vec::new();
    let mut start = 0;
    for cut in cuts.into_iter().chain([bytes.len()]) {
        decoder.feed(&bytes[start..cut], &mut events).map_err(|e| e.to_string())?;
        start = cut;
    }
    decoder.finish(&mut events);
    Ok(events)
}

/// Bytes that look like an event stream: field names, colons, spaces, the three line ends, a
/// byte order mark, NUL and arbitrary bytes, so that every branch of the decoder is reached.
fn stream_like() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just(b"data".to_vec()),
        Just(b"event".to_vec()),
        Just(b"id".to_vec()),
        Just(b"retry".to_vec()),
        Just(b":".to_vec()),
        Just(b": ".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\n\n".to_vec()),
        Just(b"[DONE]".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"123".to_vec()),
        Just(vec![0u8]),
        proptest::collection::vec(any::<u8>(), 1..4),
    ];
    proptest::collection::vec(token, 0..60).prop_map(|tokens| tokens.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn split_points_never_change_the_events(bytes in stream_like(), cuts in proptest::collection::vec(any::<usize>(), 0..12)) {
        prop_assert_eq!(decode_split(&bytes, &cuts), decode_split(&bytes, &[]));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), cuts in proptest::collection::vec(any::<usize>(), 0..8)) {
        let _ = decode_split(&bytes, &cuts);
    }

    #[test]
    fn byte_at_a_time_equals_all_at_once(bytes in stream_like()) {
        let every: Vec<usize> = (0..bytes.len()).collect();
        prop_assert_eq!(decode_split(&bytes, &every), decode_split(&bytes, &[]));
    }
}
