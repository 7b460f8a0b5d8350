"""The desktop app: Qt widgets that wire user actions to ``core`` and core events to the screen.

Nothing here computes models or reads file formats; see ``core`` for that.
"""
