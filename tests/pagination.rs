//! Walking every page of a cursor list.

mod common;

use common::*;
use openai::ffi::error::openai_last_error;
use openai::ffi::operations_gen::*;
use openai::ffi::item::*;
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

/// Walks a list item by item: each item's id and the id of the page it came from (the page's
/// `first_id`).
fn walk_items(pager: *mut openai_pager) -> Vec<(String, String)> {
    let mut items = Vec::new();
    loop {
        let mut item = std::ptr::null_mut();
        assert_eq!(unsafe { openai_pager_next_item(pager, &mut item) }, OPENAI_OK, "{:?}", text(openai_last_error()));
        if item.is_null() {
            break;
        }
        let id = text(unsafe { openai_item_json_string(item, c("/id").as_ptr()) }).unwrap();
        // The item's text is the page's element as compact JSON.
        let whole: serde_json::Value = serde_json::from_str(&text(unsafe { openai_item_json(item) }).unwrap()).unwrap();
        assert_eq!(whole["id"], id.as_str());
        assert_eq!(text(unsafe { openai_item_json_value(item, c("/object").as_ptr()) }).as_deref(), Some("\"file\""));
        let page = unsafe { openai_pager_page(pager) };
        let first = text(unsafe { openai_response_json_string(page, c("/first_id").as_ptr()) }).unwrap();
        items.push((id, first));
        unsafe { openai_item_free(item) };
        assert!(items.len() < 100, "the walk does not end");
    }
    unsafe { openai_pager_free(pager) };
    items
}

