"""Argon2id password hashing at or above the OWASP minimum, with rehashing when the parameters rise.

argon2 is imported at the first hash or check, not when the window opens (its import is a start-up cost)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # argon2 loads at the first hash or check
    from argon2 import Parameters

#: OWASP Password Storage Cheat Sheet minimum for Argon2id: m = 19 MiB, t = 2, p = 1.
OWASP_MIN_MEMORY_KIB = 19 * 1024
OWASP_MIN_TIME_COST = 2
OWASP_MIN_PARALLELISM = 1


@dataclass(frozen=True)
class HashPolicy:
    """Argon2id cost; the default is argon2-cffi's (RFC 9106 low-memory profile: 64 MiB, t=3, p=4)."""

    memory_kib: int = 65536
    time_cost: int = 3
    parallelism: int = 4

    def __post_init__(self) -> None:
        if (self.memory_kib < OWASP_MIN_MEMORY_KIB or self.time_cost < OWASP_MIN_TIME_COST
                or self.parallelism < OWASP_MIN_PARALLELISM):
            raise ValueError("Argon2id parameters below the OWASP minimum (19 MiB, t=2, p=1) are not allowed")


class Passwords:
    """Hash, verify and decide on rehashing; a dummy hash makes unknown users cost the same as wrong passwords."""

    def __init__(self, policy: HashPolicy | None = None) -> None:
        self.policy = policy or HashPolicy()
        self._made: Any = None  # the argon2 PasswordHasher, made when first needed
        self._dummy: str | None = None

    @property
    def _hasher(self) -> Any:
        if self._made is None:
            from argon2 import PasswordHasher, Type

            self._made = PasswordHasher(time_cost=self.policy.time_cost, memory_cost=self.policy.memory_kib,
                                        parallelism=self.policy.parallelism, type=Type.ID)
        return self._made

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """True for the right password. With no stored hash, a dummy hash is checked so timing does not tell."""
        from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

        try:
            return self._hasher.verify(stored or self._dummy_hash(), password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self._hasher.check_needs_rehash(stored)

    def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self._hasher.hash(secrets.token_urlsafe(24))
        return self._dummy


def parameters(stored: str) -> Parameters:
    """The cost a stored hash was made with (for tests and the users list)."""
    from argon2 import extract_parameters

    return extract_parameters(stored)
