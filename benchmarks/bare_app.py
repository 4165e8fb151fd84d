"""The P2 baseline: a bare FastAPI endpoint returning a static 20-item list, served by the
same uvicorn as the gateway (`uvicorn benchmarks.bare_app:app`)."""

from fastapi import FastAPI

ITEMS = [{"id": n, "name": f"item {n}", "amount": "5000.00"} for n in range(20)]
app = FastAPI()


@app.get("/items")
def items() -> dict[str, object]:
    return {"items": ITEMS, "next_cursor": None}
