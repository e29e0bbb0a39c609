"""Generation providers behind one seam (base.Provider), each declaring its capabilities, created by name."""

from .base import FailureKind, GenerationFailed, Provider
from .capabilities import Capabilities, ImageInput, ModelCapabilities, ProviderSpec
from .registry import DEFAULT, NAMES, PROVIDERS, capabilities, cost_usd, create, paid_alternatives, provider_class, spec

__all__ = ["DEFAULT", "NAMES", "PROVIDERS", "Capabilities", "FailureKind", "GenerationFailed", "ImageInput",
           "ModelCapabilities", "Provider", "ProviderSpec", "capabilities", "cost_usd", "create", "paid_alternatives",
           "provider_class", "spec"]
