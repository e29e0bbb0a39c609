"""The cut: probe the clips, join them (copy where the timeline allows), lay the sound bed, verify, export."""
