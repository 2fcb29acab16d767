"""File paths: opening, listing, removing and moving files, and existence checks that reveal what exists."""

from __future__ import annotations

from codeward.reviewer.dataflow.models import Library, ObjectModel, Sink

_ONE = ("os.remove", "os.unlink", "os.rmdir", "os.removedirs", "os.listdir", "os.scandir", "os.makedirs",
        "os.mkdir", "os.chmod", "os.chown", "os.stat", "os.lstat", "os.path.exists", "os.path.isfile",
        "os.path.isdir", "os.path.getsize", "os.walk", "os.startfile", "shutil.rmtree", "glob.glob",
        "glob.iglob", "linecache.getlines", "fileinput.FileInput", "posixpath.exists")  # fmt: skip
# Archive and compressed-file openers, by the name of their first parameter.
_OPENERS = (("tarfile.open", "name"), ("tarfile.TarFile", "name"), ("tarfile.TarFile.open", "name"),
            ("zipfile.ZipFile", "file"), ("bz2.open", "filename"), ("bz2.BZ2File", "filename"),
            ("gzip.open", "filename"), ("gzip.GzipFile", "filename"), ("lzma.open", "filename"),
            ("lzma.LZMAFile", "filename"), ("shelve.open", "filename"), ("dbm.open", "file"))  # fmt: skip
_TWO = ("os.rename", "os.replace", "os.symlink", "os.link", "shutil.copy", "shutil.copy2", "shutil.copyfile",
        "shutil.copytree", "shutil.move")  # fmt: skip
_PATH_METHODS = ("read_text", "read_bytes", "write_text", "write_bytes", "unlink", "open", "exists", "is_file",
                 "is_dir", "mkdir", "rmdir", "touch", "iterdir", "glob", "rename", "stat")  # fmt: skip

FILES = Library(
    "files",
    sinks=(
        Sink("open", "path", ((0, "file"),)),
        Sink("builtins.open", "path", ((0, "file"),)),
        Sink("io.open", "path", ((0, "file"),)),
        Sink("codecs.open", "path", ((0, "filename"),)),
        Sink("os.open", "path", ((0, "path"),)),
        Sink("aiofiles.open", "path", ((0, "file"),)),
        *(Sink(name, "path", ((0, "path"),)) for name in _ONE),
        *(Sink(name, "path", ((0, keyword),)) for name, keyword in _OPENERS),
        *(Sink(name, "path", ((0, "src"), (1, "dst"))) for name in _TWO),
        *(Sink(f"pathlib.Path().{method}", "path", ((-1, ""),)) for method in _PATH_METHODS),
        Sink(".read_text", "path", ((-1, ""),)),
        Sink(".read_bytes", "path", ((-1, ""),)),
        Sink(".write_text", "path", ((-1, ""),)),
        Sink(".write_bytes", "path", ((-1, ""),)),
        # An uploaded file object's save(): the path is the first argument.
        Sink(".save", "path", ((0, "dst"),), when="receiver-tainted"),
    ),
)

# An archive's member names, which whoever made the archive chose (`../../.bashrc`, `/etc/cron.d/x`): joined to
# a folder and written to, they write outside it ("zip slip"). Only the archive rule (CWR108) reports them, and
# only where a file is written or made (`rules.injection.ArchiveExtraction`); the path rule does not, as reading
# a member's name is not reading the file it names. Trust "archive" keeps them apart from every other rule.
_MEMBER_LISTS = frozenset({"namelist", "infolist", "getnames", "getmembers", "getinfo", "getmember", "next"})
ARCHIVES = Library(
    "archives",
    objects=(
        ObjectModel("zipfile.ZipFile()", "archive", "external", methods=_MEMBER_LISTS, trust="archive"),
        ObjectModel("tarfile.open()", "archive", "external", methods=_MEMBER_LISTS, trust="archive"),
        ObjectModel("tarfile.TarFile()", "archive", "external", methods=_MEMBER_LISTS, trust="archive"),
        ObjectModel("tarfile.TarFile.open()", "archive", "external", methods=_MEMBER_LISTS, trust="archive"),
    ),
)

LIBRARIES = (FILES, ARCHIVES)
