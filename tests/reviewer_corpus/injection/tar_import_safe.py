# codeward-corpus: safe CWR108
# ruff: noqa
import tarfile


def import_bundle(path, destination):
    with tarfile.open(path) as bundle:
        bundle.extractall(destination, filter="data")
