/** A cheap in-memory rate limiter: one bucket per process (Node) or isolate (Workers). */

export interface TokenBucketOptions {
  /** Most requests allowed in a burst. */
  capacity: number;
  /** Milliseconds to earn back one token. */
  refillMs: number;
  /** Clock in milliseconds; defaults to `Date.now`. */
  now?: () => number;
}

export interface TokenBucket {
  /** Takes a token; `retryAfterSeconds` says when the next one is due when none is left. */
  take(): { allowed: true } | { allowed: false; retryAfterSeconds: number };
}

export function createTokenBucket(options: TokenBucketOptions): TokenBucket {
  if (!(Number.isInteger(options.capacity) && options.capacity > 0)) {
    throw new TypeError("Expected `capacity` to be an integer from 1 and up");
  }
  if (!(options.refillMs > 0)) throw new TypeError("Expected `refillMs` to be above 0");
  const now = options.now ?? Date.now;
  let tokens = options.capacity;
  let updatedAt = now();
  return {
    take: function takeToken() {
      const time = now();
      tokens = Math.min(options.capacity, tokens + (time - updatedAt) / options.refillMs);
      updatedAt = time;
      if (tokens >= 1) {
        tokens -= 1;
        return { allowed: true };
      }
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil(((1 - tokens) * options.refillMs) / 1000)),
      };
    },
  };
}
