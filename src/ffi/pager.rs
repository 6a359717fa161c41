//! `openai_pager`: walking every page of a cursor list, or every item across the pages.

use std::collections::VecDeque;
use std::ffi::c_char;

use serde_json::Value;

use super::call::{block_on, deliver, guarded, operation_request, CInput};
use super::client::openai_client;
use super::code::openai_code;
use super::error::set_last_error;
use super::handle::{self, Out};
use super::item::openai_item;
use super::response::openai_response;
use crate::operations::{Operation, Paging};
use crate::pagination::{page_items, Pager};
use crate::response::{Outcome, Response};

/// An iterator over the pages of a list: each page is asked for with the cursor the previous
/// page gives (`after` = the `id` of its last item, or its `last_id`, or `page` = its
/// `next_page`, as the operation pages), while that page says `has_more`; the other query
/// parameters are kept. Created by the `openai_*_list_pages` functions or
/// `openai_request_pages`, freed with `openai_pager_free`. Used by one thread at a time.
pub struct openai_pager {
    inner: Pager,
    /// The items of the current page not yet handed out by `openai_pager_next_item`.
    items: VecDeque<Value>,
    /// The page the items come from, or the page that failed.
    page: Option<openai_response>,
}

impl openai_pager {
    fn new(inner: Pager) -> openai_pager {
        openai_pager { inner, items: VecDeque::new(), page: None }
    }

    /// The next item, fetching pages as needed; `Ok(None)` after the last. A page that failed,
    /// or that has no `data` array, is kept as the current page and ends the walk.
    fn next_item(&mut self) -> Result<Option<openai_item>, openai_code> {
        loop {
            if let Some(value) = self.items.pop_front() {
                return Ok(Some(openai_item::new(value)));
            }
            let page = match guarded(|| block_on(self.inner.next_page())) {
                Ok(None) => return Ok(None),
                Ok(Some(page)) | Err(page) => page,
            };
            let page = match (page.outcome, page_items(&page.body)) {
                (Outcome::Ok, Some(items)) => {
                    self.items = items.into();
                    page
                }
                (Outcome::Ok, None) => {
                    let mut page = page;
                    page.outcome = Outcome::InvalidResponse;
                    page.message = Some("the page has no \"data\" array: not a list".into());
                    page
                }
                _ => page,
            };
            let page = self.page.insert(openai_response::new(page));
            if page.code() != openai_code::OPENAI_OK {
                set_last_error(page.message().map_or_else(String::new, |m| m.to_string_lossy().into_owned()));
                return Err(page.code());
            }
        }
    }
}

/// Stores a new pager in `*out`, or records why there is none.
fn create(result: Result<openai_pager, Response>, out: Out<'_, openai_pager>) -> openai_code {
    match result {
        Ok(pager) => {
            out.put(pager);
            openai_code::OPENAI_OK
        }
        Err(response) => {
            set_last_error(response.message.unwrap_or_default());
            response.outcome.into()
        }
    }
}

/// The body of every `_pages` export: checks the arguments, sends nothing yet.
///
/// # Safety
/// The export's arguments as the header describes them; `out` NULL or writable.
pub(crate) unsafe fn for_operation(
    client: *const openai_client,
    op: &Operation,
    params: &[(&str, *const c_char)],
    input: CInput<'_>,
    out: *mut *mut openai_pager,
) -> openai_code {
    // SAFETY: this function's contract.
    let out = match unsafe { Out::new(out) } {
        Ok(out) => out,
        Err(code) => return code,
    };
    // SAFETY: this function's contract.
    let result = unsafe { operation_request(client, op, params, input) }
        .map(|(client, request)| openai_pager::new(Pager::new(client.clone(), request, op.paging)));
    create(result, out)
}

/// Creates a pager over any cursor list endpoint by path ("/vector_stores"), with the query
/// parameters of `query_json` (a JSON object, or NULL). Nothing is sent until the first
/// `openai_pager_next`. On success `*out` receives the pager; on failure it is set to NULL and
/// `openai_last_error()` says why.
#[no_mangle]
pub unsafe extern "C" fn openai_request_pages(
    client: *const openai_client,
    path: *const c_char,
    query_json: *const c_char,
    out: *mut *mut openai_pager,
) -> openai_code {
    ffi_boundary! {
        // SAFETY: the arguments are NULL or valid (the header's conventions).
        let out = match unsafe { Out::new(out) } {
            Ok(out) => out,
            Err(code) => return code,
        };
        // SAFETY: as above.
        let result = unsafe { super::request::generic_request(client, c"GET".as_ptr(), path, query_json, std::ptr::null(), false) }
            .map(|(client, request)| openai_pager::new(Pager::new(client.clone(), request, Paging::Cursor)));
        create(result, out)
    }
}

