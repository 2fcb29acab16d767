# codeward-corpus: vulnerable CWR203
# ruff: noqa
from sqlalchemy import create_engine

engine = create_engine("postgresql+psycopg2://reporting:Wk83hQz1@analytics-db:5432/reporting", pool_pre_ping=True)
