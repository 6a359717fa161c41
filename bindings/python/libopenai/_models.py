"""Results read as the official SDK's models read: ``r.choices[0].message.content``, an absent
optional field as None, ``model_dump()``, ``to_dict()``, ``to_json()``."""

import json

__all__ = ["OpenAIObject", "BaseModel", "parse_json", "to_plain"]

_MISSING = object()

# The 0.1.0 binding's raw access on a top-level result, read after the object's own fields (a
# field of the same name wins, as it does in the SDK's models).
_RAW_ACCESS = {
    "http_response": lambda r: r,
    "http_status": lambda r: r.status_code,
    "headers": lambda r: r.headers,
    "request_id": lambda r: r.request_id,
    "raw_body": lambda r: r.content,
}


def _fields():
    from ._operations import FIELDS

    return FIELDS


def _output_text(obj):
    """``Response.output_text``: the text of every ``output_text`` part of every message."""
    if obj._data.get("object") != "response":
        return _MISSING
    texts = []
    for item in obj._data.get("output") or []:
        if isinstance(item, OpenAIObject) and item._data.get("type") == "message":
            for part in item._data.get("content") or []:
                if isinstance(part, OpenAIObject) and part._data.get("type") == "output_text":
                    texts.append(part._data.get("text") or "")
    return "".join(texts)


# Properties the SDK's models compute from their fields.
_COMPUTED = {"output_text": _output_text}


