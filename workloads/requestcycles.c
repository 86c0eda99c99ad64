/* requestcycles.c — a loop of HTTP-client "requests", each a client and a
 * response that refer to each other and hold the body, dropped when the
 * request is done: the shape of httpx's clients and responses that made
 * CPython 3.14.1+ hold 420 MB where 3.14.0 held 80 MB (python/cpython#142516,
 * bisected to the backport of GH-140262; httpx's own fix, encode/httpx#3733,
 * breaks the cycle with a weakref).
 *
 *     class Client: pass
 *     class Response: pass
 *     for r in range(requests):
 *         c = Client(); resp = Response()
 *         c.response = resp; resp.client = c           # the cycle
 *         resp.payload = bytearray(payload_kb * 1024)  # the body, tag r in it
 *         resp.headers = []
 *         for i in range(span):                        # kept alive across these
 *             resp.headers.append((NAMES[i % 8], i % 200))
 *         check: resp.client is c, len(resp.headers) == span, tag == r
 *         del c, resp                                  # cyclic garbage now
 *
 * `result` = requests * (requests - 1) / 2, the sum of the tags read back.
 * Objects per request: 2 instances, 1 list, 1 blob, `span` tuples (each of
 * an interned str and a small int: immortal, so the tuples hold nothing a
 * collector tracks). Plus classes Client and Response.
 *
 * Stresses: cyclic garbage that holds large non-container payloads, and
 * how many collections let it pile up. The `span` header tuples are the
 * difference between CPython 3.14.0 and 3.14.2 (GH-140262): 3.14.0 counts
 * every container allocated toward the young threshold, 3.14.2 counts only
 * tracked ones and does not track a tuple of immortals at creation, so the
 * same loop triggers a collection (span + 3) / 3 times less often there.
 * What each engine should do at defaults (20,000 requests, span 16, 64 KiB):
 *   nogc       keeps everything (about 1.3 GB of payloads).
 *   rc         frees nothing of a request (every request is a cycle):
 *              leaked = requests * (4 + span) + 2 (exact).
 *   rcgen      a gen-0 collection every 700 / 19 = about 37 requests: the
 *              garbage peaks at about that many payloads; leaked 0.
 *   rcinc      3.14.0: an increment every 2000 / 19 = about 105 requests;
 *              3.14.2: every 2000 / 3 = about 667 requests (the tuples are
 *              never tracked): that many payloads of garbage at the peak.
 *   marksweep  collects when the heap doubles: payloads dominate.
 */
#include <string.h>

#include "workload.h"

#define RQ_NAMES 8

static gclab_status requestcycles_run(gclab_heap *h, struct wl_ctx *ctx)
{
    int64_t requests = wl_param_int(ctx, "requests"), span = wl_param_int(ctx, "span");
    int64_t payload = wl_param_int(ctx, "payload_kb") * 1024, total = 0;
    static const char *const hnames[RQ_NAMES] = { "host", "date", "server", "content-type",
                                                  "content-length", "etag", "vary", "connection" };
    gclab_name response = gclab_intern(h, "response"), client = gclab_intern(h, "client");
    gclab_name payload_n = gclab_intern(h, "payload"), headers = gclab_intern(h, "headers");
    if (payload < 8)
        return gclab_raise(h, GCLAB_EVALUE, "payload_kb must be at least 1");
    if (!response || !client || !payload_n || !headers)
        return gclab_raise(h, GCLAB_EMEMORY, "out of memory");
    /* 0 Client, 1 Response, 2 c, 3 resp, 4 blob, 5 headers, 6 name, 7 value, 8 tuple, 9 scratch */
    WL_TRY(gclab_frame_push(h, 10));
    WL_TRY(gclab_class_new(h, 0, "Client", -1, -1));
    WL_TRY(gclab_class_new(h, 1, "Response", -1, -1));
    wl_measure_begin(h, ctx);
    for (int64_t r = 0; r < requests; r++) {
        uint64_t tag = (uint64_t)r, back = 0;
        WL_TRY(gclab_instance_new(h, 2, 0));
        WL_TRY(gclab_instance_new(h, 3, 1));
        WL_TRY(gclab_attr_set(h, 2, response, 3));
        WL_TRY(gclab_attr_set(h, 3, client, 2));
        WL_TRY(gclab_blob_new(h, 4, (size_t)payload));
        WL_TRY(gclab_blob_write(h, 4, 0, &tag, sizeof tag));
        WL_TRY(gclab_attr_set(h, 3, payload_n, 4));
        WL_TRY(gclab_list_new(h, 5));
        WL_TRY(gclab_attr_set(h, 3, headers, 5));
        for (int64_t i = 0; i < span; i++) {
            const int items[2] = { 6, 7 };
            WL_TRY(gclab_str_intern(h, 6, hnames[i % RQ_NAMES]));
            WL_TRY(gclab_int_new(h, 7, i % 200));
            WL_TRY(gclab_tuple_new(h, 8, 2, items));
            WL_TRY(gclab_list_append(h, 5, 8));
        }
        /* The check, through the objects only (the slots are dropped first). */
        for (int s = 4; s <= 8; s++)
            WL_TRY(gclab_none(h, s));
        bool same = false;
        int64_t n = -1;
        WL_TRY(gclab_attr_get(h, 9, 3, client));
        WL_TRY(gclab_is(h, 9, 2, &same));
        WL_TRY(gclab_attr_get(h, 9, 3, headers));
        WL_TRY(gclab_len(h, 9, &n));
        WL_TRY(gclab_attr_get(h, 9, 3, payload_n));
        WL_TRY(gclab_blob_read(h, 9, 0, &back, sizeof back));
        if (!same || n != span || back != tag)
            return gclab_raise(h, GCLAB_EASSERT, "request %lld: client %s, %lld headers, tag %llu",
                               (long long)r, same ? "ok" : "lost", (long long)n,
                               (unsigned long long)back);
        total += (int64_t)back;
        for (int s = 2; s <= 9; s++)
            WL_TRY(gclab_none(h, s));
    }
    wl_measure_end(h, ctx);
    ctx->result = total;
    return gclab_frame_pop(h);
}

static const struct gclab_param_spec requestcycles_params[] = {
    GCLAB_PINT("requests", "20000", 0, 1e12, "requests made, one after the other"),
    GCLAB_PINT("payload_kb", "64", 1, 1048576, "KiB of body each response holds"),
    GCLAB_PINT("span", "16", 0, 1e6, "header tuples allocated while a request is alive"),
    GCLAB_PEND,
};

const struct workload wl_requestcycles = {
    .name = "requestcycles",
    .summary = "httpx's shape (cpython#142516): client/response cycles holding a payload, dropped per request",
    .params = requestcycles_params,
    .run = requestcycles_run,
};
