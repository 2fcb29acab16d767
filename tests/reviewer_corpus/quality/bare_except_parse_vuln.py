# codeward-corpus: vulnerable CWR603
# ruff: noqa
def parse_port(text):
    try:
        return int(text)
    except:
        return 8080
