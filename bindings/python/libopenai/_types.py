"""The official SDK's sentinels and its Timeout, so that code passing them runs unchanged."""

__all__ = ["NotGiven", "NOT_GIVEN", "not_given", "Omit", "omit", "Timeout", "is_given"]


class NotGiven:
    """The value of an argument that was not given (the SDK's ``NOT_GIVEN``): never sent."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self):
        return False

    def __repr__(self):
        return "NOT_GIVEN"


NOT_GIVEN = not_given = NotGiven()


class Omit:
    """Leaves out a value, e.g. a default header (``extra_headers={"OpenAI-Beta": omit}``)."""

    def __bool__(self):
        return False

    def __repr__(self):
        return "omit"


omit = Omit()


def is_given(value):
    return not isinstance(value, (NotGiven, Omit))


class Timeout:
    """Timeouts in seconds, as ``httpx.Timeout`` (which the SDK exports as ``openai.Timeout``):
    ``Timeout(600.0, connect=5.0)``. The library has a per-attempt ``timeout`` and a
    ``connect_timeout``: ``read`` (or the single value) is the first, ``connect`` the second;
    ``write`` and ``pool`` are accepted and not used separately."""

    def __init__(self, timeout=NOT_GIVEN, *, connect=NOT_GIVEN, read=NOT_GIVEN, write=NOT_GIVEN, pool=NOT_GIVEN):
        if isinstance(timeout, Timeout):
            connect, read, write, pool = timeout.connect, timeout.read, timeout.write, timeout.pool
        else:
            default = None if timeout is NOT_GIVEN else timeout
            connect = default if connect is NOT_GIVEN else connect
            read = default if read is NOT_GIVEN else read
            write = default if write is NOT_GIVEN else write
            pool = default if pool is NOT_GIVEN else pool
        self.connect, self.read, self.write, self.pool = connect, read, write, pool

    def __eq__(self, other):
        return (isinstance(other, Timeout)
                and (self.connect, self.read, self.write, self.pool) == (other.connect, other.read, other.write, other.pool))

    __hash__ = None

    def __repr__(self):
        if len({self.connect, self.read, self.write, self.pool}) == 1:
            return "Timeout(timeout=%r)" % self.connect
        return "Timeout(connect=%r, read=%r, write=%r, pool=%r)" % (self.connect, self.read, self.write, self.pool)


def timeout_options(value):
    """The library's client options for a timeout given as the SDK takes it: seconds, None (no
    timeout), or a Timeout-like object (``httpx.Timeout`` too: anything with ``read`` and
    ``connect``)."""
    if value is None or isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"timeout": value}
    read = getattr(value, "read", NOT_GIVEN)
    connect = getattr(value, "connect", NOT_GIVEN)
    if read is NOT_GIVEN and connect is NOT_GIVEN:
        raise TypeError("timeout must be seconds, None or a Timeout, not %s" % type(value).__name__)
    options = {}
    if read is not NOT_GIVEN:
        options["timeout"] = read
    if connect is not NOT_GIVEN and connect is not None:
        options["connect_timeout"] = connect
    return options
