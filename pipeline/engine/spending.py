"""The gate before money is spent: show the estimate, hold it to the budget, and get a yes."""

from __future__ import annotations

import sys

from ..errors import BudgetError
from ..plan import Plan


def confirm(plan: Plan, estimate: float, *, budget: float | None, max_cost: float | None, yes: bool,
            tell=lambda text: None, ask=input, interactive: bool | None = None) -> float:
    """Return `estimate` (what the run would pay) once spending it is allowed; BudgetError otherwise. Prints
    nothing itself: the estimate is shown through `tell` before anything is decided (even with `yes`), and
    the question goes through `ask` (the terminal's input() by default)."""
    if max_cost is not None and not max_cost >= 0:  # also nan, which no estimate would ever exceed
        raise BudgetError(f"--max-cost {max_cost:g}: give an amount in USD, 0 or more")
    summary = f"spending with {plan.provider}: estimated ${estimate:.2f} (an estimate, not a quote)"
    tell(summary)
    for limit, name in ((budget, "the storyboard's budget_usd"), (max_cost, "--max-cost")):
        if limit is not None and estimate > limit:
            raise BudgetError(f"{summary} exceeds {name} of ${limit:.2f}; raise it or generate fewer shots")
    if yes or estimate == 0:
        return estimate
    if not (sys.stdin.isatty() if interactive is None else interactive):
        raise BudgetError(f"{summary}; not on a terminal, so not asking: pass --yes to spend it")
    if ask("Spend it? [y/N] ").strip().lower() not in ("y", "yes"):
        raise BudgetError("nothing was spent")
    return estimate
