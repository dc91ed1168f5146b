"""The JSON API for donors: claim a wish (one winner, 409 with the next wishes for the rest), my claims."""
from volunteer.api.services import issue_token


def _h(user):
    return {"Authorization": f"Bearer {issue_token(user, 'tests')[1]}", "Accept-Language": "en"}


def test_claim_through_the_api_one_wins_the_other_gets_409_with_next_wishes(client, people, publish_wish, child):
    wish, other = publish_wish("书包"), publish_wish("足球")
    won = client.post(f"/api/v1/wishes/{wish.ref}/claim", headers=_h(people["donor"]))
    assert won.status_code == 200 and won.json["stage"] == "claimed" and won.json["wish"]["ref"] == wish.ref
    assert set(won.json["wish"]) == {"ref", "item", "category", "price_yuan", "status", "age_band", "town_name"}
    lost = client.post(f"/api/v1/wishes/{wish.ref}/claim", headers=_h(people["other"]))
    assert lost.status_code == 409 and lost.json["error"]["code"] == "conflict"
    assert "already claimed" in lost.json["error"]["message"]
    assert [w["ref"] for w in lost.json["next"]] == [other.ref]
    mine = client.get("/api/v1/my/claims", headers=_h(people["donor"]))
    assert mine.status_code == 200 and mine.json["total"] == 1 and mine.json["items"][0]["wish"]["item"] == "书包"
    assert child.name not in mine.get_data(as_text=True) + lost.get_data(as_text=True)


def test_staff_cannot_claim_and_unknown_wishes_are_404_in_the_api(client, people, publish_wish):
    assert client.post(f"/api/v1/wishes/{publish_wish().ref}/claim",
                       headers=_h(people["coordinator"])).status_code == 403
    assert client.post("/api/v1/wishes/nope/claim", headers=_h(people["donor"])).status_code == 404
