"""Generation providers behind one seam (see base.Provider); `get(name)` returns one by name."""
