# codeward-corpus: vulnerable CWR101
# ruff: noqa
from fastapi import FastAPI
from sqlalchemy import create_engine, text

app = FastAPI()
engine = create_engine("sqlite:///reports.db")


@app.get("/reports/{owner}")
def reports(owner: str):
    with engine.connect() as conn:
        result = conn.execute(text(f"SELECT title FROM reports WHERE owner = '{owner}'"))
        return [row.title for row in result]
