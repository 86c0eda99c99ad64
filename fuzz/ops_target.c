/* ops_target.c — the main fuzz target: bytes decode to a program of ops
 * (fuzz/decode.c), which runs on one engine with the reference model
 * checking it between ops (fuzz/harness.c). The engine is the input's first
 * byte modulo the registry, or GCLAB_FUZZ_ENGINE=NAME; GCLAB_FUZZ_ENGINE=all
 * runs the input on every engine in turn (what the corpus replay in
 * `make test` does). A violated invariant aborts with a message naming the op.
 */
#include <stdlib.h>
#include <string.h>

#include "fz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned seed);

/* Structure-aware mutation (fuzz/mutate.c): op templates spliced at op boundaries. */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned seed)
{
    return fz_mutate(data, size, max, seed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_input in;
    if (fz_decode(data, size, &in) != 0)
        abort();
    const char *env = getenv("GCLAB_FUZZ_ENGINE");
    if (env && strcmp(env, "all") == 0) {
        const char *name, *summary;
        for (int i = 0; gclab_engine_info(i, &name, &summary); i++)
            fz_run_checked(&in, name, NULL);
    } else {
        fz_run_checked(&in, fz_engine_name(&in), NULL);
    }
    fz_input_free(&in);
    return 0;
}
