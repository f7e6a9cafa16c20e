import pytest

from tests.test_end_to_end import test_a_fall_in_a_simulated_home_reaches_the_family_and_the_api  # noqa: F401


@pytest.fixture
def burst_broker(mqtt_url: str) -> str:
    return mqtt_url
