"""outfile.py — result files of scripts/matrix.py and scripts/plot.py, by the
rule of bench/outfile.c (gclab run --out): written to a fresh temp file in
the target's directory and renamed over the target, and only ever over a
regular file or nothing. A symlink is followed and its final target replaced
(the link stays a link); a dangling link, or a path (or link target) that is a
directory, device, FIFO or socket, is refused with OutfileError."""
import os
import stat
import tempfile


class OutfileError(Exception):
    pass


def _kind(mode):
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def resolve(path):
    """The file to write for path (a symlink's target); its permission bits or
    None if absent. Raises OutfileError when path may not be written."""
    if not path:
        raise OutfileError("empty file name")
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise OutfileError("cannot write %s: %s" % (path, e.strerror))
    mode = None
    if st is not None and stat.S_ISLNK(st.st_mode):
        real = os.path.realpath(path)
        try:
            st2 = os.stat(real)
        except OSError:
            raise OutfileError("%s is a symlink to %s, which does not exist: refusing to replace the link"
                               % (path, real))
        if not stat.S_ISREG(st2.st_mode):
            raise OutfileError("%s is a symlink to %s, which is %s: refusing to write it"
                               % (path, real, _kind(st2.st_mode)))
        return real, stat.S_IMODE(st2.st_mode)
    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            raise OutfileError("%s is %s: refusing to replace it (results go to regular files)"
                               % (path, _kind(st.st_mode)))
        mode = stat.S_IMODE(st.st_mode)
    d = os.path.dirname(path) or "."
    if not os.path.isdir(d):
        raise OutfileError("cannot write %s: directory %s does not exist" % (path, d))
    if not os.access(d, os.W_OK | os.X_OK):
        raise OutfileError("cannot write %s: directory %s is not writable" % (path, d))
    return path, mode


def check(path):
    """Raise OutfileError if path can never take a result file."""
    resolve(path)


def write_with(path, writer):
    """writer(tmp_path) fills a temp file, which then replaces path's target."""
    target, mode = resolve(path)
    d = os.path.dirname(target) or "."
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(target) + ".tmp.", dir=d)
    os.close(fd)
    try:
        if mode is None:
            um = os.umask(0)
            os.umask(um)
            mode = 0o666 & ~um
        os.chmod(tmp, mode)
        writer(tmp)
        try:
            st = os.lstat(target)
            if not stat.S_ISREG(st.st_mode):
                raise OutfileError("%s became %s meanwhile: refusing to replace it" % (target, _kind(st.st_mode)))
        except FileNotFoundError:
            pass
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_text(path, text):
    def w(tmp):
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
    write_with(path, w)


def save_figure(fig, path, **kw):
    """fig.savefig into path by the rule (format from path's extension)."""
    fmt = os.path.splitext(path)[1].lstrip(".") or "png"
    write_with(path, lambda tmp: fig.savefig(tmp, format=fmt, **kw))
