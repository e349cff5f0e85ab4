/**
 * Mainland mobile numbers (domain-rules §2): strip a +86 / 0086 / 86 country prefix, then
 * `^1[3-9]\d{9}$`. Carrier prefixes are deliberately not hard-coded: they change.
 */
const MOBILE_PATTERN = /^1[3-9]\d{9}$/;
const SEPARATORS = /[\s-]/g;
const MAX_INPUT_LENGTH = 32;

/** The 11-digit form, or null when the input is not a mainland mobile number. */
export function normalizePhone(input: string): string | null {
  if (input.length > MAX_INPUT_LENGTH) return null;
  let digits = input.trim().replace(SEPARATORS, '');
  if (digits.startsWith('+86')) digits = digits.slice(3);
  else if (digits.startsWith('0086')) digits = digits.slice(4);
  else if (digits.startsWith('86') && digits.length === 13) digits = digits.slice(2);
  return MOBILE_PATTERN.test(digits) ? digits : null;
}

/** `138****8000`: enough for the holder to recognise the number, not enough to use it. */
export function maskPhone(phone: string): string {
  return phone.length === 11 ? `${phone.slice(0, 3)}****${phone.slice(7)}` : '***';
}
