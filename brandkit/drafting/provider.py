"""The model provider: the openai SDK against any OpenAI-compatible endpoint (OpenAI, Azure OpenAI, vLLM,
llama.cpp, Ollama). One chat completion per call; the SDK's own retries are off because the Celery task
retries (with Retry-After honoured) and records each attempt on the job.

Errors come back as ``ProviderError`` with a reason in words and whether a retry may help. The API key
never appears in a reason, a log line or a stored message.
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import openai

from brandkit.drafting.models import OFFLINE_LABEL

# Longest Retry-After we wait for inside one retry; a provider asking for more gets this.
MAX_RETRY_AFTER = 300
# Largest token count a job stores (its columns are PostgreSQL integers).
MAX_TOKEN_COUNT = 2**31 - 1


@dataclass(frozen=True)
class ProviderConfig:
    """Where a job's messages go. ``base_url`` empty: the offline drafter."""

    base_url: str = ""
    model: str = ""
    api_key: str = ""
    timeout: float = 30.0
    max_output_tokens: int = 1500

    @property
    def is_offline(self) -> bool:
        return not (self.base_url and self.model)

    @property
    def label(self) -> str:
        return OFFLINE_LABEL if self.is_offline else self.model

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc or self.base_url

    def __repr__(self) -> str:  # never the key
        return f"ProviderConfig(base_url={self.base_url!r}, model={self.model!r})"


@dataclass(frozen=True)
class Completion:
    text: str
    prompt_tokens: int
    completion_tokens: int


class ProviderError(Exception):
    """A call that did not give an answer: why, in words, and whether (and when) to try again."""

    def __init__(self, reason: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after


_clients: dict[tuple[str, str, float], openai.OpenAI] = {}
_clients_lock = threading.Lock()


def _client(config: ProviderConfig) -> openai.OpenAI:
    # One client (one connection pool) per endpoint and key, reused across jobs in a worker.
    key = (config.base_url, config.api_key, config.timeout)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = openai.OpenAI(
                base_url=config.base_url,
                # Self-hosted servers (Ollama, llama.cpp) take any key; the SDK insists on one.
                api_key=config.api_key or "not-needed",
                timeout=config.timeout,
                max_retries=0,
            )
            _clients[key] = client
        return client


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Retry-After as seconds to wait: a number of seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, min(seconds, MAX_RETRY_AFTER))


def chat(config: ProviderConfig, messages: list[dict[str, str]]) -> Completion:
    """One chat completion; ProviderError (with the reason in words) when there is no answer."""
    where = config.host
    try:
        # The SDK's own POST (its headers, auth, timeout and errors), with the body as it is: the typed
        # ``chat.completions.create`` walks every message to apply aliases that plain strings never have,
        # and builds models of the whole answer, which cost a worker more than the rest of the call.
        body = _client(config).post(
            "/chat/completions",
            body={"model": config.model, "messages": messages, "max_tokens": config.max_output_tokens},
            cast_to=bytes,
        )
    except openai.RateLimitError as error:
        wait = retry_after_seconds(error.response.headers.get("retry-after"))
        raise ProviderError(
            f"The model provider at {where} is rate limiting requests (HTTP 429)"
            + (f" and asked to wait {wait:g} s." if wait is not None else "."),
            retryable=True,
            retry_after=wait,
        ) from None
    except openai.APITimeoutError:
        raise ProviderError(
            f"The model provider at {where} did not answer within {config.timeout:g} seconds.", retryable=True
        ) from None
    except openai.APIConnectionError:
        raise ProviderError(
            f"Could not connect to the model provider at {where}: it is down or unreachable.", retryable=True
        ) from None
    except openai.APIStatusError as error:
        status = error.status_code
        if status >= 500:
            raise ProviderError(
                f"The model provider at {where} had an internal error (HTTP {status}).", retryable=True
            ) from None
        if status in (401, 403):
            reason = f"The model provider at {where} refused the API key (HTTP {status}); check the agency's drafting settings."
        elif status == 404:
            reason = f"The model provider at {where} does not know the model “{config.model}” (HTTP 404)."
        else:
            reason = f"The model provider at {where} refused the request (HTTP {status})."
        raise ProviderError(reason, retryable=False) from None
    except (openai.APIError, ValueError) as error:
        raise _not_a_completion(where, error) from None
    try:
        completion = _completion(json.loads(body))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as error:
        raise _not_a_completion(where, error) from None
    if not completion.text.strip():
        raise ProviderError(f"The model provider at {where} answered with no text.", retryable=True)
    return completion


def _not_a_completion(where: str, error: Exception) -> ProviderError:
    return ProviderError(
        f"The model provider at {where} answered something that is not a chat completion ({type(error).__name__}).",
        retryable=False,
    )


def _completion(answer: dict[str, Any]) -> Completion:
    """The first choice's text and the token counts of a chat completion's JSON. A message's content is a
    string, or (from some servers) a list of parts whose text is joined; a missing usage counts as 0."""
    choices = answer.get("choices") or []
    content = (choices[0].get("message") or {}).get("content") if choices else None
    if isinstance(content, list):
        content = "".join(part.get("text") or "" for part in content if isinstance(part, dict))
    if content is not None and not isinstance(content, str):
        raise TypeError("the message's content is not text")
    usage = answer.get("usage") or {}
    return Completion(
        text=content or "",
        prompt_tokens=_token_count(usage.get("prompt_tokens")),
        completion_tokens=_token_count(usage.get("completion_tokens")),
    )


def _token_count(value: Any) -> int:
    """A usage figure as a count the job's columns hold: a whole number from 0 to MAX_TOKEN_COUNT. A server's
    nonsense (negative, not a number, infinite, past any real answer) counts as 0, never as a credit."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    if isinstance(value, float):
        if not math.isfinite(value):
            return 0
        value = int(value)
    return value if 0 <= value <= MAX_TOKEN_COUNT else 0
