# codeward-corpus: vulnerable CWR601
# ruff: noqa
def add_tag(item, tags=[]):
    tags.append(item)
    return tags
