# requestcycles.py — the httpx shape of python/cpython#142516 as a heap
# script: each request is a client and a response referring to each other
# and holding the body, dropped when the request is done. The twin of
# workloads/requestcycles.c, at the sizes of tests/sh/test_workload_scripts.sh
# (gclab run -w requestcycles -p requests=60 -p payload_kb=2 -p span=5).
#
# The last line printed is `result` = REQUESTS * (REQUESTS - 1) / 2, the sum
# of the request numbers checked. On rc every request leaks (it is a cycle):
# REQUESTS * (4 + SPAN) objects and the two classes. Nothing differs from
# requestcycles.c except spelling: the C workload writes the request number
# into the body and reads it back; here the check is the body's length.
import gc

REQUESTS = 60
PAYLOAD_KB = 2
SPAN = 5
NAMES = ['host', 'date', 'server', 'content-type', 'content-length', 'etag', 'vary', 'connection']


class Client:
    pass


class Response:
    pass


def main():
    assert PAYLOAD_KB >= 1, 'payload_kb must be at least 1'
    total = 0
    for r in range(REQUESTS):
        c = Client()
        resp = Response()
        c.response = resp
        resp.client = c
        resp.payload = bytearray(2048)   # PAYLOAD_KB * 1024: the subset takes a literal
        resp.headers = []
        for i in range(SPAN):
            resp.headers.append((NAMES[i % 8], i % 200))
        assert resp.client is c, 'a response lost its client'
        assert len(resp.headers) == SPAN, 'a response lost headers'
        assert len(resp.payload) == PAYLOAD_KB * 1024, 'a response lost its body'
        total += r
        c = None
        resp = None
    return total


print(main())
