# codeward-corpus: vulnerable CWR102
# ruff: noqa
import os
import sys


def main():
    database = sys.argv[1]
    os.system("pg_dump " + database + " > /backups/latest.sql")


if __name__ == "__main__":
    main()
