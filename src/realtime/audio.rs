//! Audio in both directions, so that a program never handles base64: PCM16 bytes become
//! `input_audio_buffer.append` events, and an audio delta's base64 becomes PCM bytes again.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;

/// PCM bytes per `input_audio_buffer.append` event: 32 KiB is 0.68 s of the API's 24 kHz mono
/// PCM16, about 44 KB of JSON. Small enough that audio flows to the server steadily and no frame
/// holds the connection long (the API takes up to 15 MiB per event); large enough that a long
/// recording is not thousands of tiny frames. A multiple of 2: no sample is ever split.
pub const AUDIO_CHUNK_BYTES: usize = 32 * 1024;

/// The append events for `pcm` (16-bit samples, little-endian), in order: one per
/// `AUDIO_CHUNK_BYTES`, the last one shorter. None for no audio.
pub fn append_events(pcm: &[u8]) -> impl Iterator<Item = String> + '_ {
    const HEAD: &str = r#"{"type":"input_audio_buffer.append","audio":""#;
    pcm.chunks(AUDIO_CHUNK_BYTES).map(|chunk| {
        let mut event = String::with_capacity(HEAD.len() + chunk.len().div_ceil(3) * 4 + 2);
        event.push_str(HEAD);
        STANDARD.encode_string(chunk, &mut event);
        event.push_str("\"}");
        event
    })
}

#[derive(Deserialize)]
struct Delta<'a> {
    #[serde(borrow)]
    delta: std::borrow::Cow<'a, str>,
}

/// The PCM bytes of an audio delta event (`response.output_audio.delta`, or the beta API's
/// `response.audio.delta`): its `delta` decoded. None for any other event, or a delta that is
/// not base64.
pub fn decode_audio_delta(kind: &str, json: &[u8]) -> Option<Vec<u8>> {
    if kind != "response.output_audio.delta" && kind != "response.audio.delta" {
        return None;
    }
    let delta: Delta = serde_json::from_slice(json).ok()?;
    STANDARD.decode(delta.delta.as_bytes()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audio_is_split_into_whole_events_and_decodes_back() {
        let pcm: Vec<u8> = (0..(AUDIO_CHUNK_BYTES * 2 + 10)).map(|i| (i * 7) as u8).collect();
        let events: Vec<String> = append_events(&pcm).collect();
        assert_eq!(events.len(), 3);
        let mut back = Vec::new();
        for event in &events {
            let value: serde_json::Value = serde_json::from_str(event).unwrap();
            assert_eq!(value["type"], "input_audio_buffer.append");
            back.extend(STANDARD.decode(value["audio"].as_str().unwrap()).unwrap());
        }
        assert_eq!(back, pcm);
        assert_eq!(append_events(&[]).count(), 0);
    }

    #[test]
    fn deltas_decode_only_for_audio_events() {
        let json = br#"{"type":"response.output_audio.delta","delta":"AAEC/w=="}"#;
        assert_eq!(decode_audio_delta("response.output_audio.delta", json), Some(vec![0, 1, 2, 255]));
        assert_eq!(decode_audio_delta("response.audio.delta", json), Some(vec![0, 1, 2, 255]));
        assert_eq!(decode_audio_delta("response.output_text.delta", json), None);
        assert_eq!(decode_audio_delta("response.output_audio.delta", br#"{"delta":"%%"}"#), None);
    }
}
