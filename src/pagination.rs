//! Walking every page of a list, as the official SDKs' auto-paging iterators do: while a page
//! says `has_more`, the next is asked for with its cursor (`after` = the last item's `id`, or
//! the page's `last_id`, or `page` = the page's `next_page`, as the operation pages), and the
//! caller's other query parameters are kept.

use serde::Deserialize;

use crate::client::Client;
use crate::operations::Paging;
use crate::request::Request;
use crate::response::{Outcome, Response};

pub struct Pager {
    client: Client,
    paging: Paging,
    /// The request for the next page; `None` once the last page was returned (or a page failed).
    next: Option<Request>,
}

/// The part of a page that says where the next one starts.
#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    data: Vec<Item>,
    #[serde(default)]
    has_more: Option<bool>,
    #[serde(default)]
    last_id: Option<String>,
    #[serde(default)]
    next_page: Option<String>,
}

#[derive(Deserialize)]
struct Item {
    #[serde(default)]
    id: Option<String>,
}

impl Pager {
    /// A pager whose first page is `first`, paging as `paging` says (`Paging::None` is taken
    /// as a cursor list: a caller asked to walk it).
    pub fn new(client: Client, first: Request, paging: Paging) -> Pager {
        Pager { client, paging, next: Some(first) }
    }

    /// The next page, or `None` after the last. A failed page is returned and ends the walk.
    pub async fn next_page(&mut self) -> Option<Response> {
        let request = self.next.take()?;
        let response = self.client.execute(&request).await;
        if response.outcome == Outcome::Ok {
            self.next = next_cursor(&response.body, self.paging).map(|(name, value)| request.with_query_param(name, &value));
        }
        Some(response)
    }
}

/// The items of a page (its `data` array), or `None` when the body is not a list.
pub fn page_items(body: &[u8]) -> Option<Vec<serde_json::Value>> {
    #[derive(Deserialize)]
    struct Items {
        data: Vec<serde_json::Value>,
    }
    serde_json::from_slice::<Items>(body).ok().map(|page| page.data)
}

/// The query parameter and value that ask for the page after this one, if there is one.
fn next_cursor(body: &[u8], paging: Paging) -> Option<(&'static str, String)> {
    let page: Page = serde_json::from_slice(body).ok()?;
    if page.has_more != Some(true) {
        return None;
    }
    match paging {
        Paging::Page => page.next_page.map(|next| ("page", next)),
        Paging::CursorLastId => page.last_id.or_else(|| page.data.into_iter().last()?.id).map(|id| ("after", id)),
        Paging::Cursor | Paging::None => page.data.into_iter().last()?.id.map(|id| ("after", id)),
    }
}

#[cfg(test)]
mod tests {
    use super::{next_cursor, page_items};
    use crate::operations::Paging;

    #[test]
    fn the_items_of_a_page_are_its_data_array() {
        let items = page_items(br#"{"object":"list","data":[{"id":"a"},{"id":"b","n":[1]}],"has_more":true}"#).unwrap();
        assert_eq!(items, vec![serde_json::json!({"id":"a"}), serde_json::json!({"id":"b","n":[1]})]);
        assert_eq!(page_items(br#"{"data":[]}"#).unwrap(), Vec::<serde_json::Value>::new());
        assert_eq!(page_items(br#"{"data":{"id":"a"}}"#), None);
        assert_eq!(page_items(br#"{"id":"a"}"#), None);
        assert_eq!(page_items(b"not json"), None);
    }

    #[test]
    fn the_cursor_is_the_last_id_while_there_is_more() {
        let cursor = |body: &[u8]| next_cursor(body, Paging::Cursor).map(|(_, v)| v);
        assert_eq!(cursor(br#"{"data":[{"id":"a"},{"id":"b","x":[1]}],"has_more":true}"#), Some("b".into()));
        assert_eq!(cursor(br#"{"data":[{"id":"a"}],"has_more":false}"#), None);
        assert_eq!(cursor(br#"{"data":[{"id":"a"}]}"#), None);
        assert_eq!(cursor(br#"{"data":[],"has_more":true}"#), None);
        assert_eq!(cursor(br#"not json"#), None);
    }

    #[test]
    fn other_lists_page_with_last_id_or_next_page() {
        let body = br#"{"data":[{"id":"a"}],"last_id":"z","has_more":true,"next_page":"page_2"}"#;
        assert_eq!(next_cursor(body, Paging::CursorLastId), Some(("after", "z".into())));
        assert_eq!(next_cursor(body, Paging::Page), Some(("page", "page_2".into())));
        assert_eq!(next_cursor(br#"{"data":[],"has_more":true,"next_page":null}"#, Paging::Page), None);
        assert_eq!(next_cursor(br#"{"data":[{"id":"a"}],"has_more":false,"next_page":"x"}"#, Paging::Page), None);
    }
}
