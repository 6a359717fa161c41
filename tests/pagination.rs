//! Walking every page of a cursor list.

mod common;

use common::*;
use openai::ffi::error::openai_last_error;
use openai::ffi::operations_gen::*;
use openai::ffi::pager::*;
use serde_json::json;

/// Walks a pager to the end, returning each page's item ids.
fn walk(pager: *mut openai_pager) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    loop {
        let mut page = std::ptr::null_mut();
        let code = unsafe { openai_pager_next(pager, &mut page) };
        assert_eq!(code, OPENAI_OK);
        if page.is_null() {
            break;
        }
        let body = reply(code, page).json();
        pages.push(body["data"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect());
        assert!(pages.len() < 100, "the pager does not end");
    }
    unsafe { openai_pager_free(pager) };
    pages
}

#[test]
fn every_page_is_walked_with_after_and_the_other_parameters_kept() {
    let h = Harness::new();
    let mut pager = std::ptr::null_mut();
    let query = c(r#"{"limit":3,"purpose":"assistants"}"#);
    assert_eq!(unsafe { openai_files_list_pages(h.client, query.as_ptr(), &mut pager) }, OPENAI_OK);
    assert!(h.take_requests().is_empty(), "nothing is sent before the first page is asked for");
    let pages = walk(pager);
    let all: Vec<String> = pages.concat();
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 1]);
    assert_eq!(all.len(), 7);
    let requests = h.take_requests();
    let queries: Vec<&str> = requests.iter().map(|r| r["query"].as_str().unwrap()).collect();
    assert_eq!(
        queries,
        [
            "limit=3&purpose=assistants".to_string(),
            format!("limit=3&purpose=assistants&after={}", all[2]),
            format!("limit=3&purpose=assistants&after={}", all[5]),
        ]
    );
}

#[test]
fn a_pager_with_path_parameters_and_the_beta_header() {
    let h = Harness::new();
    let mut pager = std::ptr::null_mut();
    let code = unsafe { openai_beta_threads_messages_list_pages(h.client, c("thread_1").as_ptr(), c(r#"{"limit":4}"#).as_ptr(), &mut pager) };
    assert_eq!(code, OPENAI_OK);
    assert_eq!(walk(pager).len(), 2);
    let requests = h.take_requests();
    assert!(requests.iter().all(|r| r["path"] == "/v1/threads/thread_1/messages" && header(r, "openai-beta") == Some("assistants=v2")));
}

#[test]
fn a_caller_given_after_is_replaced_on_later_pages() {
    let h = Harness::new();
    let mut pager = std::ptr::null_mut();
    let code = unsafe { openai_fine_tuning_jobs_list_pages(h.client, c(r#"{"after":"ftjob-0","limit":5}"#).as_ptr(), &mut pager) };
    assert_eq!(code, OPENAI_OK);
    let pages = walk(pager);
    let requests = h.take_requests();
    assert_eq!(requests[0]["query"], "after=ftjob-0&limit=5");
    if pages.len() > 1 {
        assert_eq!(requests[1]["query"], format!("limit=5&after={}", pages[0].last().unwrap()));
    }
}

#[test]
fn a_failed_page_is_returned_and_ends_the_walk() {
    let h = Harness::new();
    let mut pager = std::ptr::null_mut();
    assert_eq!(unsafe { openai_files_list_pages(h.client, c(r#"{"limit":2}"#).as_ptr(), &mut pager) }, OPENAI_OK);
    let mut page = std::ptr::null_mut();
    assert_eq!(unsafe { openai_pager_next(pager, &mut page) }, OPENAI_OK);
    reply(OPENAI_OK, page);
    h.mock.script(json!({"status": 404, "body_json": {"error": {"message": "gone", "type": "invalid_request_error"}}}));
    let code = unsafe { openai_pager_next(pager, &mut page) };
    assert_eq!(code, OPENAI_NOT_FOUND);
    assert_eq!(reply(code, page).message.as_deref(), Some("Error code: 404 - gone"));
    assert_eq!(unsafe { openai_pager_next(pager, &mut page) }, OPENAI_OK);
    assert!(page.is_null(), "the walk ended");
    unsafe { openai_pager_free(pager) };
}

#[test]
fn the_generic_pager_and_its_argument_checks() {
    let h = Harness::new();
    let mut pager = std::ptr::null_mut();
    assert_eq!(unsafe { openai_request_pages(h.client, c("/files").as_ptr(), c(r#"{"limit":4}"#).as_ptr(), &mut pager) }, OPENAI_OK);
    assert_eq!(walk(pager).concat().len(), 7);

    let code = unsafe { openai_beta_threads_runs_list_pages(h.client, c("").as_ptr(), std::ptr::null(), &mut pager) };
    assert_eq!(code, OPENAI_INVALID_ARGUMENT);
    assert!(pager.is_null());
    assert_eq!(text(openai_last_error()).as_deref(), Some("thread_id must not be empty"));
    let code = unsafe { openai_pager_next(std::ptr::null_mut(), &mut std::ptr::null_mut()) };
    assert_eq!(code, OPENAI_INVALID_ARGUMENT);
    unsafe { openai_pager_free(std::ptr::null_mut()) };
}
