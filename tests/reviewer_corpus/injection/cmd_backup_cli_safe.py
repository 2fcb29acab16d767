# codeward-corpus: safe CWR102
# ruff: noqa
import os
import shlex
import sys


def main():
    database = sys.argv[1]
    os.system("pg_dump " + shlex.quote(database) + " > /backups/latest.sql")


if __name__ == "__main__":
    main()
