/* outfile.h — result files: temp file + rename, only over a regular file
 * (bench/outfile.c has the whole rule: symlinks followed, devices, FIFOs and
 * directories refused). */
#ifndef GCLAB_OUTFILE_H
#define GCLAB_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>

/* Whether path can take a result file (absent in a writable directory, a
 * regular file, or a symlink to one); false with a message in err. */
bool outfile_check(const char *path, char *err, size_t n);
/* Write len bytes of text to path by temp file and rename under that rule;
 * false with a message in err. */
bool outfile_write(const char *path, const char *text, size_t len, char *err, size_t n);

#endif