class OpenAIObject:
    """A JSON object of the API, read like the official SDK's models.

    - ``r.choices[0].message.content``: a field by attribute; an absent field that the API
      describes (any property name of the specification) is None, as an unset optional field
      of the SDK's models; any other name raises AttributeError.
    - ``r.to_dict()`` / ``r.to_json()`` give what the API sent (the SDK's defaults,
      ``exclude_unset=True``); ``r.model_dump()`` / ``r.model_dump_json()`` give the same
      fields (the SDK's also list every unset field as None: see the README).
    - ``r["choices"]``, ``"usage" in r`` and ``r.get("usage")`` read fields by name too.
    - A top-level result has ``_request_id`` (the SDK's), and ``http_response``, ``request_id``,
      ``headers``, ``http_status``, ``raw_body`` (the raw response) unless a field has that name.
    """

    __slots__ = ("_data", "_response", "_type", "__weakref__")

    def __init__(self, _data=None, **fields):
        data = dict(_data) if _data is not None else {}
        data.update(fields)
        object.__setattr__(self, "_data", data)
        object.__setattr__(self, "_response", None)
        object.__setattr__(self, "_type", None)

    @classmethod
    def _wrap(cls, data):
        """An object over `data` (a dict whose values are already converted), not copied."""
        obj = cls.__new__(cls)
        object.__setattr__(obj, "_data", data)
        object.__setattr__(obj, "_response", None)
        object.__setattr__(obj, "_type", None)
        return obj

    @classmethod
    def construct(cls, **fields):
        return cls(fields)

    model_construct = construct

    def __getattr__(self, name):
        try:
            data = object.__getattribute__(self, "_data")
        except AttributeError:  # during unpickling
            raise AttributeError(name) from None
        try:
            return data[name]
        except KeyError:
            pass
        if name == "_request_id":
            response = object.__getattribute__(self, "_response")
            return response.request_id if response is not None else None
        if name.startswith("_"):
            raise AttributeError(name)
        response = object.__getattribute__(self, "_response")
        if response is not None and name in _RAW_ACCESS:
            return _RAW_ACCESS[name](response)
        computed = _COMPUTED.get(name)
        if computed is not None:
            value = computed(self)
            if value is not _MISSING:
                return value
        if name != "keys" and (name in _declared(self) or name in _fields()):
            # (keys: dict(obj) must not take the object for a mapping)
            return None
        raise AttributeError("%r object has no attribute %r" % (type(self).__name__, name))

    def __setattr__(self, name, value):
        if name in ("_data", "_response", "_type"):
            object.__setattr__(self, name, value)
        else:
            self._data[name] = value

    def __delattr__(self, name):
        try:
            del self._data[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name):
        return self._data[name]

    def __setitem__(self, name, value):
        self._data[name] = value

    def __contains__(self, name):
        return name in self._data

    def get(self, name, default=None):
        return self._data.get(name, default)

    def __iter__(self):
        """(name, value) pairs, as iterating one of the SDK's models gives (``dict(r)`` works)."""
        return iter(self._data.items())

    def __eq__(self, other):
        if isinstance(other, OpenAIObject):
            return self._data == other._data
        if isinstance(other, dict):
            return self.to_dict() == other
        return NotImplemented

    __hash__ = None

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, ", ".join("%s=%r" % kv for kv in self._data.items()))

    def __str__(self):
        return " ".join("%s=%r" % kv for kv in self._data.items())

    def __dir__(self):
        return sorted(set(dir(type(self))) | {k for k in self._data if isinstance(k, str) and k.isidentifier()})

    def __reduce__(self):
        return (_rebuild, (type(self), self.to_dict(), self._type))

    def __copy__(self):
        copy = type(self)._wrap(dict(self._data))
        object.__setattr__(copy, "_type", self._type)
        return copy

    def __deepcopy__(self, memo):
        return _rebuild(type(self), self.to_dict(), self._type)

    # -- the SDK's serialisation

    def to_dict(self, *, mode="python", use_api_names=True, exclude_unset=True, exclude_defaults=False,
                exclude_none=False, warnings=True):
        """The fields as plain dicts and lists: what the API sent."""
        return to_plain(self, exclude_none)

    def to_json(self, *, indent=2, use_api_names=True, exclude_unset=True, exclude_defaults=False,
                exclude_none=False, warnings=True):
        """JSON text of what the API sent (indented by 2 by default, as the SDK's)."""
        return _dumps(to_plain(self, exclude_none), indent)

    def model_dump(self, *, mode="python", include=None, exclude=None, context=None, by_alias=None,
                   exclude_unset=False, exclude_defaults=False, exclude_none=False, round_trip=False,
                   warnings=True, fallback=None, serialize_as_any=False):
        """The fields as plain dicts and lists, in the SDK's order; unless ``exclude_unset``, the
        object's other fields (those the specification describes) as None, as the SDK's
        models list them (``include`` / ``exclude``: sets of top-level names)."""
        plain = to_plain(self, exclude_none) if exclude_unset else _dump_all(self, exclude_none)
        if include is not None:
            plain = {k: v for k, v in plain.items() if k in include}
        if exclude is not None:
            plain = {k: v for k, v in plain.items() if k not in exclude}
        return plain

    def model_dump_json(self, *, indent=None, include=None, exclude=None, context=None, by_alias=None,
                        exclude_unset=False, exclude_defaults=False, exclude_none=False, round_trip=False,
                        warnings=True, fallback=None, serialize_as_any=False):
        """JSON text of ``model_dump()``: compact, or indented by ``indent``."""
        return _dumps(self.model_dump(include=include, exclude=exclude, exclude_unset=exclude_unset,
                                      exclude_none=exclude_none), indent)

    def model_copy(self, *, update=None, deep=False):
        copy = self.__deepcopy__(None) if deep else self.__copy__()
        if update:
            copy._data.update(update)
        return copy

    @property
    def model_fields_set(self):
        return set(self._data)


BaseModel = OpenAIObject


def _rebuild(cls, plain, type_name=None):
    obj = parse_json(json.dumps(plain))
    if cls is not OpenAIObject and isinstance(obj, OpenAIObject):
        obj = cls._wrap(obj._data)
    if type_name is not None:
        typed(obj, type_name)
    return obj


def _dumps(value, indent):
    if indent is None:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(value, ensure_ascii=False, indent=indent)


def _dump_all(value, exclude_none):
    """Plain dicts and lists with every declared field of each typed object (None when unset,
    except a required field the API left out)."""
    if isinstance(value, OpenAIObject):
        out = {}
        entry = _types()["objects"].get(value._type) if value._type else None
        if entry:
            required = set(entry.get("r", ()))
            for field in entry["f"]:
                if field in value._data:
                    out[field] = _dump_all(value._data[field], exclude_none)
                elif field not in required:
                    out[field] = None
        for k, v in value._data.items():
            if k not in out:
                out[k] = _dump_all(v, exclude_none)
        if exclude_none:
            out = {k: v for k, v in out.items() if v is not None}
        return out
    if isinstance(value, (list, tuple)):
        return [_dump_all(v, exclude_none) for v in value]
    return value


