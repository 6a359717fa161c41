//! The proxy option: requests go through the proxy it names.

mod common;

use common::proxy::Proxy;
use common::*;
use openai::ffi::operations_gen::openai_models_list;

#[test]
fn the_proxy_option_sends_requests_through_the_proxy() {
    let mock = MockServer::start();
    let proxy = Proxy::start();
    let client = new_client(&format!(
        r#"{{"api_key":"{KEY}","base_url":"{}","max_retries":0,"proxy":"{}"}}"#,
        mock.base_url(),
        proxy.url()
    ))
    .unwrap();
    let r = call(|out| unsafe { openai_models_list(client, out) });
    assert_eq!(r.code, OPENAI_OK, "{r:?}");
    assert_eq!(proxy.requests(), [format!("GET {}/models HTTP/1.1", mock.base_url())]);
    assert_eq!(mock.requests().len(), 1);
    unsafe { openai_client_free(client) };
}

#[test]
fn an_unusable_proxy_is_refused_at_creation() {
    let e = new_client(&format!(r#"{{"api_key":"{KEY}","proxy":"::not a url::"}}"#)).unwrap_err();
    assert!(e.starts_with("proxy \"::not a url::\" is not usable"), "{e}");
}
