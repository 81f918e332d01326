"""Views of the app (thin: they ask the policy, call one service, render)."""
