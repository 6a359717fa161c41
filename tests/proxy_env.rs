//! HTTP_PROXY and NO_PROXY from the environment. A test binary of its own: it changes the
//! process environment, which other tests must not see.

mod common;

use common::proxy::Proxy;
use common::*;
use openai::ffi::operations_gen::openai_models_list;

#[test]
fn http_proxy_is_honoured_and_no_proxy_bypasses_it() {
    let mock = MockServer::start();
    let proxy = Proxy::start();
    let options = format!(r#"{{"api_key":"{KEY}","base_url":"{}","max_retries":0}}"#, mock.base_url());

    std::env::set_var("HTTP_PROXY", proxy.url());
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");
    let client = new_client(&options).unwrap();
    assert_eq!(call(|out| unsafe { openai_models_list(client, out) }).code, OPENAI_OK);
    assert_eq!(proxy.requests().len(), 1, "through the proxy");
    unsafe { openai_client_free(client) };

    std::env::set_var("NO_PROXY", "127.0.0.1");
    let client = new_client(&options).unwrap();
    assert_eq!(call(|out| unsafe { openai_models_list(client, out) }).code, OPENAI_OK);
    assert_eq!(proxy.requests().len(), 1, "NO_PROXY bypassed the proxy");
    assert_eq!(mock.requests().len(), 2);
    unsafe { openai_client_free(client) };
    std::env::remove_var("HTTP_PROXY");
    std::env::remove_var("NO_PROXY");
}
