"""The storyboard file: its model, YAML with positions, whole-board checks, and messages that name the line."""
