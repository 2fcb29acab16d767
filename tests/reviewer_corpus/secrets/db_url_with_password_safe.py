# codeward-corpus: safe CWR203
# ruff: noqa
import os

from sqlalchemy import create_engine

engine = create_engine(os.environ["REPORTING_DATABASE_URL"], pool_pre_ping=True)
