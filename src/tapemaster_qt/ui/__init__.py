"""Qt widgets, models and dialogs. Renders what the services decide; holds no rule."""
