//! Webhook requests signed as OpenAI signs them, by an HMAC-SHA256 written here over sha2 (not the
//! library's ring), for the tests of the library's verification: in Rust (tests/webhooks.rs) and
//! in C (tests/c/test_webhooks.c, which gets its signatures from the environment c_suite.rs sets).

use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

/// The secret of the tests, as the dashboard shows it: `whsec_` and the key in base64.
pub const SECRET: &str = "whsec_dGVzdC13ZWJob29rLWtleS0wMTIzNDU2Nzg5";
/// The key SECRET holds.
pub const KEY: &[u8] = b"test-webhook-key-0123456789";
pub const ID: &str = "wh_685342e6c53c8190a1be43f081506c52";
pub const PAYLOAD: &str = r#"{"id":"evt_685343a1381c819085d44c354e1b330e","type":"response.completed","created_at":1750287018,"data":{"id":"resp_abc123"}}"#;

/// HMAC-SHA256 (RFC 2104).
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
    Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize().into()
}

/// The `webhook-signature` value for a request: `v1,` and the base64 of the HMAC of
/// `id.timestamp.payload`.
pub fn sign(key: &[u8], id: &str, timestamp: i64, payload: &[u8]) -> String {
    let mut message = format!("{id}.{timestamp}.").into_bytes();
    message.extend_from_slice(payload);
    format!("v1,{}", base64::Engine::encode(&base64::engine::general_purpose::STANDARD, hmac_sha256(key, &message)))
}

pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

/// The environment of the C test: the signature of PAYLOAD for a timestamp of now, 400 s ago and
/// 400 s ahead (`WEBHOOK_TIMESTAMP_NOW`, `WEBHOOK_SIGNATURE_NOW`, `_OLD`, `_NEW`).
pub fn c_environment() -> Vec<(String, String)> {
    let now = now();
    let mut env = Vec::new();
    for (name, timestamp) in [("NOW", now), ("OLD", now - 400), ("NEW", now + 400)] {
        env.push((format!("WEBHOOK_TIMESTAMP_{name}"), timestamp.to_string()));
        env.push((format!("WEBHOOK_SIGNATURE_{name}"), sign(KEY, ID, timestamp, PAYLOAD.as_bytes())));
    }
    env
}
