"""Helpers the tests share: media they make, engines they pin, harnesses for the page."""