/// Fetches the next page, blocking until it is complete.
///
/// Returns `OPENAI_OK` with the page in `*out`, or `OPENAI_OK` with `*out` set to NULL when every
/// page has been returned. A page that fails is returned in `*out` with its code (free it as any
/// response) and ends the walk. Each page is a response to free with `openai_response_free`.
/// After `openai_pager_next_item`, the next page is the one after the page the items came from
/// (the items of that page not yet handed out are skipped).
#[no_mangle]
pub unsafe extern "C" fn openai_pager_next(pager: *mut openai_pager, out: *mut *mut openai_response) -> openai_code {
    ffi_boundary! {
        // SAFETY: `out` is NULL or writable; `pager` NULL or a live pager used by this thread only.
        let out = match unsafe { Out::new(out) } {
            Ok(out) => out,
            Err(code) => return code,
        };
        // SAFETY: as above.
        let Some(pager) = (unsafe { handle::borrow_mut(pager) }) else {
            set_last_error("pager is NULL");
            return openai_code::OPENAI_INVALID_ARGUMENT;
        };
        pager.items.clear();
        pager.page = None;
        match guarded(|| block_on(pager.inner.next_page())) {
            Ok(Some(page)) => deliver(page, out),
            Ok(None) => openai_code::OPENAI_OK, // `*out` stays NULL: the walk is over
            Err(failure) => deliver(failure, out),
        }
    }
}

/// Gives the next item of the list, fetching the next page when the current one is used up
/// (blocking until it is complete): the official SDKs' auto-paging iteration.
///
/// Returns `OPENAI_OK` with the item in `*item`, or `OPENAI_OK` with `*item` set to NULL after the
/// last item of the last page. Each item is the caller's: free it with `openai_item_free`. A
/// page that fails ends the walk: its code is returned, `*item` is NULL,
/// `openai_last_error()` has the page's message and `openai_pager_page` the page itself. A page
/// that succeeds without a `data` array is `OPENAI_INVALID_RESPONSE` in the same way.
#[no_mangle]
pub unsafe extern "C" fn openai_pager_next_item(pager: *mut openai_pager, item: *mut *mut openai_item) -> openai_code {
    ffi_boundary! {
        // SAFETY: `item` is NULL or writable (the header's conventions).
        let item = match unsafe { Out::new(item) } {
            Ok(out) => out,
            Err(code) => return code,
        };
        // SAFETY: `pager` is NULL or a live pager used by this thread only.
        let Some(pager) = (unsafe { handle::borrow_mut(pager) }) else {
            set_last_error("pager is NULL");
            return openai_code::OPENAI_INVALID_ARGUMENT;
        };
        match pager.next_item() {
            Ok(Some(next)) => {
                item.put(next);
                openai_code::OPENAI_OK
            }
            Ok(None) => openai_code::OPENAI_OK, // `*item` stays NULL: the walk is over
            Err(code) => code,
        }
    }
}

/// The page the last item given by `openai_pager_next_item` came from, or the page that failed
/// and ended the walk; NULL before the first item, or when `pager` is NULL. Borrowed from the
/// pager: valid until the pager fetches another page or is freed. Pages taken with
/// `openai_pager_next` are the caller's and never shown here.
#[no_mangle]
pub unsafe extern "C" fn openai_pager_page(pager: *const openai_pager) -> *const openai_response {
    ffi_boundary! {
        // SAFETY: `pager` is NULL or a live pager (the header's conventions).
        unsafe { handle::borrow(pager) }.and_then(|p| p.page.as_ref()).map_or(std::ptr::null(), |p| p as *const openai_response)
    }
}

/// Frees a pager. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn openai_pager_free(pager: *mut openai_pager) {
    ffi_boundary! {
        // SAFETY: `pager` is NULL or a pager not yet freed, unused from now on.
        drop(unsafe { handle::take(pager) });
    }
}
