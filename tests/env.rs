//! The environment variables of the official SDKs. A test binary of its own: it changes the
//! process environment, which other tests must not see.

mod common;

use common::*;
use openai::ffi::operations_gen::openai_models_list;

#[test]
fn the_environment_supplies_key_base_url_organization_and_project() {
    let mock = MockServer::start();
    std::env::set_var("OPENAI_API_KEY", KEY);
    std::env::set_var("OPENAI_BASE_URL", mock.base_url());
    std::env::set_var("OPENAI_ORG_ID", "org-env");
    std::env::set_var("OPENAI_PROJECT_ID", "proj-env");
    let client = new_client("{\"max_retries\":0}").unwrap();
    assert_eq!(call(|out| unsafe { openai_models_list(client, out) }).code, OPENAI_OK);
    let requests = mock.requests();
    assert_eq!(header(&requests[0], "authorization"), Some(format!("Bearer {KEY}").as_str()));
    assert_eq!(header(&requests[0], "openai-organization"), Some("org-env"));
    assert_eq!(header(&requests[0], "openai-project"), Some("proj-env"));
    unsafe { openai_client_free(client) };

    // Options win over the environment.
    let client = new_client(r#"{"organization":"org-opt","api_key":"sk-opt"}"#).unwrap();
    mock.reset();
    call(|out| unsafe { openai_models_list(client, out) });
    let requests = mock.requests();
    assert_eq!(header(&requests[0], "openai-organization"), Some("org-opt"));
    assert_eq!(header(&requests[0], "authorization"), Some("Bearer sk-opt"));
    unsafe { openai_client_free(client) };

    // NULL options: everything from the environment.
    let mut client = std::ptr::null_mut();
    assert_eq!(unsafe { openai_client_new(std::ptr::null(), &mut client) }, OPENAI_OK);
    unsafe { openai_client_free(client) };

    std::env::remove_var("OPENAI_API_KEY");
    let e = new_client("{}").unwrap_err();
    assert!(e.contains("OPENAI_API_KEY"), "{e}");
}