def to_plain(value, exclude_none=False):
    """Plain dicts and lists of a result (OpenAIObjects, lists, scalars)."""
    if isinstance(value, OpenAIObject):
        return {k: to_plain(v, exclude_none) for k, v in value._data.items() if not (exclude_none and v is None)}
    if isinstance(value, dict):
        return {k: to_plain(v, exclude_none) for k, v in value.items() if not (exclude_none and v is None)}
    if isinstance(value, (list, tuple)):
        return [to_plain(v, exclude_none) for v in value]
    return value


def parse_json(data):
    """JSON bytes or text into OpenAIObjects (every object, nested ones too)."""
    return json.loads(data, object_hook=OpenAIObject._wrap)


# ---------------------------------------------------------------------------------------------
# types: libopenai/_schemas.json (generated by generate.py from the specification)

_TYPES = None


def _types():
    global _TYPES
    if _TYPES is None:
        import os

        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "_schemas.json"), encoding="utf-8") as f:
            _TYPES = json.load(f)
    return _TYPES


def _declared(obj):
    entry = _types()["objects"].get(obj._type) if obj._type else None
    return entry["f"] if entry else ()


def result_type(operation):
    """The type of an operation's result, or None."""
    return _types()["results"].get(operation)


def event_type(operation):
    """The type of an operation's stream events, or None."""
    return _types()["events"].get(operation)


def typed(value, t):
    """Gives the objects of a parsed value their types (the SDK's models): fields reordered as
    the SDK's models order them, maps and free-form objects as plain dicts, and what
    ``model_dump()`` and attribute access know of their fields. Untyped objects with an
    ``object`` field are typed by it. Returns the value (a new one for a map)."""
    if isinstance(value, OpenAIObject):
        if isinstance(t, str):
            _type_object(value, t)
        elif isinstance(t, list) and t[0] == "u":
            name = _choose(value, t[1])
            if name is not None:
                _type_object(value, name)
        elif isinstance(t, list) and t[0] == "m":
            return {k: typed(v, t[1]) if t[1] is not None else to_plain(v) for k, v in value._data.items()}
        else:
            kind = value._data.get("object")
            name = _types()["by_object"].get(kind) if isinstance(kind, str) else None
            if name is not None:
                _type_object(value, name)
            else:
                data = value._data
                for k, v in data.items():
                    if isinstance(v, (OpenAIObject, list)):
                        data[k] = typed(v, None)
    elif isinstance(value, list):
        if isinstance(t, list) and t[0] == "a":
            value[:] = [typed(v, t[1]) for v in value]
        elif isinstance(t, list) and t[0] == "u" and t[2] is not None:
            typed(value, t[2])
        elif t is None:
            value[:] = [typed(v, None) if isinstance(v, (OpenAIObject, list)) else v for v in value]
    return value


def _type_object(obj, name):
    entry = _types()["objects"].get(name)
    if not entry:
        return
    object.__setattr__(obj, "_type", name)
    data = obj._data
    ordered = {f: data[f] for f in entry["f"] if f in data}
    if len(ordered) != len(data) or list(ordered) != list(data):
        for k, v in data.items():
            if k not in ordered:
                ordered[k] = v
    types = entry["t"]
    for field, value in ordered.items():
        if isinstance(value, (OpenAIObject, list)):
            ordered[field] = typed(value, types.get(field))
    object.__setattr__(obj, "_data", ordered)


def _choose(obj, names):
    """The object type of a union that fits `obj`: constant fields that match (and none that
    differ), then the required fields present, then the most fields in common."""
    objects = _types()["objects"]
    data = obj._data
    best, best_score = None, None
    for name in names:
        entry = objects.get(name)
        if not entry:
            continue
        consts = entry.get("c", {})
        if any(k in data and data[k] != v for k, v in consts.items()):
            continue
        score = (sum(1 for k, v in consts.items() if data.get(k) == v),
                 all(r in data for r in entry.get("r", ())),
                 sum(1 for f in entry["f"] if f in data))
        if best_score is None or score > best_score:
            best, best_score = name, score
    return best
