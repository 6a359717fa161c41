//! Walking every page of a cursor list, as the official SDKs' auto-paging iterators do: the next
//! page is asked for with `after = <id of the last item>` while the page says `has_more`, and
//! the caller's other query parameters are kept.

use serde::Deserialize;

use crate::client::Client;
use crate::request::Request;
use crate::response::{Outcome, Response};

pub struct Pager {
    client: Client,
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
}

#[derive(Deserialize)]
struct Item {
    #[serde(default)]
    id: Option<String>,
}

impl Pager {
    /// A pager whose first page is `first`.
    pub fn new(client: Client, first: Request) -> Pager {
        Pager { client, next: Some(first) }
    }

    /// The next page, or `None` after the last. A failed page is returned and ends the walk.
    pub async fn next_page(&mut self) -> Option<Response> {
        let request = self.next.take()?;
        let response = self.client.execute(&request).await;
        if response.outcome == Outcome::Ok {
            self.next = next_cursor(&response.body).map(|after| request.with_after(&after));
        }
        Some(response)
    }
}

/// The `after` cursor of the page after this one, if there is one.
fn next_cursor(body: &[u8]) -> Option<String> {
    let page: Page = serde_json::from_slice(body).ok()?;
    if page.has_more != Some(true) {
        return None;
    }
    page.data.into_iter().last()?.id
}

#[cfg(test)]
mod tests {
    use super::next_cursor;

    #[test]
    fn the_cursor_is_the_last_id_while_there_is_more() {
        assert_eq!(next_cursor(br#"{"data":[{"id":"a"},{"id":"b","x":[1]}],"has_more":true}"#), Some("b".into()));
        assert_eq!(next_cursor(br#"{"data":[{"id":"a"}],"has_more":false}"#), None);
        assert_eq!(next_cursor(br#"{"data":[{"id":"a"}]}"#), None);
        assert_eq!(next_cursor(br#"{"data":[],"has_more":true}"#), None);
        assert_eq!(next_cursor(br#"not json"#), None);
    }
}
