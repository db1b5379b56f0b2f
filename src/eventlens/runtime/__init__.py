"""The composition root: builds the platform's parts from `Settings` and runs them."""
