"""Small modal dialogs: asking where to save a file."""
