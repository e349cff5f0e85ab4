/**
 * A request body as the request log keeps it (ADR 0020): every field whose name says it is a
 * secret — a PIN, password, code, token, key, secret, confirmation, card or ID number — replaced
 * by `[redacted]`, at any depth; long strings cut; at most `MAX_KEYS` fields an object. Pure.
 */
const SECRET_NAME =
  /pin|password|secret|token|otp|code$|totp|passkey|confirmation|cardnumber|idnumber|cvv|authorization/i;
const REDACTED = '[redacted]';
const MAX_STRING = 200;
const MAX_KEYS = 50;
const MAX_DEPTH = 6;

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[…]';
  if (Array.isArray(value)) return value.slice(0, MAX_KEYS).map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value).slice(0, MAX_KEYS)) {
    out[key] = SECRET_NAME.test(key) ? REDACTED : redact(item, depth + 1);
  }
  return out;
}
