"""The fake keeps an account's limits as Luma's Build tier does (10 in flight, 20 creates a minute per API key):
a create past one is a 429 with Retry-After, and every violation is counted in the stats."""

from __future__ import annotations

import asyncio

import httpx

from pipeline.fake_luma import FakeOptions, create_app
from pipeline.fake_luma.testing import ManualClock, quick_render

BODY = {"model": "ray-2", "prompt": "a paper boat on a puddle", "resolution": "540p", "duration": "5s"}


def against(scenario, clock: ManualClock, **options):
    app = create_app(FakeOptions(queued_s=10, dreaming_s=10, render=quick_render, clock=clock, **options))

    async def main():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app),
                                     base_url="http://fake.test/dream-machine/v1") as client:
            return await scenario(client, app.state.fake)
    try:
        return asyncio.run(main())
    finally:
        app.state.fake.close()


def create(client, key: str = "key-a"):
    return client.post("/generations", json=BODY, headers={"Authorization": f"Bearer {key}"})


def test_the_eleventh_generation_in_flight_is_refused_and_counted_for_its_account_only():
    clock = ManualClock()

    async def scenario(client, fake):
        answers = [await create(client) for _ in range(10)]
        assert {a.status_code for a in answers} == {201}
        over = await create(client)
        other = await create(client, "key-b")  # another account has its own ten
        clock.advance(25)  # the first ten are done (once rendered): room again
        while not all(g.render is None or g.render.done() for g in fake.generations.values()):
            await asyncio.sleep(0.02)
        after = await create(client)
        return over, other, after, fake.snapshot()

    over, other, after, stats = against(scenario, clock, account_creates_per_minute=None)
    assert over.status_code == 429 and "concurrent" in over.json()["detail"] and over.headers["Retry-After"]
    assert other.status_code == 201 and after.status_code == 201
    assert (stats["creates"], stats["limit_violations"], stats["violations_in_flight"]) == (12, 1, 1)


def test_the_twenty_first_create_in_a_minute_is_refused_until_the_first_leaves_the_window():
    clock = ManualClock()

    async def scenario(client, fake):
        codes = []
        for _ in range(20):
            codes.append((await create(client)).status_code)
            clock.advance(1)  # 20 creates over 20 s, each done before the next (never 10 in flight)
        codes.append((await create(client)).status_code)  # at 20 s: 20 in the last minute
        clock.advance(40.5)  # the first create is now more than a minute old
        codes.append((await create(client)).status_code)
        return codes, fake.snapshot()

    codes, stats = against(scenario, clock, account_in_flight=None)
    assert codes == [201] * 20 + [429, 201]
    assert (stats["limit_violations"], stats["violations_per_minute"]) == (1, 1)
