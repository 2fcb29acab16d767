"""Hand-written archive extraction ("zip slip", CWR108): a member's name from `namelist()`, `infolist()` or
`getmembers()` joined to a folder and written to, and the checks that keep it inside the folder: the joined path
resolved and compared with the folder, the name rejected for `..` and for being absolute, its base name only.
Each construct has a vulnerable and a safe variant."""

from __future__ import annotations

import pytest

from tests.outputs_whole import reviewed

HEAD = "import os\nimport shutil\nimport tarfile\nimport zipfile\nfrom pathlib import Path\n"

# (description, the code after HEAD, the lines CWR108 reports)
CASES = [
    (
        "a `..` check alone: an absolute member name replaces the folder in join()",
        """\
def unzip(archive, dest):
    z = zipfile.ZipFile(archive)
    for name in z.namelist():
        if ".." in name:
            continue
        with open(os.path.join(dest, name), "wb") as f:
            f.write(z.read(name))
""",
        [13],
    ),
    (
        "infolist()'s filename joined and opened for writing",
        """\
def unzip(archive, dest):
    with zipfile.ZipFile(archive) as z:
        for info in z.infolist():
            target = os.path.join(dest, info.filename)
            with z.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
""",
        [12],
    ),
    (
        "namelist() joined with pathlib's `/` and written with write_bytes()",
        """\
def unzip(archive, dest):
    z = zipfile.ZipFile(archive)
    for name in z.namelist():
        (Path(dest) / name).write_bytes(z.read(name))
""",
        [11],
    ),
    (
        "getmembers()'s name appended to the folder, a folder made and a file written",
        """\
def untar(archive, dest):
    tar = tarfile.open(archive)
    for member in tar.getmembers():
        path = dest + "/" + member.name
        if member.isdir():
            os.makedirs(path)
        else:
            with open(path, "wb") as out:
                out.write(tar.extractfile(member).read())
""",
        [13, 15],
    ),
    (
        "the name rejected for `..` and for being absolute (isabs)",
        """\
def unzip(archive, dest):
    z = zipfile.ZipFile(archive)
    for name in z.namelist():
        if ".." in name or os.path.isabs(name):
            continue
        with open(os.path.join(dest, name), "wb") as f:
            f.write(z.read(name))
""",
        [],
    ),
    (
        "the name rejected for a leading `/` and for `..`",
        """\
def unzip(archive, dest):
    z = zipfile.ZipFile(archive)
    for name in z.namelist():
        if name.startswith("/") or ".." in name:
            raise ValueError(name)
        with open(os.path.join(dest, name), "wb") as f:
            f.write(z.read(name))
""",
        [],
    ),
    (
        "the joined path resolved and checked with startswith before it is written",
        """\
def unzip(archive, dest):
    base = os.path.realpath(dest)
    with zipfile.ZipFile(archive) as z:
        for name in z.namelist():
            target = os.path.realpath(os.path.join(base, name))
            if not target.startswith(base + os.sep):
                raise ValueError(name)
            with open(target, "wb") as out:
                out.write(z.read(name))
""",
        [],
    ),
    (
        "the joined path made absolute and compared with the folder",
        """\
def unzip(archive, dest):
    with zipfile.ZipFile(archive) as z:
        for name in z.namelist():
            target = os.path.abspath(os.path.join(dest, name))
            if not target.startswith(os.path.abspath(dest)):
                continue
            with open(target, "wb") as out:
                out.write(z.read(name))
""",
        [],
    ),
    (
        "commonpath() of the resolved path and the folder",
        """\
def untar(archive, dest):
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            target = os.path.realpath(os.path.join(dest, member.name))
            if os.path.commonpath([target, os.path.realpath(dest)]) != os.path.realpath(dest):
                raise Exception("bad member")
            with open(target, "wb") as out:
                out.write(tar.extractfile(member).read())
""",
        [],
    ),
    (
        "Path.resolve() checked with is_relative_to()",
        """\
def unzip(archive, dest):
    base = Path(dest).resolve()
    z = zipfile.ZipFile(archive)
    for name in z.namelist():
        target = (base / name).resolve()
        if not target.is_relative_to(base):
            continue
        target.write_bytes(z.read(name))
""",
        [],
    ),
    (
        "a path joined from other names than the one checked (`realpath(join(path, name))` checked first)",
        """\
def unzip_folder(file_location, directory):
    real_directory = os.path.realpath(directory)
    with zipfile.ZipFile(file_location, 'r', allowZip64=True) as zf:
        for cur_file in zf.namelist():
            if not cur_file.endswith('/'):
                root, name = os.path.split(cur_file)
                path = os.path.normpath(os.path.join(directory, root))
                target_file = os.path.realpath(os.path.join(path, name))
                if not target_file.startswith(real_directory + os.sep):
                    raise ValueError(cur_file)
                if not os.path.isdir(path):
                    os.makedirs(path)
                open(os.path.join(path, name), 'wb').write(zf.read(cur_file))
""",
        [],
    ),
    (
        "only the member's base name is used",
        """\
def unzip(archive, dest):
    z = zipfile.ZipFile(archive)
    for name in z.namelist():
        with open(os.path.join(dest, os.path.basename(name)), "wb") as f:
            f.write(z.read(name))
""",
        [],
    ),
    (
        "the joined path only read, never written",
        """\
def sizes(archive, dest):
    z = zipfile.ZipFile(archive)
    for name in z.namelist():
        path = os.path.join(dest, name)
        if os.path.exists(path):
            with open(path, "rb") as f:
                print(len(f.read()))
""",
        [],
    ),
    (
        "tarfile's extractall with filter='data'",
        """\
def untar(archive, dest):
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")
""",
        [],
    ),
    (
        "extractall with the members filtered",
        """\
def untar(archive, dest):
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if not (m.name.startswith("/") or ".." in m.name)]
        tar.extractall(dest, members=members)
""",
        [],
    ),
]


@pytest.mark.parametrize(("name", "code", "lines"), CASES, ids=[c[0] for c in CASES])
def test_member_names_written_outside_the_folder(name: str, code: str, lines: list[int]) -> None:
    text = f"{HEAD}\n\n{code}\n"
    found = [(f.line, f.code) for f in reviewed("unpack.py", text) if f.code == "CWR108"]
    assert found == [(line, "CWR108") for line in lines]


def test_the_message_names_the_member_list_and_the_write() -> None:
    text = f"{HEAD}\n\n{CASES[1][1]}\n"
    (finding,) = [f for f in reviewed("unpack.py", text) if f.code == "CWR108"]
    assert finding.message == (
        "archive.infolist() gives a member name that reaches open(): a name such as `../x` or `/x` writes outside "
        "the target folder (CWE-22)"
    )
