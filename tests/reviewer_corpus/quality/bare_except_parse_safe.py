# codeward-corpus: safe CWR603
# ruff: noqa
def parse_port(text):
    try:
        return int(text)
    except ValueError:
        return 8080
