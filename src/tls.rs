//! The TLS configuration: rustls with the webpki roots and the system's roots, plus a CA bundle
//! when the client names one. Building it means reading and parsing a few hundred root
//! certificates, milliseconds of work, so it is built once per process (and once per CA bundle)
//! and shared by every connection pool. There is deliberately no way to turn verification off.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};

/// The root certificates every client trusts: webpki's and the system's.
fn base_roots() -> &'static RootCertStore {
    static ROOTS: OnceLock<RootCertStore> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        // A system store often holds a few certificates rustls cannot use: skip those, as
        // reqwest does.
        for certificate in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(certificate);
        }
        roots
    })
}

fn config_with(roots: RootCertStore) -> Arc<ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Arc::new(config)
}

/// The configurations built so far: the shared one, and one per CA bundle. Kept until
/// `forget_configurations` (the library's shutdown).
static SHARED: Mutex<Option<Arc<ClientConfig>>> = Mutex::new(None);
static WITH_BUNDLE: OnceLock<Mutex<HashMap<PathBuf, Arc<ClientConfig>>>> = OnceLock::new();

/// The configuration for a client: the shared one, or one that also trusts `ca_bundle`.
pub fn config(ca_bundle: Option<&Path>) -> Result<Arc<ClientConfig>, String> {
    let Some(path) = ca_bundle else {
        let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
        return Ok(shared.get_or_insert_with(|| config_with(base_roots().clone())).clone());
    };
    let cache = WITH_BUNDLE.get_or_init(Default::default);
    if let Some(config) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(path) {
        return Ok(config.clone());
    }
    let shown = path.display();
    let pem = std::fs::read(path).map_err(|e| format!("ca_bundle \"{shown}\" cannot be read: {e}"))?;
    let mut roots = base_roots().clone();
    let mut added = 0;
    for certificate in CertificateDer::pem_slice_iter(&pem) {
        let certificate = certificate.map_err(|e| format!("ca_bundle \"{shown}\" is not a PEM bundle: {e}"))?;
        roots.add(certificate).map_err(|e| format!("ca_bundle \"{shown}\" holds a certificate that cannot be used: {e}"))?;
        added += 1;
    }
    if added == 0 {
        return Err(format!("ca_bundle \"{shown}\" holds no certificate"));
    }
    let config = config_with(roots);
    cache.lock().unwrap_or_else(|e| e.into_inner()).insert(path.to_path_buf(), config.clone());
    Ok(config)
}

/// Drops the configurations built so far (their session caches with them); the next client
/// builds them again. Called by the library's shutdown.
pub fn forget_configurations() {
    SHARED.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(cache) = WITH_BUNDLE.get() {
        cache.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}
