"""The music bed's beats: found by a music library (beats), laid on the cut's time (grid), and the cuts
moved onto them (snap)."""
