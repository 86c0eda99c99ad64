/* outfile.c — result files (--out, --pauses, --trace): what a path may be,
 * and how it is written.
 *
 * The rule: a result file is written to a fresh temp file in the target's
 * directory (mkstemp, so nothing planted there is followed), then renamed
 * over the target — and only over a regular file or nothing:
 *
 *   absent            created (its directory must exist and be writable)
 *   a regular file    replaced atomically; it keeps its permission bits
 *   a symlink         followed: its final target is replaced as above (the
 *                     link itself stays a link); a dangling or looping link,
 *                     or one to anything but a regular file, is refused
 *   anything else     refused: a directory, a device (/dev/null), a FIFO,
 *                     a socket is never replaced nor written into
 *
 * outfile_check() is called before the workload runs, so a path that can
 * never be written fails at once (exit 2); outfile_write() repeats the check
 * just before the rename (the path may have changed meanwhile).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

static const char *kind_of(mode_t m)
{
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a regular file";
}

/* The path to write (the link's target for a symlink) into a fresh string,
 * or NULL with a message. *mode gets the existing file's permissions (0 if
 * absent). */
static char *resolve(const char *path, mode_t *mode, char *err, size_t n)
{
    struct stat st;
    *mode = 0;
    if (!*path) {
        snprintf(err, n, "empty file name");
        return NULL;
    }
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        char *real = realpath(path, NULL);
        if (!real) {
            snprintf(err, n, "%s is a symlink to nothing usable (%s): refusing to replace the link", path,
                     strerror(errno));
            return NULL;
        }
        if (stat(real, &st) != 0) {
            snprintf(err, n, "%s is a symlink to %s, which does not exist: refusing to replace the link", path,
                     real);
            free(real);
            return NULL;
        }
        if (!S_ISREG(st.st_mode)) {
            snprintf(err, n, "%s is a symlink to %s, which is %s: refusing to write it", path, real,
                     kind_of(st.st_mode));
            free(real);
            return NULL;
        }
        *mode = st.st_mode & 07777;
        return real;
    }
    if (lstat(path, &st) == 0) {
        if (!S_ISREG(st.st_mode)) {
            snprintf(err, n, "%s is %s: refusing to replace it (results go to regular files)", path,
                     kind_of(st.st_mode));
            return NULL;
        }
        *mode = st.st_mode & 07777;
    } else if (errno != ENOENT) {
        snprintf(err, n, "cannot write %s: %s", path, strerror(errno));
        return NULL;
    }
    char *copy = strdup(path);
    if (!copy)
        snprintf(err, n, "out of memory");
    return copy;
}

/* The directory part of path ("." if none), into buf. */
static void dir_of(const char *path, char *buf, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(buf, n, ".");
    else if (slash == path)
        snprintf(buf, n, "/");
    else
        snprintf(buf, n, "%.*s", (int)(slash - path), path);
}

static bool dir_writable(const char *path, char *err, size_t n)
{
    char dir[PATH_MAX];
    struct stat st;
    dir_of(path, dir, sizeof dir);
    if (stat(dir, &st) != 0) {
        snprintf(err, n, "cannot write %s: directory %s: %s", path, dir, strerror(errno));
        return false;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, n, "cannot write %s: %s is not a directory", path, dir);
        return false;
    }
    if (access(dir, W_OK | X_OK) != 0) {
        snprintf(err, n, "cannot write %s: directory %s: %s", path, dir, strerror(errno));
        return false;
    }
    return true;
}

bool outfile_check(const char *path, char *err, size_t n)
{
    mode_t mode;
    char *target = resolve(path, &mode, err, n);
    if (!target)
        return false;
    bool ok = dir_writable(target, err, n);
    free(target);
    return ok;
}

bool outfile_write(const char *path, const char *text, size_t len, char *err, size_t n)
{
    mode_t mode;
    char *target = resolve(path, &mode, err, n);
    if (!target)
        return false;
    if (!dir_writable(target, err, n)) {
        free(target);
        return false;
    }
    size_t tn = strlen(target) + 16;
    char *tmp = malloc(tn);
    if (!tmp) {
        snprintf(err, n, "out of memory");
        free(target);
        return false;
    }
    snprintf(tmp, tn, "%s.tmp.XXXXXX", target);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, n, "cannot write %s: %s", tmp, strerror(errno));
        free(tmp);
        free(target);
        return false;
    }
    if (!mode) {
        mode_t um = umask(0);
        umask(um);
        mode = 0666 & ~um;
    }
    bool ok = fchmod(fd, mode) == 0;
    for (size_t off = 0; ok && off < len;) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        ok = w > 0;
        if (ok)
            off += (size_t)w;
    }
    int saved = errno;
    ok = close(fd) == 0 && ok;
    if (!ok) {
        snprintf(err, n, "cannot write %s: %s", target, strerror(saved ? saved : errno));
    } else {
        /* The target may have changed since resolve(): check once more. */
        struct stat st;
        if (lstat(target, &st) == 0 && !S_ISREG(st.st_mode)) {
            snprintf(err, n, "%s became %s while running: refusing to replace it", target, kind_of(st.st_mode));
            ok = false;
        } else if (rename(tmp, target) != 0) {
            snprintf(err, n, "cannot write %s: %s", target, strerror(errno));
            ok = false;
        }
    }
    if (!ok)
        unlink(tmp);
    free(tmp);
    free(target);
    return ok;
}
