# codeward-corpus: vulnerable CWR101
# ruff: noqa
import json
import os

import pymysql

connection = pymysql.connect(host=os.environ["DB_HOST"], user="orders", password=os.environ["DB_PASSWORD"])


def handler(event, context):
    order_id = event["pathParameters"]["orderId"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, total FROM orders WHERE id = " + order_id)
        row = cursor.fetchone()
    return {"statusCode": 200, "body": json.dumps({"status": row[0], "total": str(row[1])})}
