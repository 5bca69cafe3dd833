"""Small frameworks written in the styles people write backward passes in, each with a
planted bug, for tests/test_frameworks.py and the README's "Checking an existing framework"."""
