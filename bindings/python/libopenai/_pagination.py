"""Pages as the official SDK's: a list call returns its first page, and iterating the page walks
the items of every page, fetching each next page as it goes (``async for`` on AsyncOpenAI)."""

from ._models import OpenAIObject

__all__ = ["PageInfo", "SyncPage", "SyncCursorPage", "SyncConversationCursorPage", "SyncNextPage",
           "AsyncPage", "AsyncCursorPage", "AsyncConversationCursorPage", "AsyncNextPage", "AsyncPaginator"]


class PageInfo:
    """The query parameters that ask for the next page."""

    __slots__ = ("params", "url")

    def __init__(self, *, params=None, url=None):
        self.params = params or {}
        self.url = url

    def __repr__(self):
        return "PageInfo(params=%r)" % (self.params,)


class _BasePage(OpenAIObject):
    """A page: its fields (``data``, ``has_more``, ...) by attribute, and the SDK's paging methods.
    ``_fetch(params)`` gets the page the same call gives with ``params`` added to its query."""

    __slots__ = ("_fetch",)

    def _get_page_items(self):
        return self._data.get("data") or []

    def next_page_info(self):
        return None

    def has_next_page(self):
        if not self._get_page_items():
            return False
        if self._data.get("has_more") is False:
            return False
        return self.next_page_info() is not None

    @classmethod
    def _of(cls, obj, fetch):
        page = cls._wrap(obj._data)
        object.__setattr__(page, "_response", obj._response)
        object.__setattr__(page, "_type", obj._type)
        object.__setattr__(page, "_fetch", fetch)
        return page

    def __setattr__(self, name, value):
        if name == "_fetch":
            object.__setattr__(self, name, value)
        else:
            super().__setattr__(name, value)

    def __reduce__(self):
        return (_page_from_plain, (type(self), self.to_dict()))


def _page_from_plain(cls, plain):
    from ._models import _rebuild

    return cls._of(_rebuild(OpenAIObject, plain), None)


class _CursorInfo:
    """``after`` = the id of the last item (the SDK's CursorPage)."""

    __slots__ = ()

    def next_page_info(self):
        items = self._get_page_items()
        last = items[-1] if items else None
        item_id = last._data.get("id") if isinstance(last, OpenAIObject) else None
        return PageInfo(params={"after": item_id}) if item_id is not None else None


class _LastIdInfo:
    """``after`` = the page's ``last_id`` (the SDK's ConversationCursorPage)."""

    __slots__ = ()

    def next_page_info(self):
        last_id = self._data.get("last_id")
        return PageInfo(params={"after": last_id}) if last_id else None


class _NextPageInfo:
    """``page`` = the page's ``next_page`` (the usage and costs lists)."""

    __slots__ = ()

    def next_page_info(self):
        token = self._data.get("next_page") or self._data.get("next")
        return PageInfo(params={"page": token}) if token else None


class _SyncPaging:
    __slots__ = ()

    def __iter__(self):
        """Every item of this page and the pages after it."""
        for page in self.iter_pages():
            yield from page._get_page_items()

    def iter_pages(self):
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = page.get_next_page()

    def get_next_page(self):
        info = self.next_page_info()
        if info is None or self._fetch is None:
            raise RuntimeError("No next page expected; please check `.has_next_page()` before calling "
                               "`.get_next_page()`.")
        return self._fetch(info.params)


class _AsyncPaging:
    __slots__ = ()

    def __iter__(self):
        raise TypeError("iterate an async page with `async for`")

    def __aiter__(self):
        return self._items()

    async def _items(self):
        async for page in self.iter_pages():
            for item in page._get_page_items():
                yield item

    async def iter_pages(self):
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = await page.get_next_page()

    async def get_next_page(self):
        info = self.next_page_info()
        if info is None or self._fetch is None:
            raise RuntimeError("No next page expected; please check `.has_next_page()` before calling "
                               "`.get_next_page()`.")
        return await self._fetch(info.params)


class SyncPage(_SyncPaging, _BasePage):
    """A list that does not page (``models.list``, ``vector_stores.search``)."""

    __slots__ = ()


class SyncCursorPage(_CursorInfo, _SyncPaging, _BasePage):
    __slots__ = ()


class SyncConversationCursorPage(_LastIdInfo, _SyncPaging, _BasePage):
    __slots__ = ()


class SyncNextPage(_NextPageInfo, _SyncPaging, _BasePage):
    __slots__ = ()


class AsyncPage(_AsyncPaging, _BasePage):
    __slots__ = ()


class AsyncCursorPage(_CursorInfo, _AsyncPaging, _BasePage):
    __slots__ = ()


class AsyncConversationCursorPage(_LastIdInfo, _AsyncPaging, _BasePage):
    __slots__ = ()


class AsyncNextPage(_NextPageInfo, _AsyncPaging, _BasePage):
    __slots__ = ()


SYNC_PAGES = {"list": SyncPage, "cursor": SyncCursorPage, "cursor_last_id": SyncConversationCursorPage,
              "page": SyncNextPage}
ASYNC_PAGES = {"list": AsyncPage, "cursor": AsyncCursorPage, "cursor_last_id": AsyncConversationCursorPage,
               "page": AsyncNextPage}


class AsyncPaginator:
    """What a list call of AsyncOpenAI returns at once: ``await`` it for the first page, or
    ``async for`` over every item of every page."""

    def __init__(self, first):
        self._first = first  # coroutine function: () -> the first page

    def __await__(self):
        return self._first().__await__()

    def __aiter__(self):
        return self._items()

    async def _items(self):
        page = await self._first()
        async for item in page:
            yield item
