"""Storyboard in, finished cut out: chained AI video generations joined into one film."""

from .errors import BudgetError, MediaError, PipelineError, Problem, ProviderError, StoryboardError
from .load import Project, load
from .plan import Plan, PlannedShot

__version__ = "0.1.0"
__all__ = ["BudgetError", "MediaError", "PipelineError", "Plan", "PlannedShot", "Problem", "Project",
           "ProviderError", "StoryboardError", "load"]
