# codeward-corpus: safe CWR601
# ruff: noqa
def add_tag(item, tags=None):
    tags = [] if tags is None else tags
    tags.append(item)
    return tags
