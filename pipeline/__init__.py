"""Storyboard in, finished cut out: chained AI video generations joined into one film."""

from .errors import BudgetError, MediaError, PipelineError, Problem, ProviderError, StoryboardError
from .plan import Plan, PlannedShot
from .storyboard.load import Project, load

__version__ = "0.1.0"
__all__ = ["BudgetError", "MediaError", "PipelineError", "Plan", "PlannedShot", "Problem", "Project",
           "ProviderError", "StoryboardError", "load"]
