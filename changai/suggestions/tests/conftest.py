import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def clear_cache():
    """The public page's throttle lives in the cache: every test starts with none of its counts."""
    cache.clear()
    yield
    cache.clear()
