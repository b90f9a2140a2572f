"""Small typed functions returning ``rx.Component``, one job each."""
