"""In-process stand-in for Swift's memcache middleware (the `swift.cache` env key).

tempauth refuses to work without a cache ("Memcache required"), and running memcached
for a throwaway test server is one service too many. The proxy runs with `workers = 0`
(a single process), so a dict is as coherent as memcached would be. Values go through
JSON like Swift's MemcacheRing does, so callers see the same types (tuples come back as
lists). Not for production: nothing is evicted except by expiry.
"""

import json
import time as _time


class DictCache(object):
    def __init__(self):
        self._data = {}

    def _live(self, key):
        entry = self._data.get(key)
        if entry is None:
            return None
        expires, value = entry
        if expires and expires < _time.time():
            del self._data[key]
            return None
        return entry

    @staticmethod
    def _expiry(ttl):
        # memcached reads a TTL above 30 days as an absolute timestamp.
        if not ttl:
            return 0
        return ttl if ttl > 30 * 24 * 3600 else _time.time() + ttl

    def get(self, key, raise_on_error=False):
        entry = self._live(key)
        return None if entry is None else json.loads(entry[1])

    def set(self, key, value, serialize=True, time=0, min_compress_len=0,
            raise_on_error=False):
        if isinstance(value, bytes):
            value = value.decode('utf8')
        self._data[key] = (self._expiry(time), json.dumps(value))

    def incr(self, key, delta=1, time=0):
        entry = self._live(key)
        current = 0 if entry is None else int(json.loads(entry[1]))
        current = max(0, current + delta)
        self._data[key] = (self._expiry(time), json.dumps(current))
        return current

    def decr(self, key, delta=1, time=0):
        return self.incr(key, -delta, time)

    def delete(self, key, server_key=None):
        self._data.pop(key, None)

    def get_multi(self, keys, server_key):
        return [self.get(key) for key in keys]

    def set_multi(self, mapping, server_key, serialize=True, time=0,
                  min_compress_len=0):
        for key, value in mapping.items():
            self.set(key, value, serialize, time)


def filter_factory(global_conf, **local_conf):
    cache = DictCache()

    def cache_filter(app):
        def middleware(env, start_response):
            env['swift.cache'] = cache
            return app(env, start_response)
        return middleware

    return cache_filter