#[test]
fn items_are_walked_across_pages() {
    let h = Harness::new();
    let mut pager = std::ptr::null_mut();
    assert_eq!(unsafe { openai_files_list_pages(h.client, c(r#"{"limit":3}"#).as_ptr(), &mut pager) }, OPENAI_OK);
    assert!(unsafe { openai_pager_page(pager) }.is_null(), "no page before the first item");
    let items = walk_items(pager);
    let ids: Vec<&str> = items.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["file-abc001", "file-abc002", "file-abc003", "file-abc004", "file-abc005", "file-abc006", "file-abc007"]);
    let pages: Vec<&str> = items.iter().map(|(_, page)| page.as_str()).collect();
    assert_eq!(pages, ["file-abc001", "file-abc001", "file-abc001", "file-abc004", "file-abc004", "file-abc004", "file-abc007"]);
    let queries: Vec<String> = h.take_requests().iter().map(|r| r["query"].as_str().unwrap().to_string()).collect();
    assert_eq!(queries, ["limit=3", "limit=3&after=file-abc003", "limit=3&after=file-abc006"], "each page fetched once, when needed");

    // A list without has_more is one page.
    let mut pager = std::ptr::null_mut();
    assert_eq!(unsafe { openai_request_pages(h.client, c("/models").as_ptr(), std::ptr::null(), &mut pager) }, OPENAI_OK);
    let mut count = 0;
    let mut item = std::ptr::null_mut();
    while unsafe { openai_pager_next_item(pager, &mut item) } == OPENAI_OK && !item.is_null() {
        assert_eq!(text(unsafe { openai_item_json_string(item, c("/object").as_ptr()) }).as_deref(), Some("model"));
        let mut n = 1usize;
        assert_eq!(unsafe { openai_item_json_array_len(item, c("").as_ptr(), &mut n) }, OPENAI_INVALID_ARGUMENT);
        assert_eq!((n, text(openai_last_error()).unwrap()), (0, "the value at \"\" is an object, not an array".to_string()));
        count += 1;
        unsafe { openai_item_free(item) };
    }
    assert_eq!(count, 8);
    assert_eq!(h.take_requests().len(), 1);
    unsafe { openai_pager_free(pager) };
}

#[test]
fn a_failed_page_ends_the_item_walk_with_its_code() {
    let h = Harness::new();
    let mut pager = std::ptr::null_mut();
    assert_eq!(unsafe { openai_files_list_pages(h.client, c(r#"{"limit":2}"#).as_ptr(), &mut pager) }, OPENAI_OK);
    let mut item = std::ptr::null_mut();
    for want in ["file-abc001", "file-abc002"] {
        assert_eq!(unsafe { openai_pager_next_item(pager, &mut item) }, OPENAI_OK);
        assert_eq!(text(unsafe { openai_item_json_string(item, c("/id").as_ptr()) }).as_deref(), Some(want));
        unsafe { openai_item_free(item) };
    }
    h.mock.script(json!({"status": 404, "body_json": {"error": {"message": "gone", "type": "invalid_request_error"}}}));
    assert_eq!(unsafe { openai_pager_next_item(pager, &mut item) }, OPENAI_NOT_FOUND);
    assert!(item.is_null());
    assert_eq!(text(openai_last_error()).as_deref(), Some("Error code: 404 - gone"));
    let page = unsafe { openai_pager_page(pager) };
    assert_eq!(unsafe { openai_response_status(page) }, 404, "the failed page is kept");
    assert_eq!(text(unsafe { openai_response_api_error_message(page) }).as_deref(), Some("gone"));
    assert_eq!(unsafe { openai_pager_next_item(pager, &mut item) }, OPENAI_OK);
    assert!(item.is_null(), "the walk ended");
    unsafe { openai_pager_free(pager) };
}

#[test]
fn a_page_without_a_data_array_is_an_invalid_response() {
    let h = Harness::new();
    let mut pager = std::ptr::null_mut();
    assert_eq!(unsafe { openai_request_pages(h.client, c("/models/gpt-4o").as_ptr(), std::ptr::null(), &mut pager) }, OPENAI_OK);
    let mut item = std::ptr::null_mut();
    assert_eq!(unsafe { openai_pager_next_item(pager, &mut item) }, OPENAI_INVALID_RESPONSE);
    assert!(item.is_null());
    assert_eq!(text(openai_last_error()).as_deref(), Some("the page has no \"data\" array: not a list"));
    let page = unsafe { openai_pager_page(pager) };
    assert_eq!(text(unsafe { openai_response_json_string(page, c("/id").as_ptr()) }).as_deref(), Some("gpt-4o"), "its body is kept");
    unsafe { openai_pager_free(pager) };
}

#[test]
fn pages_after_items_continue_after_the_items_page() {
    let h = Harness::new();
    let mut pager = std::ptr::null_mut();
    assert_eq!(unsafe { openai_files_list_pages(h.client, c(r#"{"limit":3}"#).as_ptr(), &mut pager) }, OPENAI_OK);
    let mut item = std::ptr::null_mut();
    assert_eq!(unsafe { openai_pager_next_item(pager, &mut item) }, OPENAI_OK);
    assert_eq!(text(unsafe { openai_item_json_string(item, c("/id").as_ptr()) }).as_deref(), Some("file-abc001"));
    let mut page = std::ptr::null_mut();
    // An item outlives the pager's later calls: it is the caller's.
    let code = unsafe { openai_pager_next(pager, &mut page) };
    assert!(unsafe { openai_pager_page(pager) }.is_null(), "a page taken with openai_pager_next is the caller's");
    let ids: Vec<String> = reply(code, page).json()["data"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids, ["file-abc004", "file-abc005", "file-abc006"]);
    let mut next = std::ptr::null_mut();
    assert_eq!(unsafe { openai_pager_next_item(pager, &mut next) }, OPENAI_OK);
    assert_eq!(text(unsafe { openai_item_json_string(next, c("/id").as_ptr()) }).as_deref(), Some("file-abc007"));
    unsafe { openai_pager_free(pager) };
    assert_eq!(text(unsafe { openai_item_json_string(item, c("/id").as_ptr()) }).as_deref(), Some("file-abc001"));
    unsafe {
        openai_item_free(item);
        openai_item_free(next);
    }
}

#[test]
fn item_functions_refuse_null() {
    let h = Harness::new();
    let mut item = std::ptr::null_mut();
    assert_eq!(unsafe { openai_pager_next_item(std::ptr::null_mut(), &mut item) }, OPENAI_INVALID_ARGUMENT);
    assert_eq!(text(openai_last_error()).as_deref(), Some("pager is NULL"));
    let mut pager = std::ptr::null_mut();
    assert_eq!(unsafe { openai_files_list_pages(h.client, std::ptr::null(), &mut pager) }, OPENAI_OK);
    assert_eq!(unsafe { openai_pager_next_item(pager, std::ptr::null_mut()) }, OPENAI_INVALID_ARGUMENT);
    assert_eq!(text(openai_last_error()).as_deref(), Some("out is NULL"), "the out pointer is refused as every out pointer is");
    assert!(h.take_requests().is_empty(), "nothing sent");
    unsafe {
        assert!(openai_pager_page(std::ptr::null()).is_null());
        assert!(openai_item_json(std::ptr::null()).is_null());
        assert!(openai_item_json_string(std::ptr::null(), c("/id").as_ptr()).is_null());
        assert!(openai_item_json_value(std::ptr::null(), c("/id").as_ptr()).is_null());
        openai_item_free(std::ptr::null_mut());
        openai_pager_free(pager);
    }
}

#[test]
fn json_text_is_parsed_into_an_item() {
    let mut item = std::ptr::null_mut();
    let arguments = c(r#" {"city": "Paris", "days": [1, 2, 3], "unit": null} "#);
    assert_eq!(unsafe { openai_item_parse(arguments.as_ptr(), &mut item) }, OPENAI_OK);
    assert_eq!(text(unsafe { openai_item_json(item) }).as_deref(), Some(r#"{"city":"Paris","days":[1,2,3],"unit":null}"#));
    assert_eq!(text(unsafe { openai_item_json_string(item, c("/city").as_ptr()) }).as_deref(), Some("Paris"));
    assert_eq!(text(unsafe { openai_item_json_value(item, c("/days/2").as_ptr()) }).as_deref(), Some("3"));
    assert!(unsafe { openai_item_json_string(item, c("/unit").as_ptr()) }.is_null());
    let mut n = 0usize;
    assert_eq!(unsafe { openai_item_json_array_len(item, c("/days").as_ptr(), &mut n) }, OPENAI_OK);
    assert_eq!(n, 3);
    unsafe { openai_item_free(item) };

    for (bad, message) in [
        (c("{\"city\": "), "json_text is not JSON: EOF while parsing a value at line 1 column 9"),
        (c("[1] [2]"), "json_text is not JSON: trailing characters at line 1 column 5"),
        (std::ffi::CString::new(vec![b'"', 0xff, b'"']).unwrap(), "json_text is not valid UTF-8"),
    ] {
        let mut item = std::ptr::null_mut();
        assert_eq!(unsafe { openai_item_parse(bad.as_ptr(), &mut item) }, OPENAI_INVALID_ARGUMENT);
        assert!(item.is_null());
        assert_eq!(text(openai_last_error()).as_deref(), Some(message));
    }
    assert_eq!(unsafe { openai_item_parse(std::ptr::null(), &mut item) }, OPENAI_INVALID_ARGUMENT);
    assert_eq!(text(openai_last_error()).as_deref(), Some("json_text is NULL"));
    assert_eq!(unsafe { openai_item_parse(arguments.as_ptr(), std::ptr::null_mut()) }, OPENAI_INVALID_ARGUMENT);
}
