"""Planning: chains, timeline positions, keys that change exactly where pixels change, and the spend gate."""

from __future__ import annotations

import pytest

from pipeline import BudgetError, load
from pipeline.engine.spending import confirm
from pipeline.providers.prices import PER_SECOND_USD

CHAIN = """
shots:
  - id: a
    prompt: A lighthouse at dusk
  - id: b
    prompt: Waves crash on the rocks
  - id: c
    start: {shot: a}
    prompt: A gull lands on the rail
  - id: d
    start: none
    prompt: Inside, a kettle boils
    duration: 9s
    transition: {type: dissolve, duration: 1}
  - id: e
    start: none
    prompt: The keeper climbs the stairs
    end: {shot: d}
"""


def plan_of(tmp_path, text, **kw):
    path = tmp_path / "board.yaml"
    path.write_text(text)
    return load(path, **kw).plan()


def test_chains_sources_and_positions(tmp_path):
    plan = plan_of(tmp_path, CHAIN)
    assert [(p.id, p.chain) for p in plan.shots] == [("a", 1), ("b", 1), ("c", 1), ("d", 2), ("e", 2)]
    assert [p.source for p in plan.shots] == ["text", "extends a", "extends a", "text", "text, leads into d"]
    assert [p.start_frame for p in plan.shots] == [0, 120, 240, 336, 552]
    assert plan.runtime_frames == 672
    assert plan.longest_chain_frames == 216 + 120  # e (5 s) must wait for d (9 s), which it leads into
    assert plan.generations == 5


def test_editing_a_shot_changes_its_key_and_its_descendants_only(tmp_path):
    before = {p.id: p.key for p in plan_of(tmp_path, CHAIN).shots}
    edited = CHAIN.replace("A lighthouse at dusk", "A lighthouse at dawn")
    after = {p.id: p.key for p in plan_of(tmp_path, edited).shots}
    changed = {i for i in before if before[i] != after[i]}
    assert changed == {"a", "b", "c"}
    leads = {p.id: p.key for p in plan_of(tmp_path, CHAIN.replace("Inside, a kettle", "Inside, a pot")).shots}
    assert {i for i in before if before[i] != leads[i]} == {"d", "e"}


def test_keyframe_content_not_its_name_shapes_the_key(tmp_path, media):
    image = tmp_path / "k.png"
    image.write_bytes(media["image"].read_bytes())
    text = "shots:\n  - prompt: a quiet harbour\n    start: k.png\n"
    first = plan_of(tmp_path, text).shots[0].key
    (tmp_path / "renamed.png").write_bytes(image.read_bytes())
    assert plan_of(tmp_path, text.replace("k.png", "renamed.png")).shots[0].key == first
    image.write_bytes((tmp_path / "renamed.png").read_bytes()[:-1] + b"\x00")  # other bytes, same name
    assert plan_of(tmp_path, text).shots[0].key != first


def test_luma_costs_by_the_price_table(tmp_path):
    plan = plan_of(tmp_path, CHAIN, provider="luma")
    rate = PER_SECOND_USD[("luma", "ray-2", "720p")]  # the storyboard's defaults
    assert [p.estimated_cost_usd for p in plan.shots] == [round(rate * s, 4) for s in (5, 5, 5, 9, 5)]
    assert plan.estimated_cost_usd == round(rate * 29, 2)


def test_spending_gate(tmp_path):
    plan = plan_of(tmp_path, CHAIN, provider="luma")
    cost = plan.estimated_cost_usd
    with pytest.raises(BudgetError, match="exceeds the storyboard's budget_usd of \\$0.50"):
        confirm(plan, cost, budget=0.5, max_cost=None, yes=True)
    with pytest.raises(BudgetError, match="exceeds --max-cost"):
        confirm(plan, cost, budget=None, max_cost=0.2, yes=True)
    with pytest.raises(BudgetError, match="pass --yes"):
        confirm(plan, cost, budget=None, max_cost=None, yes=False, interactive=False)
    with pytest.raises(BudgetError, match="nothing was spent"):
        confirm(plan, cost, budget=None, max_cost=None, yes=False, interactive=True, ask=lambda q: "n")
    told, asked = [], []
    assert confirm(plan, cost, budget=cost + 1, max_cost=None, yes=False, interactive=True, tell=told.append,
                   ask=lambda q: asked.append(q) or "y") == cost
    assert told == [f"spending with luma: estimated ${cost:.2f} (an estimate, not a quote)"]
    assert asked == ["Spend it? [y/N] "]
    told.clear()
    confirm(plan, cost, budget=None, max_cost=None, yes=True, tell=told.append)
    assert told, "the estimate is shown even when --yes skips the question"
    assert confirm(plan, 0.0, budget=0.5, max_cost=None, yes=False, interactive=False) == 0.0  # nothing to pay
