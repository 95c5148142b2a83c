"""Password hashing for the test run only: still Argon2, with the cheapest cost parameters."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with minimal cost, so a test suite that creates hundreds of users stays fast."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1
