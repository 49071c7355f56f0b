"""A fake Hugging Face daily papers API (https://huggingface.co/api/daily_papers?date=YYYY-MM-DD): a JSON list of
daily-paper objects, each with the paper under "paper", paged by `limit` (default 50) and `p` (0-based)."""
from __future__ import annotations

from .papers import FakePaper
from .server import Canned, Seen


def daily_item(p: FakePaper, n: int) -> dict:
    paper = {
        "id": p.arxiv_id,
        "authors": [{"_id": f"64a{n:05d}{k}", "name": a, "hidden": False} for k, a in enumerate(p.authors)],
        "publishedAt": p.published.replace("Z", ".000Z"),
        "submittedOnDailyAt": "2025-08-20T02:11:35.000Z",
        "title": p.title,
        "summary": p.abstract,
        "upvotes": 10 + n,
        "discussionId": f"68a5{n:08d}",
        "ai_keywords": ["transformer"],
    }
    if p.repository:
        paper["githubRepo"] = p.repository
        paper["githubStars"] = 42
    return {
        "paper": paper,
        "publishedAt": "2025-08-20T02:11:35.000Z",
        "title": p.title,
        "thumbnail": f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{p.arxiv_id}.png",
        "numComments": 1,
        "submittedBy": {"_id": "60f1abe7544c2adfd699860c", "fullname": "AK", "name": "akhaliq", "type": "user"},
        "isAuthorParticipating": False,
    }


class DailyApp:
    def __init__(self, papers: list[FakePaper]):
        self.items = [daily_item(p, n) for n, p in enumerate(papers)]

    def __call__(self, req: Seen) -> Canned:
        if not req.arg("date"):
            return Canned.json({"error": "date is required"}, 400)
        limit = int(req.arg("limit", "50"))
        page = int(req.arg("p", "0"))
        return Canned.json(self.items[page * limit:(page + 1) * limit])
