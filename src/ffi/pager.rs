//! `openai_pager`: walking every page of a cursor list.

use std::ffi::c_char;

use super::call::{block_on, deliver, guarded, operation_request, CInput};
use super::client::openai_client;
use super::code::openai_code;
use super::error::set_last_error;
use super::handle::{self, Out};
use super::response::openai_response;
use crate::operations::{Operation, Paging};
use crate::pagination::Pager;
use crate::response::Response;

/// An iterator over the pages of a list: each page is asked for with the cursor the previous
/// page gives (`after` = the `id` of its last item, or its `last_id`, or `page` = its
/// `next_page`, as the operation pages), while that page says `has_more`; the other query
/// parameters are kept. Created by the `openai_*_list_pages` functions or
/// `openai_request_pages`, freed with `openai_pager_free`. Used by one thread at a time.
pub struct openai_pager {
    inner: Pager,
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
        .map(|(client, request)| openai_pager { inner: Pager::new(client.clone(), request, op.paging) });
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
            .map(|(client, request)| openai_pager { inner: Pager::new(client.clone(), request, Paging::Cursor) });
        create(result, out)
    }
}

/// Fetches the next page, blocking until it is complete.
///
/// Returns `OPENAI_OK` with the page in `*out`, or `OPENAI_OK` with `*out` set to NULL when every
/// page has been returned. A page that fails is returned in `*out` with its code (free it as any
/// response) and ends the walk. Each page is a response to free with `openai_response_free`.
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
        match guarded(|| block_on(pager.inner.next_page())) {
            Ok(Some(page)) => deliver(page, out),
            Ok(None) => openai_code::OPENAI_OK, // `*out` stays NULL: the walk is over
            Err(failure) => deliver(failure, out),
        }
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
